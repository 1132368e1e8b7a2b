/**
 * Authorization's types: a receptor's `authorize` gets its command and state as the receptor
 * declares them, a principal goes to `send` (not to `publish` or `sendAt`), and a scoped lens
 * answers the perspective's models.
 */
import { describe, expectTypeOf, test } from 'vitest';
import {
  defineCommand,
  defineEvent,
  definePerspective,
  defineReceptor,
  defineState,
  type LiveLens,
  type Principal,
  payload,
  scopedLens,
  whizbang,
} from '../../js/mod.ts';

const Add = defineCommand('Add', payload<{ listId: string; text: string }>());
const Added = defineEvent('Added', payload<{ listId: string; text: string }>());
const List = defineState({ initial: () => ({ members: [] as string[] }), evolve: (s) => s });
const items = definePerspective({
  name: 'items',
  events: [Added],
  initial: () => ({ texts: [] as string[] }),
  apply: (m, e) => ({ texts: [...m.texts, e.data.text] }),
  scope: (principal) => ({ members: { contains: principal.userId } }),
});

describe('authorize', () => {
  test('the hook sees the command, the principal and the state as declared', () => {
    defineReceptor({
      command: Add,
      stream: (c) => `list-${c.data.listId}`,
      state: List,
      authorize: ({ command, principal, state, streamId }) => {
        expectTypeOf(command.data.text).toEqualTypeOf<string>();
        expectTypeOf(principal).toEqualTypeOf<Principal>();
        expectTypeOf(state.members).toEqualTypeOf<string[]>();
        expectTypeOf(streamId).toEqualTypeOf<string | undefined>();
        return state.members.includes(principal.userId) || 'not a member';
      },
      decide: (c, _s, context) => {
        expectTypeOf(context.principal).toEqualTypeOf<Principal | undefined>();
        return Added(c.data);
      },
    });
    defineReceptor({
      command: Add,
      // @ts-expect-error: a hook answers true, false or a reason
      authorize: () => 1,
      handle: () => undefined,
    });
  });

  test('a principal goes to send, not to publish or sendAt', () => {
    const app = whizbang('t').perspective(items).build();
    const ann: Principal = { userId: 'ann', tenant: 'acme' };
    void app.publish(Added({ listId: 'l', text: 'x' }), {
      stream: 'l',
      // @ts-expect-error: no receptor decides a published event
      principal: ann,
    });
    // @ts-expect-error: a scheduled command is sent later by the app
    void app.sendAt(Added({ listId: 'l', text: 'x' }) as never, 0, { principal: ann });
    expectTypeOf(scopedLens(app, items, ann)).toEqualTypeOf<LiveLens<{ texts: string[] }>>();
  });
});
