// @runtimes node deno bun
import { describe, expect, it } from 'vitest';
import {
  defineCommand,
  defineEvent,
  definePerspective,
  defineReceptor,
  payload,
  whizbang,
} from '../../js/mod.ts';

describe('smoke', () => {
  it('sends a command and reads the perspective', async () => {
    const Add = defineCommand('Add', payload<{ id: string; title: string }>());
    const Added = defineEvent('Added', payload<{ id: string; title: string }>());
    const add = defineReceptor({
      command: Add,
      stream: (c) => `todo-${c.data.id}`,
      handle: (c) => Added(c.data),
    });
    const todos = definePerspective({
      name: 'todos',
      events: [Added],
      initial: () => ({ title: '' }),
      apply: (_m, e) => ({ title: e.data.title }),
    });
    const app = whizbang().receptor(add).perspective(todos).build();
    const receipt = await app.send(Add({ id: '1', title: 'x' }));
    expect(receipt.version).toBe(1);
    expect(await app.lens(todos).get('todo-1')).toEqual({ title: 'x' });
  });
});
