/**
 * Segment files streamed: a ledger exported as a web stream and imported from one (read once:
 * checked into a stage, then appended) or from a function that opens it again (read twice), into
 * SQLite; a file damaged midway or cut short writes nothing either way; a stream is cancelled at
 * the first bad segment; and the decoders fuzzed with random chunk boundaries — the same verdict
 * and offset as the whole buffer.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { afterAll, describe, expect, it } from 'vitest';
import { sqliteDriver } from '../../adapters/sqlite/mod.ts';
import { memoryLedger } from '../../js/memory/ledger.ts';
import { isCorruptDataError, isWhizbangError } from '../../js/util/errors.ts';
import { jsCore } from '../../js/wasm/core.ts';
import { exportLedger, verifySegmentFile } from '../../js/wasm/ledger-file.ts';
import { importLedger } from '../../js/wasm/ledger-import.ts';
import { exportLedgerStream } from '../../js/wasm/ledger-stream.ts';
import { memoryStage, type SegmentStage } from '../../js/wasm/segment-stage.ts';
import { verifySegmentStream } from '../../js/wasm/stream-files.ts';
import { mutateSegment, rng } from '../support/segments.ts';
import { loadWasmCore } from '../support/wasm.ts';

const wasm = await loadWasmCore();
const dir = mkdtempSync(join(tmpdir(), 'segimport-stream-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** `count` events over 7 streams and two tenants, some with metadata. */
function source(count = 250): ReturnType<typeof memoryLedger> {
  const ledger = memoryLedger({ core: wasm });
  for (let i = 0; i < count; i++)
    ledger.append(
      `account-${i % 7}`,
      [
        {
          type: i % 4 === 0 ? 'Opened' : 'Deposited',
          data: { amount: i, note: 'ünïcode ✓' },
          timestamp: 1_700_000_000_000 + i,
          ...(i % 5 === 0 ? { metadata: { by: `user-${i}` } } : {}),
        },
      ],
      { tenant: i % 2 === 0 ? 'acme' : 'default' },
    );
  return ledger;
}

/** `bytes` cut at the given offsets (sorted, may repeat: empty chunks). */
function cut(bytes: Uint8Array, at: readonly number[]): Uint8Array[] {
  const points = [0, ...[...at].sort((a, b) => a - b), bytes.length];
  return points.slice(1).map((end, i) => bytes.slice(points[i], end));
}

/** A web stream of `chunks`, counting pulls and noting a cancel. */
function webStream(chunks: readonly Uint8Array[]) {
  const seen = { pulls: 0, cancelled: false };
  let i = 0;
  const stream = new ReadableStream<Uint8Array>({
    pull: (c) => {
      seen.pulls++;
      if (i < chunks.length) c.enqueue(chunks[i++]!);
      else c.close();
    },
    cancel: () => {
      seen.cancelled = true;
    },
  });
  return { stream, seen };
}

/** A memory stage that says what it was asked to do. */
function watchedStage(): SegmentStage & { log: string[] } {
  const inner = memoryStage();
  const log: string[] = [];
  return {
    log,
    write: (s) => {
      log.push(`write ${s.length}`);
      return inner.write(s);
    },
    read: () => {
      log.push('read');
      return inner.read();
    },
    drop: () => {
      log.push('drop');
      return inner.drop();
    },
  };
}

async function collect(stream: ReadableStream<Uint8Array>): Promise<Uint8Array> {
  return new Uint8Array(await new Response(stream).arrayBuffer());
}

