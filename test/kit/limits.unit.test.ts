/**
 * The limits every driver checks before it writes (payload and id bytes, events per append, query
 * size) and the one policy for U+0000 and unpaired surrogates in ids; the memory ledger keeps
 * nothing of an append it refuses, on the TypeScript twin and the WebAssembly core.
 */
import { describe, expect, it } from 'vitest';
import { token, tokenNow } from '../../adapters/nats/ledger/subjects.ts';
import { checkId, checkQuery, DEFAULT_LIMITS, limitsOf } from '../../js/kit/mod.ts';
import { isWhizbangError, memoryDriver, memoryLedger } from '../../js/mod.ts';
import { loadWasmCore } from '../../js/wasm/mod.ts';

const code = (fn: () => unknown): string | undefined => {
  try {
    fn();
  } catch (error) {
    return isWhizbangError(error) ? error.code : `raw ${String(error)}`;
  }
  return undefined;
};

describe('limits', () => {
  it('have defaults a driver option changes, each a whole number ≥ 1', () => {
    expect(DEFAULT_LIMITS.maxPayloadBytes).toBe(1024 * 1024);
    expect(limitsOf({ maxIdBytes: 10 }).maxIdBytes).toBe(10);
    expect(limitsOf({ maxIdBytes: 10 }).maxEventsPerAppend).toBe(DEFAULT_LIMITS.maxEventsPerAppend);
    expect(code(() => limitsOf({ maxIdBytes: 0 }))).toBe('INVALID_ARGUMENT');
    expect(code(() => limitsOf({ maxIdBytes: 1.5 }))).toBe('INVALID_ARGUMENT');
    expect(code(() => limitsOf({ maxTypo: 3 } as never))).toBe('INVALID_ARGUMENT');
  });

  it('refuse U+0000 and unpaired surrogates in ids, keep pairs and other control characters', () => {
    for (const bad of ['a\0b', 'acme\uD800', 'acme\uDFFF', '\uDC00x', '', 'x'.repeat(1025)]) {
      expect(code(() => checkId('tenant', bad))).toBe('INVALID_ARGUMENT');
    }
    for (const bad of [1, null, {}, 1n, undefined]) {
      expect(code(() => checkId('tenant', bad))).toBe('INVALID_ARGUMENT');
    }
    for (const good of ['acme', '𝔘', '\u0001', 'x'.repeat(1024), 'é'.repeat(512)]) {
      expect(code(() => checkId('tenant', good))).toBeUndefined();
    }
    expect(code(() => checkId('tenant', 'é'.repeat(513)))).toBe('INVALID_ARGUMENT');
  });

  it('refuse an append of 1 000 000 events and a payload over 1 MiB on memory, writing nothing', () => {
    const { ledger } = memoryDriver();
    const event = { type: 'T', data: {} };
    const many = new Array(1_000_000).fill(event);
    expect(code(() => ledger.append('s', many))).toBe('INVALID_ARGUMENT');
    const big = { type: 'T', data: { text: 'x'.repeat(1024 * 1024) } };
    expect(code(() => ledger.append('s', [event, big]))).toBe('INVALID_ARGUMENT');
    expect(code(() => ledger.append('s', [event, { type: 'x'.repeat(70_000), data: {} }]))).toBe(
      'INVALID_ARGUMENT',
    );
    expect(ledger.headPosition()).toBe(0);
    expect(ledger.streamVersion('s')).toBe(0);
    // a raised limit lets it through
    const roomy = memoryDriver({ limits: { maxPayloadBytes: 4 * 1024 * 1024 } });
    roomy.ledger.append('s', [big]);
    expect(roomy.ledger.readStream('s')).toHaveLength(1);
  });

  it('refuse payloads no driver keeps alike with a coded error: BigInt, cycles, depth, U+0000', () => {
    const { ledger } = memoryDriver();
    const cycle: Record<string, unknown> = {};
    cycle.self = cycle;
    let deep: unknown = 1;
    for (let i = 0; i < 100_000; i++) deep = [deep];
    let over: unknown = 1;
    for (let i = 0; i < 65; i++) over = { over };
    for (const data of [
      1n,
      { n: 1n },
      cycle,
      deep,
      over,
      'a\0b',
      { k: '\uD800' },
      { '\uDFFF': 1 },
    ]) {
      expect(code(() => ledger.append('s', [{ type: 'T', data }]))).toBe('INVALID_ARGUMENT');
    }
    expect(ledger.headPosition()).toBe(0);
  });

  it('refuse a read of ids no driver keeps, the same as an append', () => {
    const { ledger } = memoryDriver();
    expect(code(() => ledger.readStream('id-\uD800-x'))).toBe('INVALID_ARGUMENT');
    expect(code(() => ledger.readStream('s', { tenant: 'a\0' }))).toBe('INVALID_ARGUMENT');
    expect(
      code(() => ledger.readAll({ types: Array.from({ length: 40_000 }, (_, i) => `T${i}`) })),
    ).toBe('INVALID_ARGUMENT');
  });

  it('bound lens queries: sort keys, fields, `in` values, paths and value nesting', () => {
    const orderBy = Object.fromEntries(Array.from({ length: 30_000 }, (_, i) => [`f${i}`, 'asc']));
    const list = Array.from({ length: 17 }, (_, i) => ({ [`f${i}`]: 'asc' as const }));
    const where = Object.fromEntries(Array.from({ length: 33 }, (_, i) => [`f${i}`, 1]));
    let nested: unknown = 1;
    for (let i = 0; i < 70; i++) nested = [nested];
    for (const query of [
      { orderBy },
      { orderBy: list },
      { where },
      { where: { f: { in: new Array(1001).fill(1) } } },
      { where: { [new Array(17).fill('a').join('.')]: 1 } },
      { where: { f: { eq: nested } } },
      { where: { f: { eq: 1n } } },
      { where: { f: Number.NaN } },
      { where: { 'a\0': 1 } },
    ]) {
      expect(code(() => checkQuery(query as never))).toBe('INVALID_QUERY');
    }
    expect(
      code(() => checkQuery({ orderBy: list.slice(0, 16), where: { f: { in: [1, 2] } } })),
    ).toBeUndefined();
  });

  it('the JavaScript evaluator follows only a model’s own members, as SQL does', async () => {
    const driver = memoryDriver();
    await driver.store.transaction((tx) => {
      tx.put('p', {
        id: 'a',
        tenant: 'default',
        model: { tags: ['x'], name: 'A' },
        version: 1,
        position: 1,
        updatedAt: 0,
      });
    });
    const query = (where: object) => driver.store.query('p', 'default', { where } as never);
    expect(await query({ 'tags.length': 1 })).toEqual([]);
    expect(await query({ 'name.length': 1 })).toEqual([]);
    expect(await query({ 'constructor.name': 'Object' })).toEqual([]);
    expect(await query({ 'tags.0': 'x' })).toHaveLength(1);
  });

  it('the NATS subject-token cache keeps no huge ids', async () => {
    const huge = `~${'x'.repeat(1_100_000)}`;
    const hashed = await token(huge);
    expect(hashed).toMatch(/^~[\w-]{43}$/);
    expect(tokenNow(huge)).toBeUndefined(); // hashed again next time, not kept
    expect(await token(huge)).toBe(hashed);
    const small = 'a.b';
    const t = await token(small);
    expect(tokenNow(small)).toBe(t);
  });
});

