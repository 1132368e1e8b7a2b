/**
 * The shared-lists domain, the same in every browser and on the server: lists of items that their
 * owner may share with other users. One stream per list (`list-<id>`); a list's state says who owns
 * it and which items it holds, so a command made offline is decided again on what others did.
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

type ListEvent =
  | ReturnType<typeof ListCreated>
  | ReturnType<typeof ItemAdded>
  | ReturnType<typeof ItemChecked>
  | ReturnType<typeof ItemRemoved>;

/** What a list's receptors decide on: its owner and the text of each item still on it. */
const List = defineState<{ owner: string | undefined; items: Record<string, string> }, ListEvent>({
  initial: () => ({ owner: undefined, items: {} }),
  evolve: (list, e) => {
    switch (e.type) {
      case 'ListCreated':
        return { ...list, owner: e.data.owner };
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

/** One model per list. */
export const lists = definePerspective({
  name: 'lists',
  events: [ListCreated],
  key: (e) => e.data.listId,
  initial: () => ({ id: '', name: '', owner: '', at: 0 }),
  apply: (_, e) => ({ id: e.data.listId, name: e.data.name, owner: e.data.owner, at: e.data.at }),
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

/** The commands replicas may push to the server. */
export const COMMANDS = ['CreateList', 'AddItem', 'CheckItem', 'RemoveItem'] as const;

/** The app: the lists' receptors and perspectives, on the driver given. */
export function listsApp(options: BuildOptions) {
  return whizbang('shared-lists')
    .receptor(createList)
    .receptor(addItem)
    .receptor(checkItem)
    .receptor(removeItem)
    .perspective(lists)
    .perspective(items)
    .build(options);
}

/** The built app's type. */
export type ListsApp = ReturnType<typeof listsApp>;
