/**
 * The modules an app loads only when it uses them (`health()`, the scheduler): an app built with
 * `schedules` and closed at once closes cleanly, its scheduler never sending after; an app
 * without `schedules` refuses `sendAt` as before; `health()` answers on its first call.
 */
import { describe, expect, it } from 'vitest';
import {
  defineCommand,
  defineEvent,
  defineReceptor,
  memoryDriver,
  payload,
  whizbang,
} from '../../js/mod.ts';

const Add = defineCommand('Add', payload<{ n: number }>());
const Added = defineEvent('Added', payload<{ n: number }>());
const add = defineReceptor({
  command: Add,
  stream: () => 'sum',
  handle: (c) => Added({ n: c.data.n }),
});

const build = (schedules: boolean) =>
  whizbang('lazy')
    .receptor(add)
    .build({ driver: memoryDriver(), ...(schedules ? { schedules: true } : {}) });

describe('modules loaded when used', () => {
  it('an app built with schedules and closed at once sends nothing after it closes', async () => {
    const app = build(true);
    const closing = app.close(); // before the scheduler's module has loaded
    await expect(app.sendAt(Add({ n: 1 }), Date.now())).rejects.toMatchObject({ code: 'CLOSED' });
    await closing;
    await expect(app.fireSchedules()).rejects.toMatchObject({ code: 'CLOSED' });
  });

  it('schedules a command right after build, and sends it when due', async () => {
    const app = build(true);
    try {
      const receipt = await app.sendAt(Add({ n: 2 }), Date.now() - 1, { scheduleId: 's1' });
      expect(receipt).toMatchObject({ scheduleId: 's1', duplicate: false });
      await app.waitForPerspectives();
      expect(await app.fireSchedules()).toBe(1);
      const events = await app.ledger.readStream('sum');
      expect(events.map((e) => [e.type, e.data])).toEqual([['Added', { n: 2 }]]);
    } finally {
      await app.close();
    }
  });

  it('an app without schedules refuses sendAt', async () => {
    const app = build(false);
    try {
      await expect(app.sendAfter(Add({ n: 1 }), 10)).rejects.toMatchObject({
        code: 'INVALID_ARGUMENT',
      });
    } finally {
      await app.close();
    }
  });

  it('health() answers on its first call', async () => {
    const app = build(false);
    try {
      expect((await app.health()).status).toBe('ok');
    } finally {
      await app.close();
    }
  });
});
