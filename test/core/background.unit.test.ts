/**
 * Background work never crashes the process and never stops silently: an async perspective that
 * cannot start is reported (onError, observers), never an unhandled rejection; a poison event is
 * retried with backoff, then parked with a report (the perspective goes on) or stops it.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { caught } from '../../js/conformance/helpers.ts';
import {
  type BackgroundFailure,
  type Driver,
  defineCommand,
  defineEvent,
  definePerspective,
  defineReceptor,
  isWhizbangError,
  memoryDriver,
  payload,
  whizbang,
} from '../../js/mod.ts';

const Add = defineCommand('Add', payload<{ n: number }>());
const Added = defineEvent('Added', payload<{ n: number }>());
const add = defineReceptor({ command: Add, stream: () => 'sum', handle: (c) => Added(c.data) });
const sum = definePerspective({
  name: 'sum',
  mode: 'async',
  events: [Added],
  initial: () => ({ total: 0 }),
  apply: (m, e) => {
    if (e.data.n === 13) throw new Error('unlucky');
    return { total: m.total + e.data.n };
  },
});

let unhandled: unknown[] = [];
const onUnhandled = (reason: unknown) => unhandled.push(reason);
beforeEach(() => {
  unhandled = [];
  process.on('unhandledRejection', onUnhandled);
});
afterEach(() => {
  process.off('unhandledRejection', onUnhandled);
});

describe('background work', () => {
  it('an async perspective that cannot start is reported, never an unhandled rejection', async () => {
    const inner = memoryDriver();
    const broken = new Error('checkpoint table gone');
    const driver: Driver = {
      ...inner,
      store: { ...inner.store, checkpoint: () => Promise.reject(broken) },
    };
    const reported: BackgroundFailure[] = [];
    const seen: BackgroundFailure[] = [];
    const app = whizbang('bg')
      .receptor(add)
      .perspective(sum)
      .build({
        driver,
        onError: (f) => reported.push(f),
        observers: [{ onBackgroundError: (f) => seen.push(f) }],
      });
    try {
      await app.send(Add({ n: 1 }));
      expect(await caught(() => app.waitForPerspectives(undefined, 1_000))).toBe(broken);
      expect(reported).toMatchObject([
        { source: 'perspective', name: 'sum', outcome: 'stopped', error: broken },
      ]);
      expect(seen).toEqual(reported);
      await new Promise((resolve) => setTimeout(resolve, 10));
      expect(unhandled).toEqual([]);
    } finally {
      await app.close();
    }
  });

  it('parks a poison event after its retries, with a report, and goes on', async () => {
    const reported: BackgroundFailure[] = [];
    const app = whizbang('bg')
      .receptor(add)
      .perspective(sum)
      .build({
        onError: (f) => reported.push(f),
        poisonEvents: { retries: 2, backoffMs: 1, afterRetries: 'park' },
      });
    try {
      for (const n of [1, 13, 2]) await app.send(Add({ n }));
      await app.waitForPerspectives(undefined, 2_000);
      expect(await app.lens(sum).get('sum')).toEqual({ total: 3 });
      expect(reported.map((f) => f.outcome)).toEqual(['retrying', 'retrying', 'parked']);
      expect(reported[2]?.event).toMatchObject({ type: 'Added', data: { n: 13 }, position: 2 });
      expect(isWhizbangError(reported[2]?.error, 'HANDLER_FAILED')).toBe(true);
      await app.send(Add({ n: 4 }));
      await app.waitForPerspectives(undefined, 2_000);
      expect(await app.lens(sum).get('sum')).toEqual({ total: 7 });
    } finally {
      await app.close();
    }
    expect(unhandled).toEqual([]);
  });

  it('stops on a poison event by default, reporting it, and waitForPerspectives says why', async () => {
    const reported: BackgroundFailure[] = [];
    const app = whizbang('bg')
      .receptor(add)
      .perspective(sum)
      .build({ onError: (f) => reported.push(f), poisonEvents: { retries: 1, backoffMs: 1 } });
    try {
      for (const n of [1, 13, 2]) await app.send(Add({ n }));
      const error = await caught(() => app.waitForPerspectives(undefined, 2_000));
      expect(isWhizbangError(error, 'HANDLER_FAILED')).toBe(true);
      expect(reported.map((f) => f.outcome)).toEqual(['retrying', 'stopped']);
      expect(await app.lens(sum).get('sum')).toEqual({ total: 1 });
    } finally {
      await app.close();
    }
    expect(unhandled).toEqual([]);
  });
});
