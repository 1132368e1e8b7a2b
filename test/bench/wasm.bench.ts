/**
 * The WebAssembly core against its TypeScript twin, in the same run, on the same bytes: scans of a
 * segment by stream and by type, the stream index, CRC32C; and the codec (envelopes to bytes and
 * back) against the twin, JSON and msgpackr. Runs on Node, Deno and Bun (test/bench/runtimes.mjs).
 */
import { pack, unpack } from 'msgpackr';
import { type MemoryLedger, memoryLedger } from '../../js/memory/ledger.ts';
import { decodeSegments, encodeSegment, hashString, type WireRecord } from '../../js/wasm/codec.ts';
import { type Core, type CoreFactory, jsCore } from '../../js/wasm/core.ts';
import { BY_STREAM, BY_TYPE, SEGMENT_HEADER } from '../../js/wasm/format.ts';
import { loadWasmCore } from '../support/wasm.ts';
import type { BenchEntry } from './harness.ts';
import { type BenchSpec, runtimeName, type Side } from './harness.ts';

/** Every function in WebAssembly: the bench compares it with the twin, whatever the plan says. */
const ALL_WASM = {
  crc32c: 'wasm',
  seal: 'wasm',
  check: 'wasm',
  scan: 'wasm',
  index: 'wasm',
  route: 'wasm',
} as const;
const wasmCore = (): Promise<CoreFactory> => loadWasmCore(undefined, { plan: ALL_WASM });

const STREAMS = 100;
const TYPES = [
  'Deposited',
  'Withdrawn',
  'Renamed',
  'Closed',
  'Opened',
  'Frozen',
  'Audited',
  'Noted',
];
const uuid = (i: number): string =>
  `01938a6c-${(i % 0xffff).toString(16).padStart(4, '0')}-7c41-9d1a-${i.toString(16).padStart(12, '0')}`;
const event = (i: number): WireRecord => ({
  kind: 'event',
  type: TYPES[i % TYPES.length]!,
  data: {
    accountId: `account-${i % STREAMS}`,
    amount: (i * 37) % 1000,
    currency: 'EUR',
    note: 'monthly',
  },
  streamId: `account-${i % STREAMS}`,
  version: Math.floor(i / STREAMS) + 1,
  position: i + 1,
  tenant: 'default',
  messageId: uuid(i),
  correlationId: uuid(i),
  causationId: uuid(i),
  timestamp: 1732838400000 + i,
  metadata: undefined,
});
/** One segment of ~1 MiB: 4 000 events over 100 streams and 8 types. */
const RECORDS = 4000;
const segment = encodeSegment(Array.from({ length: RECORDS }, (_, i) => event(i)));

function placed(core: Core): { start: number; end: number } {
  const at = core.alloc(segment.length);
  core.views.u8.set(segment, at);
  return { start: at + SEGMENT_HEADER, end: at + segment.length };
}

/** One side that scans the segment in `core` by stream or type; counts records scanned. */
function scanSide(name: string, core: Core, by: number): Side {
  const { start, end } = placed(core);
  const out = core.alloc(4 * RECORDS);
  const table = core.alloc(8 + 8 * 8);
  core.dispatchInit(table, 8);
  core.dispatchSet(table, hashString('Renamed'), 0);
  core.dispatchSet(table, hashString('Audited'), 1);
  const stream = hashString('account-42');
  return {
    name,
    run: (n) => {
      let found = 0;
      for (let i = 0; i < n; i++)
        found += core.scan(start, end, by, stream, table, 0, 0, 1e15, out, 0, RECORDS);
      if (found !== n * (by === BY_STREAM ? 40 : 1000)) throw new Error(`scan found ${found}`);
      return n * RECORDS;
    },
  };
}

function indexSide(name: string, core: Core): Side {
  const { start, end } = placed(core);
  const t = core.alloc(8 + 16 * 256);
  const prev = core.alloc(4 * RECORDS);
  const ver = core.alloc(4 * RECORDS);
  return {
    name,
    run: (n) => {
      for (let i = 0; i < n; i++) {
        core.indexInit(t, 256);
        if (core.indexBuild(t, start, end, 0, prev, ver, RECORDS) !== RECORDS)
          throw new Error('index');
      }
      return n * RECORDS;
    },
  };
}

function crcSide(name: string, core: Core): Side {
  const { start, end } = placed(core);
  return {
    name,
    run: (n) => {
      let x = 0;
      for (let i = 0; i < n; i++) x ^= core.crc32c(start, end - start);
      return x === 0.5 ? 0 : (n * (end - start)) / 1e6;
    },
  };
}

