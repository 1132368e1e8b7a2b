/**
 * Scheduled commands on IndexedDB (fake-indexeddb here; the mechanism is the ledger, a perspective
 * and the inbox, the same on every driver): kept across a reopened database, sent once.
 */
import { IDBFactory, IDBKeyRange } from 'fake-indexeddb';
import { describe, expect, it } from 'vitest';
import { indexedDbDriver } from '../../adapters/indexeddb/mod.ts';
import { Add, expectOnce, instance, Remind } from './scenarios.ts';

describe('scheduled commands on IndexedDB', () => {
  // due 1.5 s ahead, so a loaded machine does not make them due before the first check that none is
  it('keeps a schedule and a saga timeout across a reopened database, and sends each once', async () => {
    const indexedDB = new IDBFactory();
    const open = () => indexedDbDriver({ name: 'schedules', indexedDB, IDBKeyRange });
    const first = await instance(open, undefined, false, false, { pollMs: 60_000 });
    await first.sendAfter(Add({ stream: 'later', n: 5 }), 1500, { scheduleId: 'later' });
    await first.publish(Remind({ id: 'r', n: 10, afterMs: 1500 }), { stream: 'reminders' });
    await first.waitForPerspectives();
    expect(await first.fireSchedules()).toBe(0);
    await first.close();
    await new Promise((resolve) => setTimeout(resolve, 1600));
    const again = await instance(open, undefined, false, false, { pollMs: 60_000 });
    try {
      await again.waitForPerspectives();
      await again.fireSchedules(); // the look at start may have sent them already
      await again.waitForPerspectives();
      expect(await again.fireSchedules()).toBe(0);
      await expectOnce(again, 2, 15);
    } finally {
      await again.close();
    }
  });
});
