/**
 * Concurrent appends (what a driver's group commit must keep): started together, each append is
 * checked against its own expected version; a conflicting one, or one whose inline work throws,
 * fails alone and leaves nothing, while the others commit with their inline work; positions are
 * gapless, each append's events lie together, and the landed appends, taken in position order,
 * are a sequential history every expected version agrees with.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { accountEvent, range, streamId, withDriver } from '../helpers.ts';
import type {
  AppendOptions,
  AppendResult,
  ExpectedVersion,
  Ledger,
  PerspectiveStore,
} from '../whizbang.ts';
import { isConcurrencyError } from '../whizbang.ts';
import type { LedgerContext } from './context.ts';

const P = 'group_commit';

/** What one racing append asks for. */
interface Racer {
  readonly stream: number;
  /** 'right': the version its stream had before the race; 'wrong': one it can never have. */
  readonly expect: 'any' | 'right' | 'wrong' | 'no_stream' | 'stream_exists';
  readonly count: number;
  readonly inline: 'none' | 'put' | 'throw';
}

const racer: fc.Arbitrary<Racer> = fc.record({
  stream: fc.integer({ min: 0, max: 3 }),
  expect: fc.constantFrom('any', 'right', 'wrong', 'no_stream', 'stream_exists'),
  count: fc.integer({ min: 1, max: 3 }),
  inline: fc.constantFrom('none', 'none', 'put', 'throw'),
});

class Boom extends Error {}

/** Starts every append in the same turn of the event loop; a sync driver's throw is a rejection. */
function race(
  ledger: Ledger,
  streams: readonly string[],
  before: readonly number[],
  racers: readonly Racer[],
): Promise<PromiseSettledResult<AppendResult>[]> {
  return Promise.allSettled(
    racers.map(async (r, i) => {
      const expectedVersion: ExpectedVersion =
        r.expect === 'right'
          ? before[r.stream]!
          : r.expect === 'wrong'
            ? before[r.stream]! + 1000
            : r.expect;
      const inTransaction: AppendOptions['inTransaction'] =
        r.inline === 'none'
          ? undefined
          : r.inline === 'throw'
            ? () => {
                throw new Boom(`racer ${i}`);
              }
            : (recorded, tx) =>
                tx.put(P, {
                  id: `racer-${i}`,
                  tenant: 'default',
                  model: { racer: i },
                  version: recorded.at(-1)!.version,
                  position: recorded.at(-1)!.position,
                  updatedAt: 1_700_000_000_000,
                });
      const events = range(1, r.count).map(() => accountEvent('Raced', { metadata: { racer: i } }));
      return ledger.append(streams[r.stream]!, events, {
        expectedVersion,
        ...(inTransaction === undefined ? {} : { inTransaction }),
      });
    }),
  );
}

/** Checks a race's outcome against the rules above. */
async function check(
  ledger: Ledger,
  store: PerspectiveStore,
  streams: readonly string[],
  before: readonly number[],
  racers: readonly Racer[],
  results: readonly PromiseSettledResult<AppendResult>[],
): Promise<void> {
  const head = before.reduce((a, b) => a + b, 0);
  const landed: { i: number; result: AppendResult }[] = [];
  for (let i = 0; i < racers.length; i++) {
    const r = racers[i]!;
    const settled = results[i]!;
    if (settled.status === 'fulfilled') landed.push({ i, result: settled.value });
    else if (isConcurrencyError(settled.reason)) expect(r.expect).not.toBe('any');
    else {
      // its expected version held: its own inline work's error, nothing else
      expect(r.inline).toBe('throw');
      expect(settled.reason).toBeInstanceOf(Boom);
    }
    // an append that is refused by its own rules never lands; one that cannot conflict always does
    if (r.expect === 'wrong' || r.inline === 'throw') expect(settled.status).toBe('rejected');
    if (r.expect === 'any' && r.inline !== 'throw') expect(settled.status).toBe('fulfilled');
    const model = await store.get(P, 'default', `racer-${i}`);
    expect(model !== undefined).toBe(settled.status === 'fulfilled' && r.inline === 'put');
  }
  // in position order the landed appends are a history each expected version agrees with
  landed.sort((a, b) => a.result.position - b.result.position);
  const version = [...before];
  let position = head;
  for (const { i, result } of landed) {
    const r = racers[i]!;
    const was = version[r.stream]!;
    if (r.expect === 'right') expect(was).toBe(before[r.stream]);
    if (r.expect === 'no_stream') expect(was).toBe(0);
    if (r.expect === 'stream_exists') expect(was).toBeGreaterThan(0);
    expect(result.events.map((e) => e.position)).toEqual(range(position + 1, position + r.count));
    expect(result.events.map((e) => e.version)).toEqual(range(was + 1, was + r.count));
    version[r.stream] = was + r.count;
    position += r.count;
  }
  const all = await ledger.readAll({ from: head + 1 });
  expect(all.map((e) => e.position)).toEqual(range(head + 1, position));
  expect(all.map((e) => e.messageId)).toEqual(
    landed.flatMap(({ result }) => result.events.map((e) => e.messageId)),
  );
  for (let s = 0; s < streams.length; s++) {
    expect(await ledger.streamVersion(streams[s]!)).toBe(version[s]);
  }
  expect(await ledger.headPosition()).toBe(position);
}

/** Registers the tests of appends made at the same time. */
export function concurrentSuite({ driver, factory, options }: LedgerContext): void {
  describe('concurrent appends', () => {
    it('a conflict and a failing inline work fail alone; the others commit, gapless', async () => {
      const { ledger, store } = driver.current;
      const streams = range(0, 3).map(() => streamId());
      const before = [0, 0, 0, 0];
      const racers: Racer[] = range(0, options.racers - 1).map((i) => ({
        stream: i % 4,
        expect: i === 1 ? 'wrong' : 'any',
        count: 1 + (i % 2),
        inline: i === 2 ? 'throw' : i % 3 === 0 ? 'put' : 'none',
      }));
      const results = await race(ledger, streams, before, racers);
      expect(results.filter((r) => r.status === 'rejected')).toHaveLength(2);
      await check(ledger, store, streams, before, racers, results);
    });

    it('any mix of racing appends is a sequential history in position order', async () => {
      await fc.assert(
        fc.asyncProperty(
          fc.array(fc.integer({ min: 0, max: 2 }), { minLength: 4, maxLength: 4 }),
          fc.array(racer, { minLength: 2, maxLength: Math.max(2, options.racers * 2) }),
          (before, racers) =>
            withDriver(factory, async ({ ledger, store }) => {
              const streams = range(0, 3).map(() => streamId());
              for (let s = 0; s < 4; s++) {
                if (before[s]! > 0) {
                  const events = range(1, before[s]!).map(() => accountEvent('Before'));
                  await ledger.append(streams[s]!, events);
                }
              }
              const results = await race(ledger, streams, before, racers);
              await check(ledger, store, streams, before, racers, results);
            }),
        ),
        { numRuns: Math.max(5, Math.floor(options.numRuns / 3)) },
      );
    });
  });
}