const pair = async (
  name: string,
  unit: string,
  ops: number,
  side: (label: string, core: Core) => Side,
): Promise<BenchSpec> => ({
  name,
  unit,
  ops,
  goal: 2,
  subject: side('WebAssembly core', (await wasmCore()).create()),
  baseline: side('TypeScript twin', jsCore.create()),
});

const BATCH = 100;
const batch = Array.from({ length: BATCH }, (_, i) => event(i));
const encodeWith =
  (core: Core): Side['run'] =>
  (n) => {
    let bytes = 0;
    for (let i = 0; i < n; i++) bytes += encodeSegment(batch, { core }).length;
    return bytes > 0 ? n * BATCH : 0;
  };
const decodeWith = (core: Core): Side['run'] => {
  const bytes = encodeSegment(batch);
  return (n) => {
    let count = 0;
    for (let i = 0; i < n; i++) count += decodeSegments(bytes, { core }).length;
    return count;
  };
};
const json = JSON.stringify(batch);
const packed = pack(batch);

export const benches: BenchEntry[] = [
  {
    name: 'wasm.scan.byStream',
    make: () => pair('wasm.scan.byStream', 'records/s', 400, (l, c) => scanSide(l, c, BY_STREAM)),
  },
  {
    name: 'wasm.scan.byType',
    make: () => pair('wasm.scan.byType', 'records/s', 400, (l, c) => scanSide(l, c, BY_TYPE)),
  },
  { name: 'wasm.index.build', make: () => pair('wasm.index.build', 'records/s', 200, indexSide) },
  { name: 'wasm.crc32c', make: () => pair('wasm.crc32c', 'MB/s', 100, crcSide) },
  {
    name: 'codec.encode',
    make: async () => ({
      name: 'codec.encode',
      unit: 'records/s',
      ops: 2000,
      goal: 2,
      subject: {
        name: 'encodeSegment, WebAssembly core',
        run: encodeWith((await wasmCore()).create()),
      },
      baseline: { name: 'encodeSegment, TypeScript twin', run: encodeWith(jsCore.create()) },
    }),
  },
  {
    name: 'codec.encode.json',
    make: () => ({
      name: 'codec.encode.json',
      unit: 'records/s',
      ops: 2000,
      subject: { name: 'encodeSegment, TypeScript twin', run: encodeWith(jsCore.create()) },
      baseline: {
        name: 'JSON.stringify of the same envelopes',
        run: (n) => {
          let bytes = 0;
          for (let i = 0; i < n; i++) bytes += JSON.stringify(batch).length;
          return bytes > 0 ? n * BATCH : 0;
        },
      },
    }),
  },
  {
    name: 'codec.encode.msgpackr',
    make: () => ({
      name: 'codec.encode.msgpackr',
      unit: 'records/s',
      ops: 2000,
      subject: { name: 'encodeSegment, TypeScript twin', run: encodeWith(jsCore.create()) },
      baseline: {
        name: 'msgpackr pack of the same envelopes',
        run: (n) => {
          let bytes = 0;
          for (let i = 0; i < n; i++) bytes += pack(batch).length;
          return bytes > 0 ? n * BATCH : 0;
        },
      },
    }),
  },
  {
    name: 'codec.decode',
    make: async () => ({
      name: 'codec.decode',
      unit: 'records/s',
      ops: 2000,
      goal: 2,
      subject: {
        name: 'decodeSegments (checked), WebAssembly core',
        run: decodeWith((await wasmCore()).create()),
      },
      baseline: {
        name: 'decodeSegments (checked), TypeScript twin',
        run: decodeWith(jsCore.create()),
      },
    }),
  },
  {
    name: 'codec.decode.json',
    make: () => ({
      name: 'codec.decode.json',
      unit: 'records/s',
      ops: 2000,
      subject: {
        name: 'decodeSegments (checked), TypeScript twin',
        run: decodeWith(jsCore.create()),
      },
      baseline: {
        name: 'JSON.parse of the same envelopes',
        run: (n) => {
          let count = 0;
          for (let i = 0; i < n; i++) count += (JSON.parse(json) as unknown[]).length;
          return count;
        },
      },
    }),
  },
  {
    name: 'codec.decode.msgpackr',
    make: () => ({
      name: 'codec.decode.msgpackr',
      unit: 'records/s',
      ops: 2000,
      subject: {
        name: 'decodeSegments (checked), TypeScript twin',
        run: decodeWith(jsCore.create()),
      },
      baseline: {
        name: 'msgpackr unpack of the same envelopes',
        run: (n) => {
          let count = 0;
          for (let i = 0; i < n; i++) count += (unpack(packed) as unknown[]).length;
          return count;
        },
      },
    }),
  },
];

