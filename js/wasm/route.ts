/**
 * Routing a page of events held as bytes (segments of `core-wasm/FORMAT.md`: a sync page, a
 * segment file, a replica's sealed segment) to the handlers of each event's type, in log order.
 *
 * Two ways, one contract. Through the core: each segment is checked (`checkSegment`) and routed
 * in one call — the core's scan walks the records, looks each type hash up in a dispatch table
 * (type hash → slot) and writes the addresses and slots of the records some handler takes; only
 * those are decoded. Through JavaScript: every record is decoded, and its type looked up in a
 * `Map`. {@link segmentRouter} picks the core where the plan of the core it is given says
 * `route: 'wasm'` (the runtime's measured plan, `measuredPlan`) — by default the package's own WebAssembly core — and the JavaScript loop
 * otherwise.
 * @module
 */
import { corrupt, decodeSegments, hashString, readRecord, type WireRecord } from './codec.ts';
import type { Core, CoreFactory } from './core.ts';
import { bulkCore } from './default-core.ts';
import { BY_TYPE, S_BODY_LENGTH, SEGMENT_HEADER } from './format.ts';

/** The handlers of each message type, in the order they are called. */
export type Routes<H> = ReadonlyMap<string, readonly H[]>;

/** Called once per routed event, in log order, with the handlers of its type. */
export type Visit<H> = (record: WireRecord, handlers: readonly H[]) => void;

/** Routes pages of segments to handlers. */
export interface SegmentRouter<H> {
  /** `'wasm'` when the core routes, `'js'` for the JavaScript loop. */
  readonly kind: 'wasm' | 'js';
  /**
   * Checks every segment in `bytes` (one or several back to back), then calls `visit` for each
   * event some handler takes, in log order; returns how many. Bad bytes throw a
   * `CorruptDataError` (`CORRUPT_DATA`) with their offset before any event of that segment is
   * visited. (Only a payload that is not JSON behind a right checksum is found later: by the core
   * when its event is reached — it parses the payloads of routed events only — and by the map
   * loop before any event is visited.)
   */
  route(bytes: Uint8Array, visit: Visit<H>): number;
}

/** Options of {@link segmentRouter}. */
export interface SegmentRouterOptions {
  /**
   * The core to route with: through it where its plan says `route: 'wasm'`, with the JavaScript
   * loop on the twin (`jsCore`) or a plan of `route: 'js'`. Default: the package's WebAssembly
   * core on the measured plan (it measured 1.7–2.3× the map loop on Node, Deno and Bun).
   */
  readonly core?: CoreFactory;
}

/** A router of `routes`: through the core where its plan says so, else the JavaScript loop. */
export function segmentRouter<H>(
  routes: Routes<H>,
  options: SegmentRouterOptions = {},
): SegmentRouter<H> {
  const factory = options.core ?? bulkCore();
  return factory.kind === 'wasm' && factory.plan.route === 'wasm'
    ? new CoreRouter(routes, factory.create())
    : new MapRouter(routes);
}

/** The JavaScript loop: decode every record, look its type up in the map. */
class MapRouter<H> implements SegmentRouter<H> {
  readonly kind = 'js' as const;
  readonly #routes: Routes<H>;

  constructor(routes: Routes<H>) {
    this.#routes = routes;
  }

  route(bytes: Uint8Array, visit: Visit<H>): number {
    const routes = this.#routes;
    let routed = 0;
    for (const record of decodeSegments(bytes)) {
      const handlers = routes.get(record.type);
      if (handlers === undefined) continue;
      visit(record, handlers);
      routed++;
    }
    return routed;
  }
}

interface Slot<H> {
  readonly type: string;
  readonly handlers: readonly H[];
}

/** Routing through the core's dispatch table: one check and one scan call per segment. */
class CoreRouter<H> implements SegmentRouter<H> {
  readonly kind: 'wasm' | 'js';
  readonly #routes: Routes<H>;
  readonly #core: Core;
  readonly #table: number;
  readonly #slots: Slot<H>[] = [];

  constructor(routes: Routes<H>, core: Core) {
    this.kind = core.kind;
    this.#routes = routes;
    this.#core = core;
    // a table is full past 3/4 of its capacity
    let capacity = 8;
    while (capacity * 3 < (routes.size + 1) * 4) capacity *= 2;
    this.#table = core.alloc(8 + 8 * capacity);
    core.dispatchInit(this.#table, capacity);
    for (const [type, handlers] of routes) {
      core.dispatchSet(this.#table, hashString(type), this.#slots.length);
      this.#slots.push({ type, handlers });
    }
  }

  route(bytes: Uint8Array, visit: Visit<H>): number {
    const core = this.#core;
    const mark = core.mark();
    try {
      const base = core.alloc(bytes.length);
      core.views.u8.set(bytes, base);
      const end = base + bytes.length;
      let at = base;
      let routed = 0;
      do {
        const count = core.checkSegment(at, end - at);
        if (count < 0) throw corrupt(count, core.errorOffset(), base);
        const body = at + SEGMENT_HEADER;
        const next = body + core.views.dv.getUint32(at + S_BODY_LENGTH, true);
        if (count > 0) routed += this.#segment(body, next, count, base, visit);
        at = next;
      } while (at < end);
      return routed;
    } finally {
      core.reset(mark);
    }
  }

  /** Routes the `count` checked records in `[body, next)`. */
  #segment(body: number, next: number, count: number, base: number, visit: Visit<H>): number {
    const core = this.#core;
    const out = core.alloc(8 * count);
    const slotsAt = out + 4 * count;
    const n = core.scan(body, next, BY_TYPE, 0, this.#table, 0, 0, 2 ** 53, out, slotsAt, count);
    if (n < 0) throw corrupt(n, core.errorOffset(), base);
    const views = core.views;
    const dv = views.dv;
    let routed = 0;
    for (let i = 0; i < n; i++) {
      const record = readRecord(views, dv.getUint32(out + 4 * i, true), base);
      const slot = this.#slots[dv.getInt32(slotsAt + 4 * i, true)]!;
      // a hash is a candidate: the type itself decides (two types may share a hash)
      const handlers = record.type === slot.type ? slot.handlers : this.#routes.get(record.type);
      if (handlers === undefined) continue;
      visit(record, handlers);
      routed++;
    }
    return routed;
  }
}
