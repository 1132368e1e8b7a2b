/**
 * Shared lists for the authorization tests: a list has an owner and members; the receptors'
 * `authorize` hooks say who may create (as themselves), share (the owner) and add items (a
 * member); `RenameList` has no hook (a sync server refuses it unless it has one of its own). The
 * `lists` perspective is scoped to the lists a principal is a member of.
 */
import type { Driver } from '../../js/mod.ts';
import {
  defineCommand,
  defineEvent,
  definePerspective,
  defineReceptor,
  defineState,
  payload,
  whizbang,
} from '../../js/mod.ts';

export const CreateList = defineCommand(
  'CreateList',
  payload<{ listId: string; title: string; owner: string }>(),
);
export const ShareList = defineCommand('ShareList', payload<{ listId: string; with: string }>());
export const AddItem = defineCommand('AddItem', payload<{ listId: string; text: string }>());
export const RenameList = defineCommand('RenameList', payload<{ listId: string; title: string }>());

export const ListCreated = defineEvent(
  'ListCreated',
  payload<{ listId: string; title: string; owner: string }>(),
);
export const ListShared = defineEvent('ListShared', payload<{ listId: string; with: string }>());
export const ItemAdded = defineEvent('ItemAdded', payload<{ listId: string; text: string }>());
export const ListRenamed = defineEvent('ListRenamed', payload<{ listId: string; title: string }>());

type ListEvent = ReturnType<
  typeof ListCreated | typeof ListShared | typeof ItemAdded | typeof ListRenamed
>;

/** A list as its receptors decide on it. */
export const List = defineState<{ owner: string | undefined; members: string[] }, ListEvent>({
  initial: () => ({ owner: undefined, members: [] }),
  evolve: (s, e) => {
    if (e.type === 'ListCreated') return { owner: e.data.owner, members: [e.data.owner] };
    if (e.type === 'ListShared') return { ...s, members: [...s.members, e.data.with] };
    return s;
  },
});

/** A list as its members read it. */
export interface ListModel {
  readonly listId: string;
  readonly title: string;
  readonly owner: string;
  readonly members: readonly string[];
  readonly items: readonly string[];
}

export const lists = definePerspective({
  name: 'lists',
  events: [ListCreated, ListShared, ItemAdded, ListRenamed],
  key: (e) => e.data.listId,
  initial: (): ListModel => ({ listId: '', title: '', owner: '', members: [], items: [] }),
  apply: (m, e): ListModel => {
    switch (e.type) {
      case 'ListCreated':
        return { ...m, ...e.data, members: [e.data.owner] };
      case 'ListShared':
        return { ...m, members: [...m.members, e.data.with] };
      case 'ItemAdded':
        return { ...m, items: [...m.items, e.data.text] };
      default:
        return { ...m, title: e.data.title };
    }
  },
  indexes: ['owner', 'title'],
  scope: (principal) => ({ members: { contains: principal.userId } }),
});

const stream = (c: { data: { listId: string } }): string => `list-${c.data.listId}`;

/** The lists app on `driver`. */
export function listsApp(driver: Driver, name = 'lists') {
  return whizbang(name)
    .receptor(
      defineReceptor({
        command: CreateList,
        stream,
        state: List,
        authorize: ({ command, principal, state }) =>
          state.owner !== undefined
            ? `List ${command.data.listId} exists already.`
            : command.data.owner === principal.userId || 'Create lists as yourself.',
        decide: (c) => ListCreated(c.data),
      }),
    )
    .receptor(
      defineReceptor({
        command: ShareList,
        stream,
        state: List,
        authorize: ({ principal, state }) =>
          state.owner === principal.userId || 'Only the owner shares a list.',
        decide: (c, s) => (s.members.includes(c.data.with) ? [] : ListShared(c.data)),
      }),
    )
    .receptor(
      defineReceptor({
        command: AddItem,
        stream,
        state: List,
        authorize: ({ principal, state, command }) =>
          state.members.includes(principal.userId) ||
          `${principal.userId} is not a member of list ${command.data.listId}.`,
        decide: (c) => ItemAdded(c.data),
      }),
    )
    .receptor(
      defineReceptor({
        command: RenameList,
        stream,
        state: List,
        decide: (c) => ListRenamed(c.data),
      }),
    )
    .perspective(lists)
    .build({ driver });
}
