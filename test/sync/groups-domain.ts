/**
 * A small shared-lists domain for the stream-group sync tests: a list (and its items) is one
 * stream `list-<id>` and one group; its owner shares it with other users and unshares it.
 */
import {
  type Driver,
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
  payload<{ list: string; owner: string; title: string }>(),
);
export const AddItem = defineCommand('AddItem', payload<{ list: string; text: string }>());
export const Share = defineCommand('Share', payload<{ list: string; with: string }>());
export const Unshare = defineCommand('Unshare', payload<{ list: string; with: string }>());

export const ListCreated = defineEvent(
  'ListCreated',
  payload<{ list: string; owner: string; title: string }>(),
);
export const ItemAdded = defineEvent('ItemAdded', payload<{ list: string; text: string }>());
export const Shared = defineEvent('Shared', payload<{ list: string; with: string }>());
export const Unshared = defineEvent('Unshared', payload<{ list: string; with: string }>());

type ListEvent =
  | ReturnType<typeof ListCreated>
  | ReturnType<typeof ItemAdded>
  | ReturnType<typeof Shared>
  | ReturnType<typeof Unshared>;

/** The group of a stream: a list is its own group. */
export const group = (streamId: string): string | undefined =>
  streamId.startsWith('list-') ? streamId : undefined;

const List = defineState<{ exists: boolean; members: string[] }, ListEvent>({
  initial: () => ({ exists: false, members: [] }),
  evolve: (s, e) => {
    switch (e.type) {
      case 'ListCreated':
        return { exists: true, members: [] };
      case 'Shared':
        return { ...s, members: [...s.members, e.data.with] };
      case 'Unshared':
        return { ...s, members: s.members.filter((m) => m !== e.data.with) };
      default:
        return s;
    }
  },
});

const streamOf = (c: { data: { list: string } }): string => `list-${c.data.list}`;

/** Each list's title and items, as a replica shows them. */
export const lists = definePerspective({
  name: 'lists',
  events: [ListCreated, ItemAdded],
  key: (e) => e.data.list,
  initial: () => ({ title: '', items: [] as string[] }),
  apply: (m, e) =>
    e.type === 'ListCreated'
      ? { ...m, title: e.data.title }
      : { ...m, items: [...m.items, e.data.text] },
});

/** Who may see each list (the server's lens its scope hook reads). */
export const members = definePerspective({
  name: 'members',
  events: [ListCreated, Shared, Unshared],
  key: (e) => e.data.list,
  initial: () => ({ list: '', owner: '', members: [] as string[] }),
  apply: (m, e) => {
    switch (e.type) {
      case 'ListCreated':
        return { list: e.data.list, owner: e.data.owner, members: [] };
      case 'Shared':
        return { ...m, members: [...new Set([...m.members, e.data.with])] };
      default:
        return { ...m, members: m.members.filter((u) => u !== e.data.with) };
    }
  },
});

/** The lists app, on `driver`. */
export const listsApp = (driver: Driver) =>
  whizbang('lists')
    .receptor(
      defineReceptor({
        command: CreateList,
        stream: streamOf,
        state: List,
        decide: (c, s) => {
          if (s.exists) throw new Error(`List ${c.data.list} exists.`);
          return ListCreated(c.data);
        },
      }),
    )
    .receptor(
      defineReceptor({
        command: AddItem,
        stream: streamOf,
        state: List,
        decide: (c, s) => {
          if (!s.exists) throw new Error(`No list ${c.data.list}.`);
          return ItemAdded(c.data);
        },
      }),
    )
    .receptor(
      defineReceptor({
        command: Share,
        stream: streamOf,
        state: List,
        decide: (c) => Shared(c.data),
      }),
    )
    .receptor(
      defineReceptor({
        command: Unshare,
        stream: streamOf,
        state: List,
        decide: (c) => Unshared(c.data),
      }),
    )
    .perspective(lists)
    .perspective(members)
    .build({ driver });
