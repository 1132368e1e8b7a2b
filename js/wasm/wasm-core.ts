/**
 * The WebAssembly core behind the {@link Core} interface: raw exports over the instance's linear
 * memory, one call per batch. Views are rebuilt after every call that can grow the memory
 * (`alloc`); a function the plan puts on the `'js'` side runs the twin over the same memory.
 */
import { platform, type WasmModule } from '../util/platform.ts';
import { type Core, type CoreFactory, type CorePlan, capacityExceeded } from './core.ts';
import type { Views } from './twin.ts';
import * as twin from './twin.ts';

/** The raw exports of `core-wasm/build/whizbang.wasm`: the core's functions, and a few of its own. */
export interface CoreExports
  extends Pick<
    Core,
    | 'alloc'
    | 'mark'
    | 'reset'
    | 'errorOffset'
    | 'checkRecord'
    | 'checkSegment'
    | 'sealRecord'
    | 'sealSegment'
    | 'dispatchInit'
    | 'dispatchSet'
    | 'dispatchGet'
    | 'scan'
    | 'indexInit'
    | 'indexFind'
    | 'indexBuild'
  > {
  readonly memory: { readonly buffer: ArrayBuffer };
  crc32c(addr: number, len: number, seed: number): number;
  fnv1a(addr: number, len: number): number;
  utf8Invalid(addr: number, len: number): number;
}

const viewsOf = (memory: CoreExports['memory']): Views => {
  const buffer = memory.buffer;
  return { u8: new Uint8Array(buffer), dv: new DataView(buffer) };
};

function wasmCore(module: WasmModule, plan: CorePlan): Core {
  const x = new platform.WebAssembly.Instance(module, {
    env: {
      abort: () => {
        throw new Error('The WebAssembly core aborted.');
      },
    },
  }).exports as unknown as CoreExports;
  let lastError: 'wasm' | 'js' = 'wasm';
  const core: Core = {
    kind: 'wasm',
    plan,
    views: viewsOf(x.memory),
    alloc(size: number): number {
      const ptr = x.alloc(size) >>> 0;
      if (ptr === 0) throw capacityExceeded(size);
      if (core.views.u8.buffer !== x.memory.buffer)
        (core as { views: Views }).views = viewsOf(x.memory);
      return ptr;
    },
    mark: (): number => x.mark() >>> 0,
    reset: (to: number): void => x.reset(to),
    errorOffset: (): number => (lastError === 'wasm' ? x.errorOffset() >>> 0 : twin.errorOffset()),
    crc32c:
      plan.crc32c === 'wasm'
        ? (addr: number, len: number): number => x.crc32c(addr, len, 0) >>> 0
        : (addr: number, len: number): number => twin.crc32c(core.views, addr, len),
    sealRecord:
      plan.seal === 'wasm'
        ? (addr: number): number => x.sealRecord(addr) >>> 0
        : (addr: number): number => twin.sealRecord(core.views, addr),
    sealSegment:
      plan.seal === 'wasm'
        ? (addr: number, count: number, body: number): void => x.sealSegment(addr, count, body)
        : (addr: number, count: number, body: number): void =>
            twin.sealSegment(core.views, addr, count, body),
    checkRecord:
      plan.check === 'wasm'
        ? (addr: number, avail: number): number => {
            lastError = 'wasm';
            return x.checkRecord(addr, avail);
          }
        : (addr: number, avail: number): number => {
            lastError = 'js';
            return twin.checkRecord(core.views, addr, avail);
          },
    checkSegment:
      plan.check === 'wasm'
        ? (addr: number, avail: number): number => {
            lastError = 'wasm';
            return x.checkSegment(addr, avail);
          }
        : (addr: number, avail: number): number => {
            lastError = 'js';
            return twin.checkSegment(core.views, addr, avail);
          },
    scan:
      plan.scan === 'wasm'
        ? (s, e, by, sh, t, th, min, max, out, slots, cap): number => {
            lastError = 'wasm';
            return x.scan(s, e, by, sh, t, th, min, max, out, slots, cap);
          }
        : (s, e, by, sh, t, th, min, max, out, slots, cap): number => {
            lastError = 'js';
            return twin.scan(core.views, s, e, by, sh, t, th, min, max, out, slots, cap);
          },
    dispatchInit:
      plan.scan === 'wasm'
        ? (t: number, cap: number): void => x.dispatchInit(t, cap)
        : (t: number, cap: number): void => twin.dispatchInit(core.views, t, cap),
    dispatchSet:
      plan.scan === 'wasm'
        ? (t: number, hash: number, slot: number): number => x.dispatchSet(t, hash, slot)
        : (t: number, hash: number, slot: number): number =>
            twin.dispatchSet(core.views, t, hash, slot),
    dispatchGet:
      plan.scan === 'wasm'
        ? (t: number, hash: number): number => x.dispatchGet(t, hash)
        : (t: number, hash: number): number => twin.dispatchGet(core.views, t, hash),
    indexInit:
      plan.index === 'wasm'
        ? (t: number, cap: number): void => x.indexInit(t, cap)
        : (t: number, cap: number): void => twin.indexInit(core.views, t, cap),
    indexFind:
      plan.index === 'wasm'
        ? (t: number, sh: number, th: number): number => x.indexFind(t, sh, th)
        : (t: number, sh: number, th: number): number => twin.indexFind(core.views, t, sh, th),
    indexBuild:
      plan.index === 'wasm'
        ? (t, s, e, first, prev, ver, cap): number => {
            lastError = 'wasm';
            return x.indexBuild(t, s, e, first, prev, ver, cap);
          }
        : (t, s, e, first, prev, ver, cap): number => {
            lastError = 'js';
            return twin.indexBuild(core.views, t, s, e, first, prev, ver, cap);
          },
  };
  return core;
}

/** A factory of WebAssembly cores from a compiled module. */
export function wasmCoreFactory(module: WasmModule, plan: CorePlan): CoreFactory {
  return { kind: 'wasm', plan, create: (): Core => wasmCore(module, plan) };
}