// ---- the memory ledger on either core: the paths of the runtime where the core is used

const LEDGER_EVENTS = 100_000;
function filledLedger(core: CoreFactory): MemoryLedger {
  const ledger = memoryLedger({ core });
  for (let i = 0; i < LEDGER_EVENTS; i++) {
    const e = event(i);
    ledger.append(e.streamId!, [{ type: i % 100 === 7 ? 'Rare' : e.type, data: e.data }]);
  }
  return ledger;
}
const readRare =
  (ledger: MemoryLedger): Side['run'] =>
  (n) => {
    let found = 0;
    for (let i = 0; i < n; i++) found += ledger.readAll({ types: ['Rare'] }).length;
    if (found !== n * (LEDGER_EVENTS / 100)) throw new Error(`found ${found}`);
    return n * LEDGER_EVENTS;
  };
const appendTo = (core: CoreFactory): Side => {
  let ledger = memoryLedger({ core });
  return {
    name: core.kind === 'wasm' ? 'WebAssembly core' : 'TypeScript twin',
    setup: () => {
      ledger = memoryLedger({ core });
    },
    run: (n) => {
      for (let i = 0; i < n; i++) {
        const e = event(i);
        ledger.append(e.streamId!, [{ type: e.type, data: e.data }]);
      }
      return n;
    },
  };
};

benches.push(
  {
    name: 'wasm.ledger.readAll.byType',
    make: async () => ({
      name: 'wasm.ledger.readAll.byType',
      unit: 'events scanned/s',
      ops: 20,
      goal: 2,
      subject: { name: 'WebAssembly core', run: readRare(filledLedger(await wasmCore())) },
      baseline: { name: 'TypeScript twin', run: readRare(filledLedger(jsCore)) },
    }),
  },
  {
    name: 'wasm.ledger.append',
    make: async () => ({
      name: 'wasm.ledger.append',
      unit: 'events/s',
      ops: 50_000,
      goal: 2,
      subject: appendTo(await wasmCore()),
      baseline: appendTo(jsCore),
    }),
  },
);

/** Bytes held per event by a memory ledger of 100 000 events, against their encoded size. */
export async function footprint(kind: 'wasm' | 'js'): Promise<void> {
  const g = globalThis as {
    gc?: () => void;
    Bun?: { gc(full: boolean): void };
    process?: { memoryUsage(): { heapUsed: number } };
  };
  const gc = (): void => (g.Bun ? g.Bun.gc(true) : g.gc?.());
  const heap = (): number => g.process?.memoryUsage().heapUsed ?? 0;
  const factory = kind === 'wasm' ? await wasmCore() : jsCore;
  gc();
  const before = heap();
  const ledger = filledLedger(factory);
  gc();
  const { events, encodedBytes, coreBytes } = ledger.stats();
  // V8 keeps ArrayBuffer and WebAssembly memory outside `heapUsed` (counted through coreBytes);
  // JavaScriptCore (Bun) counts them in it — a WebAssembly memory twice over (calibrated here)
  const after = heap();
  let held = after - before + (g.Bun ? 0 : coreBytes);
  if (g.Bun && kind === 'wasm') {
    const probe = new WebAssembly.Memory({ initial: 160 });
    new Uint8Array(probe.buffer).fill(1);
    gc();
    const perByte = (heap() - after) / probe.buffer.byteLength;
    held -= Math.max(0, perByte - 1) * coreBytes;
  }
  const value = Math.round((held / events) * 10) / 10;
  const encoded = Math.round((encodedBytes / events) * 10) / 10;
  console.log(
    JSON.stringify({
      bench: `ledger.memory.footprint.${kind}`,
      runtime: runtimeName(),
      unit: 'bytes/event',
      value,
      baseline: 'encoded size of the event',
      baseline_value: encoded,
      ratio: Math.round((value / encoded) * 1000) / 1000,
      goal: 1.5,
    }),
  );
  console.error(
    `ledger.memory.footprint.${kind}  ${value} bytes/event held vs ${encoded} encoded  ratio ${(value / encoded).toFixed(3)} (goal ≤ 1.5)`,
  );
}
