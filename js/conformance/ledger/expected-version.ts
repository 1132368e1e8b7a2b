/** Optimistic concurrency: every expectedVersion form, invalid forms, and racing writers. */
import { describe, expect, it } from 'vitest';
import { accountEvent, accountEvents, caught, range, streamId } from '../helpers.ts';
import type { AppendResult, ExpectedVersion } from '../whizbang.ts';
import { isConcurrencyError, isWhizbangError } from '../whizbang.ts';
import type { LedgerContext } from './context.ts';

function expectConflict(
  error: unknown,
  stream: string,
  expected: ExpectedVersion,
  actual: number,
): void {
  expect(isConcurrencyError(error)).toBe(true);
  expect(error).toMatchObject({
    name: 'ConcurrencyError',
    code: 'CONCURRENCY_CONFLICT',
    streamId: stream,
    expected,
    actual,
  });
}

/** Starts `count` appends at once; sync drivers' throws become rejections. */
function race(
  count: number,
  attempt: (i: number) => AppendResult | Promise<AppendResult>,
): Promise<PromiseSettledResult<AppendResult>[]> {
  return Promise.allSettled(range(0, count - 1).map(async (i) => attempt(i)));
}

/** Registers the expected-version tests, alone and with writers racing. */
export function expectedVersionSuite({ driver, options }: LedgerContext): void {
  describe('expectedVersion', () => {
    it('a number is the version the stream must be at; 0 means a new stream', async () => {
      const { ledger } = driver.current;
      const stream = streamId();
      await ledger.append(stream, accountEvents(2), { expectedVersion: 0 });
      await ledger.append(stream, accountEvents(1), { expectedVersion: 2 });
      expectConflict(
        await caught(() => ledger.append(stream, [accountEvent()], { expectedVersion: 0 })),
        stream,
        0,
        3,
      );
      expectConflict(
        await caught(() => ledger.append(stream, [accountEvent()], { expectedVersion: 2 })),
        stream,
        2,
        3,
      );
      expectConflict(
        await caught(() => ledger.append(stream, [accountEvent()], { expectedVersion: 4 })),
        stream,
        4,
        3,
      );
      expect(await ledger.streamVersion(stream)).toBe(3);
      expect(await ledger.headPosition()).toBe(3);
    });

    it("'any', and no expectedVersion at all, append whatever the version", async () => {
      const { ledger } = driver.current;
      const stream = streamId();
      await ledger.append(stream, accountEvents(1), { expectedVersion: 'any' });
      await ledger.append(stream, accountEvents(1), { expectedVersion: 'any' });
      await ledger.append(stream, accountEvents(1));
      await ledger.append(stream, accountEvents(1), {});
      expect(await ledger.streamVersion(stream)).toBe(4);
    });

    it("'no_stream' appends only to a stream without events", async () => {
      const { ledger } = driver.current;
      const stream = streamId();
      await ledger.append(stream, accountEvents(2), { expectedVersion: 'no_stream' });
      expectConflict(
        await caught(() =>
          ledger.append(stream, [accountEvent()], { expectedVersion: 'no_stream' }),
        ),
        stream,
        'no_stream',
        2,
      );
      expect(await ledger.streamVersion(stream)).toBe(2);
    });

    it("'stream_exists' appends only to a stream with events", async () => {
      const { ledger } = driver.current;
      const stream = streamId();
      expectConflict(
        await caught(() =>
          ledger.append(stream, [accountEvent()], { expectedVersion: 'stream_exists' }),
        ),
        stream,
        'stream_exists',
        0,
      );
      expect(await ledger.headPosition()).toBe(0);
      await ledger.append(stream, accountEvents(1));
      await ledger.append(stream, accountEvents(1), { expectedVersion: 'stream_exists' });
      expect(await ledger.streamVersion(stream)).toBe(2);
    });

    it('a conflict writes nothing, and the next append continues without a gap', async () => {
      const { ledger } = driver.current;
      const stream = streamId();
      await ledger.append(stream, accountEvents(2));
      const before = await ledger.readAll();
      await caught(() => ledger.append(stream, accountEvents(3), { expectedVersion: 1 }));
      await caught(() => ledger.append(streamId(), accountEvents(3), { expectedVersion: 5 }));
      expect(await ledger.readAll()).toEqual(before);
      expect(await ledger.headPosition()).toBe(2);
      const next = await ledger.append(stream, accountEvents(1), { expectedVersion: 2 });
      expect(next).toMatchObject({ version: 3, position: 3 });
      expect(next.events.map((e) => [e.version, e.position])).toEqual([[3, 3]]);
    });

    it('zero events still check the expected version', async () => {
      const { ledger } = driver.current;
      const stream = streamId();
      expectConflict(
        await caught(() => ledger.append(stream, [], { expectedVersion: 3 })),
        stream,
        3,
        0,
      );
      expectConflict(
        await caught(() => ledger.append(stream, [], { expectedVersion: 'stream_exists' })),
        stream,
        'stream_exists',
        0,
      );
      expect(await ledger.append(stream, [], { expectedVersion: 0 })).toMatchObject({
        version: 0,
      });
    });

    it('expected versions are checked within the tenant', async () => {
      const { ledger } = driver.current;
      const stream = streamId();
      await ledger.append(stream, accountEvents(3), { tenant: 'acme' });
      await ledger.append(stream, accountEvents(1), { tenant: 'globex', expectedVersion: 0 });
      await ledger.append(stream, accountEvents(1), { expectedVersion: 'no_stream' });
      await ledger.append(stream, accountEvents(1), { tenant: 'acme', expectedVersion: 3 });
      expectConflict(
        await caught(() =>
          ledger.append(stream, [accountEvent()], { tenant: 'globex', expectedVersion: 3 }),
        ),
        stream,
        3,
        1,
      );
    });

    it('rejects an invalid expectedVersion with INVALID_ARGUMENT and writes nothing', async () => {
      const { ledger } = driver.current;
      const stream = streamId();
      await ledger.append(stream, accountEvents(1));
      const invalid: unknown[] = [-1, 1.5, Number.NaN, Number.POSITIVE_INFINITY, 'latest', '1'];
      for (const expectedVersion of invalid) {
        const error = await caught(() =>
          ledger.append(stream, [accountEvent()], {
            expectedVersion: expectedVersion as ExpectedVersion,
          }),
        );
        expect(isWhizbangError(error, 'INVALID_ARGUMENT')).toBe(true);
        expect(isConcurrencyError(error)).toBe(false);
      }
      expect(await ledger.headPosition()).toBe(1);
    });
    it('rejects a null expectedVersion instead of skipping the check', async () => {
      const { ledger } = driver.current;
      const stream = streamId();
      await ledger.append(stream, accountEvents(1));
      const error = await caught(() =>
        ledger.append(stream, [accountEvent()], { expectedVersion: null as never }),
      );
      expect(isWhizbangError(error, 'INVALID_ARGUMENT')).toBe(true);
      expect(await ledger.streamVersion(stream)).toBe(1);
    });
  });

  describe('racing writers', () => {
    it('with one expected version, exactly one append wins each round', async () => {
      const { ledger } = driver.current;
      const stream = streamId();
      const winners: number[] = [];
      for (let round = 0; round < 5; round++) {
        const results = await race(options.racers, (i) =>
          ledger.append(stream, [accountEvent('Raced', { metadata: { racer: i } })], {
            expectedVersion: round,
          }),
        );
        const won = results.flatMap((r, i) => (r.status === 'fulfilled' ? [i] : []));
        expect(won).toHaveLength(1);
        winners.push(won[0]!);
        for (const r of results) {
          if (r.status === 'fulfilled') {
            expect(r.value.version).toBe(round + 1);
            continue;
          }
          expect(isConcurrencyError(r.reason)).toBe(true);
          expect(r.reason).toMatchObject({ streamId: stream, expected: round });
          expect(r.reason.actual).toBeGreaterThan(round);
        }
      }
      const events = await ledger.readStream(stream);
      expect(events.map((e) => e.version)).toEqual([1, 2, 3, 4, 5]);
      expect(events.map((e) => e.metadata?.racer)).toEqual(winners);
      expect((await ledger.readAll()).map((e) => e.position)).toEqual([1, 2, 3, 4, 5]);
    });

    it("with 'no_stream', exactly one append creates the stream", async () => {
      const { ledger } = driver.current;
      const stream = streamId();
      const results = await race(options.racers, () =>
        ledger.append(stream, accountEvents(2), { expectedVersion: 'no_stream' }),
      );
      expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
      for (const r of results) {
        if (r.status === 'rejected') expect(isConcurrencyError(r.reason)).toBe(true);
      }
      expect(await ledger.streamVersion(stream)).toBe(2);
      expect(await ledger.headPosition()).toBe(2);
    });

    it("with 'any', every append lands and keeps its events together", async () => {
      const { ledger } = driver.current;
      const stream = streamId();
      const results = await race(options.racers, (i) =>
        ledger.append(stream, [
          accountEvent('First', { metadata: { racer: i } }),
          accountEvent('Second', { metadata: { racer: i } }),
        ]),
      );
      expect(results.every((r) => r.status === 'fulfilled')).toBe(true);
      const events = await ledger.readStream(stream);
      expect(events.map((e) => e.version)).toEqual(range(1, 2 * options.racers));
      expect(events.map((e) => e.position)).toEqual(range(1, 2 * options.racers));
      for (let i = 0; i < events.length; i += 2) {
        expect([events[i]?.type, events[i + 1]?.type]).toEqual(['First', 'Second']);
        expect(events[i]?.metadata?.racer).toBe(events[i + 1]?.metadata?.racer);
      }
      const racers = new Set(events.map((e) => e.metadata?.racer));
      expect(racers.size).toBe(options.racers);
    });

    it('appends to different streams all land, with unique gapless positions', async () => {
      const { ledger } = driver.current;
      const streams = range(1, options.racers).map(() => streamId());
      const results = await race(options.racers, (i) =>
        ledger.append(streams[i]!, accountEvents(3), { expectedVersion: 'no_stream' }),
      );
      expect(results.every((r) => r.status === 'fulfilled')).toBe(true);
      const all = await ledger.readAll();
      expect(all.map((e) => e.position)).toEqual(range(1, 3 * options.racers));
      for (const stream of streams) {
        expect((await ledger.readStream(stream)).map((e) => e.version)).toEqual([1, 2, 3]);
      }
    });
  });
}
