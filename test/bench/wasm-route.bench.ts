/**
 * Routing a page of 10 000 events, held as segments, to 20 handlers: through the core's dispatch
 * table (one check and one scan call per segment, only the events some handler takes decoded)
 * against the JavaScript map loop (every event decoded, its type looked up in a `Map`), in the same
 * rounds on the same bytes. Runs on Node, Deno and Bun (test/bench/runtimes.mjs).
 */
import type { WireEnvelope } from '../../js/contracts/transport.ts';
import { memoryLedger } from '../../js/memory/ledger.ts';
import { decodeSegments, encodeSegment, type WireRecord } from '../../js/wasm/codec.ts';
import { type CoreFactory, jsCore } from '../../js/wasm/core.ts';
import { binaryCodec } from '../../js/wasm/envelope/binary.ts';
import type { EnvelopeCodec } from '../../js/wasm/envelope/codec.ts';
import { ContinuityCheck } from '../../js/wasm/ledger-check.ts';
import { verifySegmentFile } from '../../js/wasm/ledger-file.ts';
import { importLedger } from '../../js/wasm/ledger-import.ts';
import { writeRun } from '../../js/wasm/ledger-write.ts';
import { type Routes, type SegmentRouter, segmentRouter } from '../../js/wasm/route.ts';
import { loadWasmCore } from '../support/wasm.ts';
import type { BenchEntry, BenchSpec, Side } from './harness.ts';

const PAGE = 10_000;
/** A page as a sync page or a segment file carries it: segments of 1 000 events. */
const PER_SEGMENT = 1000;
const TYPES = 40;
const HANDLERS = 20;

const event = (i: number): WireRecord => ({
  kind: 'event',
  type: `Type${i % TYPES}`,
  data: { accountId: `account-${i % 100}`, amount: (i * 37) % 1000, currency: 'EUR' },
  streamId: `account-${i % 100}`,
  version: Math.floor(i / 100) + 1,
  position: i + 1,
  tenant: 'default',
  messageId: `01938a6c-0000-7c41-9d1a-${i.toString(16).padStart(12, '0')}`,
  correlationId: `01938a6c-0000-7c41-9d1a-${i.toString(16).padStart(12, '0')}`,
  causationId: `01938a6c-0000-7c41-9d1a-${i.toString(16).padStart(12, '0')}`,
  timestamp: 1732838400000 + i,
  metadata: undefined,
});

function page(): Uint8Array {
  const parts: Uint8Array[] = [];
  for (let at = 0; at < PAGE; at += PER_SEGMENT)
    parts.push(encodeSegment(Array.from({ length: PER_SEGMENT }, (_, i) => event(at + i))));
  const bytes = new Uint8Array(parts.reduce((sum, p) => sum + p.length, 0));
  let at = 0;
  for (const p of parts) {
    bytes.set(p, at);
    at += p.length;
  }
  return bytes;
}
const bytes = page();

type Handler = (record: WireRecord) => void;

/**
 * 20 handlers, each taking two types: `Type<h>` and `Type<h + span>` — with `span` 20 every one
 * of the 40 types has a handler, with `span` 1 only the first 21 (about half of the page).
 */
function routes(span: number, sums: number[]): Routes<Handler> {
  const map = new Map<string, Handler[]>();
  for (let h = 0; h < HANDLERS; h++) {
    const handler: Handler = (r) => {
      sums[h]! += (r.data as { amount: number }).amount;
    };
    for (const type of [`Type${h}`, `Type${h + span}`])
      map.set(type, [...(map.get(type) ?? []), handler]);
  }
  return map;
}

function side(
  name: string,
  router: (routes: Routes<Handler>) => SegmentRouter<Handler>,
  span: number,
): Side {
  const sums = new Array<number>(HANDLERS).fill(0);
  const r = router(routes(span, sums));
  const visit = (record: WireRecord, handlers: readonly Handler[]): void => {
    for (const h of handlers) h(record);
  };
  let expected = -1;
  return {
    name,
    run: (n) => {
      for (let i = 0; i < n; i++) {
        const routed = r.route(bytes, visit);
        if (expected < 0) expected = routed;
        else if (routed !== expected) throw new Error(`routed ${routed}, then ${expected}`);
      }
      return n * PAGE;
    },
  };
}

const ALL_WASM = {
  crc32c: 'wasm',
  seal: 'wasm',
  check: 'wasm',
  scan: 'wasm',
  index: 'wasm',
  route: 'wasm',
} as const;

async function spec(name: string, span: number, goal?: number): Promise<BenchSpec> {
  const core: CoreFactory = await loadWasmCore(undefined, { plan: ALL_WASM });
  return {
    name,
    unit: 'events/s',
    ops: 20,
    ...(goal === undefined ? {} : { goal }),
    subject: side("core's dispatch table (WebAssembly)", (m) => segmentRouter(m, { core }), span),
    baseline: side('JavaScript map loop', (m) => segmentRouter(m, { core: jsCore }), span),
  };
}

