/**
 * The shared-lists domain, the same in every browser and on the server: lists of items that their
 * owner may share with other users. One stream per list (`list-<id>`), and one stream group per
 * list: a person's replica holds the groups of the lists they own or that are shared with them. A
 * list's state says who owns it, who shares it and which items it holds, so a command made offline
 * is decided again on what others did.
 */
import {
  type BuildOptions,
  defineCommand,
  defineEvent,
  definePerspective,
  defineReceptor,
  defineState,
  payload,
  whizbang,
} from 'whizbang';

export const CreateList = defineCommand(
  'CreateList',
  payload<{ listId: string; name: string; owner: string }>(),
);
export const AddItem = defineCommand(
  'AddItem',
  payload<{ listId: string; itemId: string; text: string }>(),
);
export const CheckItem = defineCommand(
  'CheckItem',
  payload<{ listId: string; itemId: string; done: boolean }>(),
);
export const RemoveItem = defineCommand(
  'RemoveItem',
  payload<{ listId: string; itemId: string }>(),
);
export const ShareList = defineCommand('ShareList', payload<{ listId: string; with: string }>());
export const UnshareList = defineCommand(
  'UnshareList',
  payload<{ listId: string; with: string }>(),
);

const ListCreated = defineEvent(
  'ListCreated',
  payload<{ listId: string; name: string; owner: string; at: number }>(),
);
const ItemAdded = defineEvent(
  'ItemAdded',
  payload<{ listId: string; itemId: string; text: string; at: number }>(),
);
const ItemChecked = defineEvent(
  'ItemChecked',
  payload<{ listId: string; itemId: string; done: boolean }>(),
);
const ItemRemoved = defineEvent('ItemRemoved', payload<{ listId: string; itemId: string }>());
const ListShared = defineEvent('ListShared', payload<{ listId: string; with: string }>());
const ListUnshared = defineEvent('ListUnshared', payload<{ listId: string; with: string }>());

type ListEvent =
  | ReturnType<typeof ListCreated>
  | ReturnType<typeof ItemAdded>
  | ReturnType<typeof ItemChecked>
  | ReturnType<typeof ItemRemoved>
  | ReturnType<typeof ListShared>
  | ReturnType<typeof ListUnshared>;

/** What a list's receptors decide on: its owner, who shares it, and the items still on it. */
const List = defineState<
  { owner: string | undefined; members: string[]; items: Record<string, string> },
  ListEvent
>({
  initial: () => ({ owner: undefined, members: [], items: {} }),
  evolve: (list, e) => {
    switch (e.type) {
      case 'ListCreated':
        return { ...list, owner: e.data.owner };
      case 'ListShared':
        return { ...list, members: [...list.members, e.data.with] };
      case 'ListUnshared':
        return { ...list, members: list.members.filter((m) => m !== e.data.with) };
      case 'ItemAdded':
        return { ...list, items: { ...list.items, [e.data.itemId]: e.data.text } };
      case 'ItemRemoved': {
        const { [e.data.itemId]: _, ...items } = list.items;
        return { ...list, items };
      }
      default:
        return list;
    }
  },
});

/** The stream of a list. */
export const listStream = (listId: string): string => `list-${listId}`;

/**
 * The stream group of a stream, the same function in the browsers and on the server: each list
 * is a group of its own, the unit a person is given or loses when a list is shared or unshared.
 */
export const group = (streamId: string): string | undefined =>
  streamId.startsWith('list-') ? streamId : undefined;

const present = (list: { owner: string | undefined }): void => {
  if (list.owner === undefined) throw new Error('This list does not exist (any more).');
};

const createList = defineReceptor({
  command: CreateList,
  stream: (c) => listStream(c.data.listId),
  state: List,
  decide: (c, list) => {
    if (list.owner !== undefined) throw new Error('A list with this id exists already.');
    const name = c.data.name.trim();
    if (name === '') throw new Error('A list needs a name.');
    return ListCreated({ ...c.data, name, at: Date.now() });
  },
});

const addItem = defineReceptor({
  command: AddItem,
  stream: (c) => listStream(c.data.listId),
  state: List,
  decide: (c, list) => {
    present(list);
    const text = c.data.text.trim();
    if (text === '') throw new Error('An item needs some text.');
    return ItemAdded({ ...c.data, text, at: Date.now() });
  },
});

const checkItem = defineReceptor({
  command: CheckItem,
  stream: (c) => listStream(c.data.listId),
  state: List,
  decide: (c, list) => {
    present(list);
    if (!(c.data.itemId in list.items)) {
      throw new Error('This item was removed from the list before your change reached it.');
    }
    return ItemChecked(c.data);
  },
});

const removeItem = defineReceptor({
  command: RemoveItem,
  stream: (c) => listStream(c.data.listId),
  state: List,
  decide: (c, list) => {
    present(list);
    const text = list.items[c.data.itemId];
    if (text === undefined) throw new Error('This item was removed already.');
    return ItemRemoved(c.data);
  },
});

const shareList = defineReceptor({
  command: ShareList,
  stream: (c) => listStream(c.data.listId),
  state: List,
  decide: (c, list) => {
    present(list);
    if (c.data.with === list.owner) throw new Error('The owner has the list already.');
    if (list.members.includes(c.data.with)) throw new Error(`Shared with ${c.data.with} already.`);
    return ListShared(c.data);
  },
});

const unshareList = defineReceptor({
  command: UnshareList,
  stream: (c) => listStream(c.data.listId),
  state: List,
  decide: (c, list) => {
    present(list);
    if (!list.members.includes(c.data.with)) throw new Error(`Not shared with ${c.data.with}.`);
    return ListUnshared(c.data);
  },
});

/** One model per list: its name, owner and the people it is shared with. */
export const lists = definePerspective({
  name: 'lists',
  events: [ListCreated, ListShared, ListUnshared],
  key: (e) => e.data.listId,
  initial: () => ({ id: '', name: '', owner: '', members: [] as string[], at: 0 }),
  apply: (list, e) => {
    switch (e.type) {
      case 'ListCreated':
        return {
          ...list,
          id: e.data.listId,
          name: e.data.name,
          owner: e.data.owner,
          at: e.data.at,
        };
      case 'ListShared':
        return { ...list, members: [...list.members, e.data.with] };
      default:
        return { ...list, members: list.members.filter((m) => m !== e.data.with) };
    }
  },
});

/** One model per item, with its list's id; a removed item's model is deleted. */
export const items = definePerspective({
  name: 'items',
  events: [ItemAdded, ItemChecked, ItemRemoved],
  key: (e) => e.data.itemId,
  initial: () => ({ id: '', listId: '', text: '', done: false, at: 0 }),
  apply: (item, e) => {
    switch (e.type) {
      case 'ItemAdded':
        return {
          ...item,
          id: e.data.itemId,
          listId: e.data.listId,
          text: e.data.text,
          at: e.data.at,
        };
      case 'ItemChecked':
        return { ...item, done: e.data.done };
      default:
        return null;
    }
  },
});

/** The app: the lists' receptors and perspectives, on the driver given. */
export function listsApp(options: BuildOptions) {
  return whizbang('shared-lists')
    .receptor(createList)
    .receptor(addItem)
    .receptor(checkItem)
    .receptor(removeItem)
    .receptor(shareList)
    .receptor(unshareList)
    .perspective(lists)
    .perspective(items)
    .build(options);
}

/** The built app's type. */
export type ListsApp = ReturnType<typeof listsApp>;