describe('segment files as streams', () => {
  it('exports as a web stream, the same bytes as exportLedger, verified chunk by chunk', async () => {
    const from = source();
    const bytes = await exportLedger(from, { segmentEvents: 64 });
    const streamed = await collect(
      exportLedgerStream(from, { segmentEvents: 64 }) as ReadableStream<Uint8Array>,
    );
    expect(streamed).toEqual(bytes);
    const chunks = cut(bytes, [1, 19, 20, 21, 500, 500, 4000]);
    for (const core of [wasm, jsCore])
      expect(await verifySegmentStream(webStream(chunks).stream, { core })).toEqual(
        verifySegmentFile(bytes),
      );
  });

  it('imports into SQLite from a stream read once, from a function read twice, from a Node stream', async () => {
    const from = source();
    const bytes = await exportLedger(from, { segmentEvents: 50 });
    const sources = {
      web: () => exportLedgerStream(from, { segmentEvents: 50 }),
      node: () => Readable.from(cut(bytes, [3, 1000, 1001, 7000])),
    };
    for (const [name, open] of Object.entries(sources))
      for (const reread of [false, true]) {
        const driver = sqliteDriver({ path: join(dir, `${name}-${reread}.db`) });
        try {
          const stage = watchedStage();
          const checked: number[] = [];
          const result = await importLedger(reread ? open : open(), driver.ledger, {
            stage,
            batch: 40,
            onChecked: (n) => checked.push(n),
          });
          expect(result).toEqual({ events: 250, head: 250 });
          expect(checked).toEqual([250]);
          expect(await driver.ledger.readAll()).toEqual(from.readAll());
          // a source read once goes through the stage, and the stage is dropped
          expect(stage.log.filter((l) => !l.startsWith('write'))).toEqual(
            reread ? [] : ['read', 'drop'],
          );
          expect(stage.log.filter((l) => l.startsWith('write'))).toHaveLength(reread ? 0 : 5);
        } finally {
          driver.close();
        }
      }
  });

  it('a file damaged midway or cut short writes nothing, read once or twice', async () => {
    const bytes = await exportLedger(source(), { segmentEvents: 50 });
    const damaged = bytes.slice();
    const at = Math.floor(bytes.length * 0.7);
    damaged[at] = damaged[at]! ^ 0x20;
    const truncated = bytes.subarray(0, bytes.length - 5);
    for (const [bad, want] of [
      [damaged, /bad-(checksum|length|hash|utf8)/],
      [truncated, /truncated/],
    ] as const) {
      const whole = await importLedger(bad, memoryLedger()).catch((e: unknown) => e);
      expect(isCorruptDataError(whole)).toBe(true);
      expect(String(whole)).toMatch(want);
      const chunks = cut(bad, [100, 2048, 2049, 9000]);
      // read once: the stage took the sound segments before the bad one, then was dropped
      const target = sqliteDriver({ path: join(dir, `bad-${bad.length}.db`) });
      try {
        const stage = watchedStage();
        const once = await importLedger(webStream(chunks).stream, target.ledger, {
          stage,
        }).catch((e: unknown) => e);
        expect(String(once)).toBe(String(whole));
        expect(stage.log.filter((l) => l.startsWith('write')).length).toBeGreaterThan(0);
        expect(stage.log.at(-1)).toBe('drop');
        expect(stage.log).not.toContain('read');
        // read twice: the second pass never opens the file
        let opened = 0;
        const twice = await importLedger(() => {
          opened++;
          return Readable.from(chunks);
        }, target.ledger).catch((e: unknown) => e);
        expect(String(twice)).toBe(String(whole));
        expect(opened).toBe(1);
        expect(await target.ledger.headPosition()).toBe(0);
      } finally {
        target.close();
      }
    }
  });

  it('stops reading a web stream at the first bad segment, and cancels it', async () => {
    const bytes = await exportLedger(source(), { segmentEvents: 10 });
    const damaged = bytes.slice();
    damaged[30] = damaged[30]! ^ 1;
    // chunks of 200 bytes: the first segment (10 events) is in the first dozen
    const points = Array.from(
      { length: Math.floor(damaged.length / 200) },
      (_, i) => 200 * (i + 1),
    );
    const { stream, seen } = webStream(cut(damaged, points));
    await expect(verifySegmentStream(stream)).rejects.toThrow(/Corrupt data at byte 30/);
    expect(seen.cancelled).toBe(true);
    expect(points.length).toBeGreaterThan(50);
    expect(seen.pulls).toBeLessThan(20);
  });

  it('refuses a file that changed between its check and its import', async () => {
    const a = await exportLedger(source(), { segmentEvents: 50 });
    // the same events, cut into other segments: sound bytes, but not the ones checked
    const b = await exportLedger(source(), { segmentEvents: 25 });
    const files = [a, b];
    const target = memoryLedger();
    const error = await importLedger(() => files.shift()!, target, { batch: 1000 }).catch(
      (e: unknown) => e,
    );
    expect(isWhizbangError(error, 'INVALID_ARGUMENT')).toBe(true);
    expect(String(error)).toContain('changed between its check and its import (segment 1 is not');
    expect(target.headPosition()).toBe(0);
  });

  it('fuzz: split at random points, a damaged export gets the whole buffer’s verdict', async () => {
    const seeds = [
      await exportLedger(source(), { to: 3 }),
      await exportLedger(source(), { to: 40, segmentEvents: 16 }),
    ];
    const next = rng(0x5e9);
    const seen = new Set<string>();
    const verdict = async (run: () => Promise<unknown>, head: () => number): Promise<string> => {
      try {
        const out = (await run()) as { events: number };
        expect(head()).toBe(out.events);
        return `ok ${out.events}`;
      } catch (error) {
        if (!isWhizbangError(error)) throw error;
        expect(head()).toBe(0);
        return isCorruptDataError(error) ? `corrupt at ${error.offset}` : `refused ${error.code}`;
      }
    };
    for (let i = 0; i < 400; i++) {
      const bytes = mutateSegment(seeds, next, (b, dv, pick) => {
        // a sound header that claims a body far past the end (or the core's cap)
        if (pick === 3 && b.length >= 20) {
          dv.setUint32(12, [0xfffffff0, 0x40000000, b.length][next() % 3]!, true);
          dv.setUint32(16, crc(b.subarray(0, 16)), true);
        } else b[next() % b.length] = next() & 0xff;
        return undefined;
      });
      const points = Array.from({ length: next() % 12 }, () => next() % (bytes.length + 1));
      const chunks = cut(bytes, points);
      const core = i % 2 === 0 ? wasm : jsCore;
      const whole = memoryLedger();
      const expected = await verdict(
        () => importLedger(bytes, whole, { core }),
        () => whole.headPosition(),
      );
      const once = memoryLedger();
      expect(
        await verdict(
          () => importLedger(webStream(chunks).stream, once, { core }),
          () => once.headPosition(),
        ),
      ).toBe(expected);
      const twice = memoryLedger();
      expect(
        await verdict(
          () => importLedger(() => Readable.from(chunks), twice, { core }),
          () => twice.headPosition(),
        ),
      ).toBe(expected);
      let file: string;
      try {
        file = JSON.stringify(verifySegmentFile(bytes, { core }));
      } catch (error) {
        file = String(error);
      }
      let streamed: string;
      try {
        streamed = JSON.stringify(await verifySegmentStream(Readable.from(chunks), { core }));
      } catch (error) {
        streamed = String(error);
      }
      expect(streamed).toBe(file);
      seen.add(expected.split(' ')[0]!);
    }
    expect([...seen].sort()).toEqual(['corrupt', 'ok']);
  });
});

/** CRC32C, for resealing a header in the fuzz. */
function crc(bytes: Uint8Array): number {
  let c = 0xffffffff;
  for (const b of bytes) {
    c ^= b;
    for (let k = 0; k < 8; k++) c = c & 1 ? (c >>> 1) ^ 0x82f63b78 : c >>> 1;
  }
  return (c ^ 0xffffffff) >>> 0;
}