export const benches: BenchEntry[] = [
  // the page as it comes: about half its events taken by some handler
  { name: 'wasm.route.batch', make: () => spec('wasm.route.batch', 1, 1.5) },
  // every event taken by one handler or two: what the core saves is only the check and lookups
  { name: 'wasm.route.batch.all', make: () => spec('wasm.route.batch.all', 20) },
];

// ---- the NATS (and RabbitMQ) codec: one envelope per message, as the transport sends them

const envelope = (n: number): WireEnvelope => ({
  message: { kind: 'event', type: 'Deposited', data: { account: 'a-17', amount: n } },
  messageId: `0190c6e2-7d3a-7000-8000-${String(n).padStart(12, '0')}`,
  correlationId: '0190c6e2-7d3a-7000-8000-000000000000',
  causationId: '0190c6e2-7d3a-7000-8000-000000000000',
  streamId: 'account-a-17',
  tenant: 'default',
  timestamp: 1_700_000_000_000,
  traceparent: '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01',
  hops: [],
  version: n + 1,
  position: n + 1,
});
const ENVELOPES = Array.from({ length: 100 }, (_, i) => envelope(i));

/** Encodes and decodes one envelope at a time, as the transport's publish and delivery do. */
function roundTrips(codec: EnvelopeCodec): Side['run'] {
  return (n) => {
    let sum = 0;
    for (let i = 0; i < n; i++) {
      const decoded = codec.decode(codec.encode(ENVELOPES[i % ENVELOPES.length]!));
      sum += decoded.timestamp > 0 ? 1 : 0;
    }
    return sum;
  };
}

benches.push({
  name: 'codec.envelope',
  make: async () => ({
    name: 'codec.envelope',
    unit: 'envelopes/s',
    ops: 20_000,
    subject: {
      name: 'binaryCodec, WebAssembly core (runtime plan)',
      run: roundTrips(binaryCodec({ core: (await loadWasmCore()).create() })),
    },
    baseline: {
      name: 'binaryCodec, TypeScript twin',
      run: roundTrips(binaryCodec({ core: jsCore.create() })),
    },
  }),
});

// ---- a segment file: `whizbang verify --input`, and the check before `importLedger` appends

benches.push({
  name: 'wasm.file.verify',
  make: async () => {
    const core = await loadWasmCore(undefined, { plan: ALL_WASM });
    const verify =
      (factory: CoreFactory): Side['run'] =>
      (n) => {
        let events = 0;
        for (let i = 0; i < n; i++) events += verifySegmentFile(bytes, { core: factory }).events;
        return events;
      };
    return {
      name: 'wasm.file.verify',
      unit: 'events/s',
      ops: 40,
      subject: { name: 'verifySegmentFile, WebAssembly core', run: verify(core) },
      baseline: { name: 'verifySegmentFile, TypeScript twin', run: verify(jsCore) },
    };
  },
});

// ---- importing a segment file streamed (`importLedger` of a web stream, two passes) against the
// whole-buffer import it replaced (the file decoded whole, checked, then appended)

/** The page as a web stream of 64 KiB chunks, as a file read through `Readable.toWeb` arrives. */
const chunked = (): ReadableStream<Uint8Array> => {
  let at = 0;
  return new ReadableStream<Uint8Array>({
    pull: (c) => {
      if (at >= bytes.length) c.close();
      else {
        c.enqueue(bytes.subarray(at, at + 65536));
        at += 65536;
      }
    },
  });
};

/** What `importLedger` did before it streamed: every record decoded first, then appended. */
async function importWhole(core: CoreFactory): Promise<number> {
  const ledger = memoryLedger();
  const records = decodeSegments(bytes, { core: core.create() });
  const check = new ContinuityCheck(ledger, ledger.headPosition(), true);
  for (const r of records) await check.next(r);
  if (check.refusal !== undefined) throw check.refusal;
  for (let at = 0; at < records.length; at += 1000)
    await writeRun(ledger, records.slice(at, at + 1000), true);
  return ledger.headPosition();
}

benches.push({
  name: 'wasm.file.import.stream',
  make: async () => {
    const core = await loadWasmCore(undefined, { plan: ALL_WASM });
    const many =
      (one: () => Promise<number>): Side['run'] =>
      async (n) => {
        let events = 0;
        for (let i = 0; i < n; i++) events += await one();
        return events;
      };
    return {
      name: 'wasm.file.import.stream',
      unit: 'events/s',
      ops: 4,
      subject: {
        name: 'importLedger of a web stream (checked, then appended: two passes)',
        run: many(async () => (await importLedger(chunked, memoryLedger(), { core })).events),
      },
      baseline: {
        name: 'the file decoded whole, then appended',
        run: many(() => importWhole(core)),
      },
    };
  },
});
