/**
 * The JetStream ledger's concurrency control is exact under pipelining: an append is accepted only
 * on the state its expectation names. Cause 1 of the sync chaos findings, reproduced in a few
 * lines, and a seeded stress of three connections pipelining to shared streams.
 */
import { jetstreamManager } from '@nats-io/jetstream';
import { afterAll, describe, expect, it } from 'vitest';
import { type JetStreamLedger, jetstreamLedger } from '../../adapters/nats/node.ts';
import type { NewEvent, RecordedEvent } from '../../js/contracts/ledger.ts';
import { isWhizbangError } from '../../js/util/errors.ts';
import { random } from '../support/random.ts';
import { NATS_URL, natsReachable } from '../support/services.ts';

const up = await natsReachable('NATS JetStream ledger (exact concurrency)');
const run = `${process.pid}_${Date.now().toString(36)}`;
let made = 0;
const cleanup: Array<() => Promise<void>> = [];
afterAll(async () => {
  for (const c of cleanup) await c();
});

/** `count` ledgers (one connection each, as separate processes) on one fresh stream. */
async function ledgers(count: number): Promise<JetStreamLedger[]> {
  const n = made++;
  const stream = `WB_EXACT_${run}_${n}`;
  const options = { servers: NATS_URL, stream, prefix: `wbx.${run}.${n}` };
  const out: JetStreamLedger[] = [];
  for (let i = 0; i < count; i++) out.push(await jetstreamLedger(options));
  cleanup.push(async () => {
    const jsm = await jetstreamManager(out[0]!.connection as never);
    await jsm.streams.delete(stream).catch(() => undefined);
    for (const l of out) await l.close();
  });
  return out;
}

const ev = (data: unknown): NewEvent => ({ type: 'Happened', data });

function settle<T>(p: Promise<T>): Promise<{ ok: true; value: T } | { ok: false; error: unknown }> {
  return p.then(
    (value) => ({ ok: true as const, value }),
    (error: unknown) => ({ ok: false as const, error }),
  );
}

/** Positions 1..n once each; each stream's versions 1..n once each. */
function wellFormed(all: readonly RecordedEvent[]): void {
  expect(all.map((e) => e.position)).toEqual(all.map((_, i) => i + 1));
  const versions = new Map<string, number[]>();
  for (const e of all) {
    const list = versions.get(e.streamId) ?? [];
    list.push(e.version);
    versions.set(e.streamId, list);
  }
  for (const list of versions.values()) expect(list).toEqual(list.map((_, i) => i + 1));
}

describe.skipIf(!up)('JetStream ledger: exact concurrency under pipelining', () => {
  it('a pipelined append that expects the version of an earlier refused one is refused too (never accepted on another writer’s commit)', async () => {
    const [a, b] = await ledgers(2);
    await a!.append('acct', [ev('opened')], { expectedVersion: 0 });
    // b moves the stream (three events) while a still predicts version 1
    await b!.append('acct', [ev('b1'), ev('b2'), ev('b3')], { expectedVersion: 1 });
    // a pipelines two appends: the second is decided on the first
    const first = settle(a!.append('acct', [ev('a1')], { expectedVersion: 1 }));
    const second = settle(a!.append('acct', [ev('a2')], { expectedVersion: 2 }));
    const [r1, r2] = await Promise.all([first, second]);
    expect(r1.ok).toBe(false);
    expect(r2.ok).toBe(false);
    expect(!r2.ok && isWhizbangError(r2.error, 'CONCURRENCY_CONFLICT')).toBe(true);
    const all = await b!.readAll();
    expect(all.map((e) => e.data)).toEqual(['opened', 'b1', 'b2', 'b3']);
    wellFormed(all);
  });

  it('a pipelined append to another stream is not given positions another writer holds (the position guard is exact)', async () => {
    const [a, b] = await ledgers(2);
    await a!.append('s1', [ev('x')]);
    await a!.append('s3', [ev('y')]); // a knows both streams' tails: no read delays its publishes
    await b!.append('s2', [ev('w1'), ev('w2'), ev('w3')]);
    const [r1, r2] = await Promise.all([
      settle(a!.append('s1', [ev('a1')])),
      settle(a!.append('s3', [ev('a3')])),
    ]);
    expect(r1.ok && r2.ok).toBe(true);
    const all = await b!.readAll();
    wellFormed(all);
    const byData = new Map(all.map((e) => [e.data, e]));
    if (r1.ok) expect(byData.get('a1')?.position).toBe(r1.value.position);
    if (r2.ok) expect(byData.get('a3')?.position).toBe(r2.value.position);
  });

  it('three connections pipelining to shared streams: every answer matches the log, positions and versions without gap or double, each accepted append decided on its predecessor (seeded)', async () => {
    const seeds = Number(process.env.LEDGER_STRESS_SEEDS ?? 3);
    for (let seed = 1; seed <= seeds; seed++) await stress(seed, 120);
  });
});