describe('the memory log keeps nothing of an append it cannot finish', () => {
  for (const [name, core] of [
    ['twin', undefined],
    ['wasm', 'wasm'],
  ] as const) {
    it(`on the ${name} core, a record over the format's bounds undoes the records before it`, async () => {
      const ledger = memoryLedger({
        limits: { maxIdBytes: 200_000 },
        ...(core === 'wasm' ? { core: await loadWasmCore() } : {}),
      });
      ledger.append('s', [{ type: 'T', data: { n: 0 } }]);
      const refused = code(() =>
        ledger.append('s', [
          { type: 'T', data: { n: 1 } },
          { type: 'x'.repeat(70_000), data: {} },
        ]),
      );
      expect(refused).toBeDefined();
      expect(refused?.startsWith('raw')).toBe(false);
      expect(ledger.streamVersion('s')).toBe(1);
      expect(ledger.headPosition()).toBe(1);
      ledger.append('s', [{ type: 'T', data: { n: 2 } }]);
      expect(ledger.readStream('s').map((e) => (e.data as { n: number }).n)).toEqual([0, 2]);
      expect(ledger.readAll().map((e) => e.position)).toEqual([1, 2]);
      // and the log's segments still load: nothing half-written in them
      const copy = memoryLedger({ segments: ledger.segments() });
      expect(copy.readAll().map((e) => (e.data as { n: number }).n)).toEqual([0, 2]);
    });
  }
});
