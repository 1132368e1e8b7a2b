/** Scheduled commands and saga timeouts kept by the driver, on several instances. */
import { expect } from 'vitest';
import type { Driver } from '../../js/mod.ts';
import { Add, expectOnce, instance, Remind, settle, tally } from './scenarios.ts';

async function eventually(check: () => Promise<boolean>, ms = 15_000): Promise<void> {
  const until = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > until) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/**
 * Scheduled commands (and a saga's timeout) kept by the driver: scheduled by an instance that
 * stops before they are due, sent by the next ones, each once, though two instances both run
 * their schedulers without coordination (the inbox makes a second sending a duplicate); with
 * coordination one instance runs the scheduler.
 */
export async function schedulesSurviveAndFireOnce(
  open: () => Driver | Promise<Driver>,
): Promise<void> {
  const first = await instance(open, 'sched-1', true, false, { pollMs: 60_000 });
  // due far enough ahead that a loaded machine schedules everything before any is due
  const dueInMs = 1_500;
  const now = Date.now();
  let expected = 0;
  for (let i = 1; i <= 5; i++) {
    const receipt = await first.sendAt(Add({ stream: 'later', n: i }), now + dueInMs, {
      scheduleId: `later-${i}`,
    });
    expect(receipt).toMatchObject({ scheduleId: `later-${i}`, duplicate: false });
    expected += i;
  }
  const again = await first.sendAfter(Add({ stream: 'later', n: 1 }), dueInMs, {
    scheduleId: 'later-1',
  });
  expect(again.duplicate).toBe(true);
  await first.publish(Remind({ id: 'r1', n: 100, afterMs: dueInMs }), { stream: 'reminders' });
  expected += 100;
  await first.waitForPerspectives();
  expect(await first.fireSchedules()).toBe(0); // nothing due yet
  await first.close();

  await new Promise((resolve) =>
    setTimeout(resolve, Math.max(0, now + dueInMs + 100 - Date.now())),
  );
  const a = await instance(open, 'sched-a', false, false, { pollMs: 20 });
  const b = await instance(open, 'sched-b', false, false, { pollMs: 20 });
  try {
    await eventually(async () => {
      await a.waitForPerspectives(undefined, 20_000);
      return (await a.lens(tally).get('all'))?.events === 6;
    });
    // more looks of both schedulers: nothing is sent again
    await a.fireSchedules();
    await b.fireSchedules();
    await expectOnce(a, 6, expected);
    expect(await a.fireSchedules()).toBe(0);
  } finally {
    await a.close();
    await b.close();
  }
  const c = await instance(open, 'sched-c', true, false, { pollMs: 20 });
  const d = await instance(open, 'sched-d', true, false, { pollMs: 20 });
  try {
    await settle([c, d]);
    const holders = [c, d].filter((app) => app.coordination!.held.includes('schedules'));
    expect(holders).toHaveLength(1);
    await d.sendAfter(Add({ stream: 'soon', n: 7 }), 0);
    await eventually(async () => {
      await c.waitForPerspectives(undefined, 20_000);
      return (await c.lens(tally).get('all'))?.events === 7;
    });
    await expectOnce(c, 7, expected + 7);
  } finally {
    await c.close();
    await d.close();
  }
}
