// @runtimes node deno bun
/**
 * Routing a page of segments to handlers: through the core's dispatch table and through the
 * JavaScript map loop, the same events to the same handlers in the same order; two types whose
 * hashes collide still go to their own handlers; damaged bytes are refused with the offset before
 * any event of the damaged segment is visited (fuzzed); the plan picks the side.
 */
import { describe, expect, it } from 'vitest';
import { isCorruptDataError } from '../../js/util/errors.ts';
import { encodeSegment, hashString, type WireRecord } from '../../js/wasm/codec.ts';
import { jsCore } from '../../js/wasm/core.ts';
import { RECORD_HEADER, SEGMENT_HEADER } from '../../js/wasm/format.ts';
import { segmentRouter } from '../../js/wasm/route.ts';
import * as twin from '../../js/wasm/twin.ts';
import { mutateSegment, rng } from '../support/segments.ts';
import { loadWasmCore } from '../support/wasm.ts';

const wasm = await loadWasmCore(undefined, { plan: { route: 'wasm' } });

/** Two type names with the same FNV-1a hash (found by a birthday search). */
function collision(): [string, string] {
  const seen = new Map<number, string>();
  for (let i = 0; ; i++) {
    const name = `T${i}`;
    const h = hashString(name);
    const other = seen.get(h);
    if (other !== undefined) return [other, name];
    seen.set(h, name);
  }
}
const [left, right] = collision();
const TYPES = ['Opened', 'Deposited', 'Withdrawn', 'Closed', left, right, 'Unrouted'];

const record = (i: number): WireRecord => ({
  kind: 'event',
  type: TYPES[i % TYPES.length]!,
  data: { i },
  streamId: `s-${i % 5}`,
  version: Math.floor(i / 5) + 1,
  position: i + 1,
  tenant: 'default',
  messageId: `m-${i}`,
  correlationId: `m-${i}`,
  causationId: `m-${i}`,
  timestamp: 1_700_000_000_000 + i,
  metadata: undefined,
});
const segments = [0, 40, 90].map((at, k) =>
  encodeSegment(Array.from({ length: [40, 50, 30][k]! }, (_, i) => record(at + i))),
);
const page = new Uint8Array(segments.reduce((n, s) => n + s.length, 0));
let filled = 0;
for (const s of segments) {
  page.set(s, filled);
  filled += s.length;
}

const routes = new Map<string, string[]>([
  ['Opened', ['accounts', 'audit']],
  ['Deposited', ['balances']],
  ['Withdrawn', ['balances', 'audit']],
  ['Closed', ['accounts']],
  [left, ['left']],
  [right, ['right']],
]);

function visits(
  router: ReturnType<typeof segmentRouter<string>>,
  bytes: Uint8Array = page,
): string[] {
  const seen: string[] = [];
  const n = router.route(bytes, (r, handlers) => {
    for (const h of handlers) seen.push(`${r.position}:${r.type}:${h}`);
  });
  seen.push(`routed ${n}`);
  return seen;
}

describe('routing a page of segments', () => {
  it('routes the same events to the same handlers in log order, through the core or the map', () => {
    expect(hashString(left)).toBe(hashString(right));
    const core = segmentRouter(routes, { core: wasm });
    const map = segmentRouter(routes, { core: jsCore });
    expect([core.kind, map.kind]).toEqual(['wasm', 'js']);
    const expected = visits(map);
    expect(visits(core)).toEqual(expected);
    // every event but the unrouted type; the colliding types each to their own handler
    expect(expected.at(-1)).toBe(`routed ${120 - Math.floor(120 / 7)}`);
    expect(expected).toContain(`5:${left}:left`);
    expect(expected).toContain(`6:${right}:right`);
    expect(expected.filter((v) => v.endsWith(':left')).every((v) => v.includes(`:${left}:`))).toBe(
      true,
    );
    // a second page through the same router (its scratch given back)
    expect(visits(core)).toEqual(expected);
  });

  it('refuses damaged bytes with the offset before visiting that segment', () => {
    const damaged = page.slice();
    const at = segments[0]!.length + 200; // inside the second segment
    damaged[at] = damaged[at]! ^ 1;
    for (const core of [wasm, jsCore]) {
      const seen: number[] = [];
      let error: unknown;
      try {
        segmentRouter(routes, { core }).route(damaged, (r) => seen.push(r.position));
      } catch (e) {
        error = e;
      }
      expect(isCorruptDataError(error)).toBe(true);
      expect((error as { offset: number }).offset).toBeLessThanOrEqual(at);
      expect((error as { offset: number }).offset).toBeGreaterThanOrEqual(segments[0]!.length);
      expect(Math.max(...seen)).toBeLessThanOrEqual(40);
    }
  });

  it('follows the plan: the core by default, the map loop on the twin or a plan of route "js"', async () => {
    const js = await loadWasmCore(undefined, { plan: { route: 'js' } });
    expect(segmentRouter(routes, { core: js }).kind).toBe('js');
    expect(segmentRouter(routes, { core: jsCore }).kind).toBe('js');
    const byDefault = segmentRouter(routes);
    expect(byDefault.kind).toBe('wasm');
    expect(visits(byDefault)).toEqual(visits(segmentRouter(routes, { core: jsCore })));
  });

  it('fuzz: a damaged page is routed alike or refused alike (reason and offset) by both', () => {
    const seeds = [segments[0]!, page.slice(0, segments[0]!.length + segments[1]!.length)];
    const next = rng(0x7007);
    const core = segmentRouter(routes, { core: wasm });
    const map = segmentRouter(routes, { core: jsCore });
    const outcome = (router: typeof core, bytes: Uint8Array, routedOnly: boolean): string => {
      try {
        return `ok ${visits(router, bytes).join(',')}`;
      } catch (error) {
        if (!isCorruptDataError(error)) throw error;
        // the core parses the JSON of routed events only: the map loop, of every event
        if (routedOnly && error.reason === 'bad-json') return 'bad-json';
        return `corrupt ${error.reason} at ${error.offset}`;
      }
    };
    const seen = new Map<string, number>();
    for (let i = 0; i < 1500; i++) {
      const bytes = mutateSegment(seeds, next, (b, dv) => {
        // damage a byte, then make the checksums agree so the deeper checks are reached
        b[next() % b.length] = next() & 0xff;
        if (b.length >= SEGMENT_HEADER) dv.setUint32(16, twin.crc32c(twin.viewsOf(b), 0, 16), true);
        for (let p = SEGMENT_HEADER; p + RECORD_HEADER <= b.length; ) {
          const len = dv.getUint32(p, true);
          if (len < RECORD_HEADER || p + len > b.length) break;
          dv.setUint32(p + 4, twin.crc32c(twin.viewsOf(b), p + 8, len - 8), true);
          p += len;
        }
        return undefined;
      });
      const a = outcome(map, bytes, false);
      const b = outcome(core, bytes, true);
      if (a.includes('bad-json')) expect(['bad-json', 'ok']).toContain(b.split(' ')[0]);
      else expect({ input: i, core: b }).toEqual({ input: i, core: a });
      const kind = a.startsWith('ok') ? 'ok' : a.split(' ').slice(0, 2).join(' ');
      seen.set(kind, (seen.get(kind) ?? 0) + 1);
    }
    for (const kind of ['ok', 'corrupt truncated', 'corrupt bad-checksum', 'corrupt bad-length'])
      expect([kind, seen.get(kind) ?? 0]).not.toEqual([kind, 0]);
  });
});
