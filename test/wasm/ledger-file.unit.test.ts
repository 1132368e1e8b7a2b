/**
 * A ledger as a segment file: exported from one driver (memory), imported into another (SQLite,
 * a real file) with every event's identity, time and metadata kept; checked whole by the core
 * before anything is written (damaged bytes → CORRUPT_DATA with the offset, a file that does not
 * go on from the ledger → INVALID_ARGUMENT, nothing appended either way); and the import path
 * fuzzed with damaged exports.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { sqliteDriver } from '../../adapters/sqlite/mod.ts';
import { memoryLedger } from '../../js/memory/ledger.ts';
import { isCorruptDataError, isWhizbangError } from '../../js/util/errors.ts';
import { jsCore } from '../../js/wasm/core.ts';
import { exportLedger, exportSegments, verifySegmentFile } from '../../js/wasm/ledger-file.ts';
import { importLedger } from '../../js/wasm/ledger-import.ts';
import { mutateSegment, rng } from '../support/segments.ts';
import { loadWasmCore } from '../support/wasm.ts';

const wasm = await loadWasmCore();
const dir = mkdtempSync(join(tmpdir(), 'ledger-file-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** 250 events over 7 streams and two tenants, some with metadata, appended 1–3 at a time. */
function source(): ReturnType<typeof memoryLedger> {
  const ledger = memoryLedger({ core: wasm });
  for (let i = 0; i < 250; ) {
    const n = 1 + (i % 3);
    ledger.append(
      `account-${i % 7}`,
      Array.from({ length: n }, (_, k) => ({
        type: (i + k) % 4 === 0 ? 'Opened' : 'Deposited',
        data: { amount: i + k, note: 'ünïcode ✓' },
        timestamp: 1_700_000_000_000 + i + k,
        ...((i + k) % 5 === 0 ? { metadata: { by: `user-${i}` } } : {}),
      })),
      { tenant: i % 2 === 0 ? 'acme' : 'default' },
    );
    i += n;
  }
  return ledger;
}

describe('a ledger as a segment file', () => {
  it('exports from the memory driver and imports into SQLite, every field kept', async () => {
    const from = source();
    const bytes = await exportLedger(from, { core: wasm, segmentEvents: 64 });
    expect(verifySegmentFile(bytes, { core: wasm })).toEqual({
      segments: 4,
      events: 250,
      bytes: bytes.length,
      firstPosition: 1,
      lastPosition: 250,
    });
    // both cores agree on every byte
    expect(verifySegmentFile(bytes, { core: jsCore })).toEqual(verifySegmentFile(bytes));
    const driver = sqliteDriver({ path: join(dir, 'copy.db') });
    try {
      expect(await importLedger(bytes, driver.ledger, { core: wasm, batch: 100 })).toEqual({
        events: 250,
        head: 250,
      });
      expect(await driver.ledger.readAll()).toEqual(from.readAll());
      // the copy exports to the same bytes
      expect(await exportLedger(driver.ledger, { segmentEvents: 64 })).toEqual(bytes);
    } finally {
      driver.close();
    }
  });

  it('exports a range as segments, one per page', async () => {
    const parts: Uint8Array[] = [];
    for await (const s of exportSegments(source(), { from: 11, to: 40, segmentEvents: 10 }))
      parts.push(s);
    expect(parts.map((p) => verifySegmentFile(p).firstPosition)).toEqual([11, 21, 31]);
  });

  it('refuses damaged bytes with CORRUPT_DATA and the offset, appending nothing', async () => {
    const bytes = await exportLedger(source(), { segmentEvents: 100 });
    const damaged = bytes.slice();
    const at = Math.floor(bytes.length * 0.7);
    damaged[at] = damaged[at]! ^ 0x10;
    const target = memoryLedger();
    const error = await importLedger(damaged, target, { core: wasm }).catch((e: unknown) => e);
    expect(isCorruptDataError(error)).toBe(true);
    const offset = (error as { offset: number }).offset;
    expect(offset).toBeGreaterThan(0);
    expect(offset).toBeLessThanOrEqual(at);
    for (const core of [jsCore, wasm])
      expect(() => verifySegmentFile(damaged, { core })).toThrow(`Corrupt data at byte ${offset}`);
    expect(target.headPosition()).toBe(0);
    // a file cut short
    await expect(importLedger(bytes.subarray(0, bytes.length - 3), target)).rejects.toThrow(
      /truncated/,
    );
    expect(target.headPosition()).toBe(0);
  });

  it('refuses a file that does not go on from the ledger; positions: append lets it give them', async () => {
    const bytes = await exportLedger(source());
    const target = memoryLedger();
    target.append('other', [{ type: 'Noted', data: {} }]);
    const error = await importLedger(bytes, target).catch((e: unknown) => e);
    expect(isWhizbangError(error, 'INVALID_ARGUMENT')).toBe(true);
    expect(String(error)).toContain('would put it at 2');
    expect(target.headPosition()).toBe(1);
    expect(await importLedger(bytes, target, { positions: 'append' })).toEqual({
      events: 250,
      head: 251,
    });
    // the same streams again: their versions no longer follow
    await expect(importLedger(bytes, target, { positions: 'append' })).rejects.toThrow(
      /version 1 of stream "account-0" \(tenant "acme"\), which is at version/,
    );
    expect(target.headPosition()).toBe(251);
  });

  it('fuzz: a damaged export is imported whole or refused with nothing appended, alike on both cores', async () => {
    const seeds = [
      await exportLedger(source(), { to: 3 }),
      await exportLedger(source(), { to: 40, segmentEvents: 16 }),
    ];
    const next = rng(0x17);
    const seen = new Set<string>();
    for (let i = 0; i < 400; i++) {
      const bytes = mutateSegment(seeds, next, (b) => {
        b[next() % b.length] = next() & 0xff;
        return undefined;
      });
      const outcomes: string[] = [];
      for (const core of [jsCore, wasm]) {
        const target = memoryLedger();
        try {
          const { events } = await importLedger(bytes, target, { core });
          expect(target.headPosition()).toBe(events);
          outcomes.push(`ok ${events}`);
        } catch (error) {
          if (!isWhizbangError(error)) throw error;
          expect(target.headPosition()).toBe(0);
          outcomes.push(
            isCorruptDataError(error) ? `corrupt at ${error.offset}` : `refused ${error.code}`,
          );
        }
      }
      expect(outcomes[1]).toBe(outcomes[0]);
      seen.add(outcomes[0]!.split(' ')[0]!);
    }
    expect([...seen].sort()).toEqual(['corrupt', 'ok']);
  });
});