async function stress(seed: number, appendsEach: number): Promise<void> {
  const writers = await ledgers(3);
  const rnd = random(seed);
  const streams = ['s0', 's1', 's2'];
  type Sent = {
    writer: number;
    stream: string;
    expected: number | 'any';
    tag: string;
    after: string | undefined;
    result: Promise<
      { ok: true; value: { position: number; version: number } } | { ok: false; error: unknown }
    >;
  };
  const sent: Sent[] = [];
  await Promise.all(
    writers.map(async (ledger, w) => {
      // what this writer believes each stream holds: its version and the tag of its last event
      const known = new Map<string, { version: number; tag: string | undefined }>();
      let i = 0;
      while (i < appendsEach) {
        const burst = 1 + Math.floor(rnd() * 6);
        const inFlight: Sent[] = [];
        for (let k = 0; k < burst && i < appendsEach; k++, i++) {
          const stream = streams[Math.floor(rnd() * streams.length)]!;
          const numbered = rnd() < 0.7;
          const state = known.get(stream) ?? { version: 0, tag: undefined };
          const count = 1 + Math.floor(rnd() * 3);
          const tag = `${w}.${i}`;
          const events = Array.from({ length: count }, (_, j) => ev({ tag, j }));
          const expected = numbered ? state.version : ('any' as const);
          const result = settle(ledger.append(stream, events, { expectedVersion: expected }));
          const s: Sent = { writer: w, stream, expected, tag, after: state.tag, result };
          sent.push(s);
          inFlight.push(s);
          known.set(stream, { version: state.version + count, tag });
        }
        const answers = await Promise.all(inFlight.map((s) => s.result));
        if (answers.some((r) => !r.ok)) {
          for (const stream of streams) {
            const events = await ledger.readStream(stream);
            const last = events[events.length - 1];
            known.set(stream, {
              version: events.length,
              tag: (last?.data as { tag?: string } | undefined)?.tag,
            });
          }
        }
      }
    }),
  );
  const all = await writers[0]!.readAll();
  wellFormed(all);
  const byTag = new Map<string, RecordedEvent[]>();
  for (const e of all) {
    const tag = (e.data as { tag: string }).tag;
    byTag.set(tag, [...(byTag.get(tag) ?? []), e]);
  }
  let accepted = 0;
  for (const s of sent) {
    const r = await s.result;
    const events = byTag.get(s.tag);
    if (!r.ok) {
      expect(isWhizbangError(r.error), `seed ${seed}: ${String(r.error)}`).toBe(true);
      expect(events, `seed ${seed}: refused ${s.tag} is in the log`).toBeUndefined();
      continue;
    }
    accepted++;
    expect(events, `seed ${seed}: accepted ${s.tag} is not in the log`).toBeDefined();
    const last = events![events!.length - 1]!;
    expect(last.position).toBe(r.value.position);
    expect(last.version).toBe(r.value.version);
    if (typeof s.expected === 'number') {
      expect(events![0]!.version).toBe(s.expected + 1);
      // decided on what the writer believed came before: that commit, not another writer's
      const before = all.find((e) => e.streamId === s.stream && e.version === s.expected);
      expect((before?.data as { tag?: string } | undefined)?.tag, `seed ${seed}: ${s.tag}`).toBe(
        s.after,
      );
    }
  }
  expect(accepted).toBeGreaterThan(0);
}
