/**
 * The web-platform globals the core uses, typed here instead of by the DOM or Node libraries: the
 * core type-checks with neither, and its published declarations add no global to a user's
 * program. Globals are read through {@link platform}, one typed view of `globalThis`, at the
 * moment they are used (as a bare global would be), so polyfills and fake timers installed later
 * still apply; the hot-path clock {@link now} is bound once.
 *
 * A type that reaches the public API (`AbortSignal`, `URL`, `Response`, `WebAssembly.Module`) is
 * the user's own where their program declares that global (DOM, Node, Deno or Bun types), so a
 * handler's `context.signal` still fits `fetch`; without such declarations it is the few members
 * named here.
 */

/** The instances of global class `Name` as the program declares them, else `Own`. */
export type Declared<Name extends string, Own> = typeof globalThis extends {
  readonly [K in Name]: { readonly prototype: infer T };
}
  ? T
  : Own;

// What the core needs of each, where the program declares none. Interfaces, not type literals:
// `instanceof` narrows its else branch only by named types.

/** What the core needs of an `AbortSignal`, where the program declares none. */
export interface OwnAbortSignal {
  /** Whether it was aborted. */
  readonly aborted: boolean;
  /** Why, once aborted. */
  readonly reason: unknown;
  /** Throws the reason, once aborted. */
  throwIfAborted(): void;
  /** Calls `listener` when it aborts. */
  addEventListener(type: 'abort', listener: () => void, options?: { once?: boolean }): void;
  /** Stops calling `listener`. */
  removeEventListener(type: 'abort', listener: () => void): void;
}

/** What the core needs of an `AbortController`, where the program declares none. */
export interface OwnAbortController {
  /** The signal it aborts. */
  readonly signal: AbortSignal;
  /** Aborts the signal. */
  abort(reason?: unknown): void;
}

/** What the core needs of a `URL`, where the program declares none. */
export interface OwnUrl {
  /** The whole URL. */
  readonly href: string;
  /** Its scheme with the colon (`file:`, `https:`). */
  readonly protocol: string;
}

/** What the core needs of a `Response`, where the program declares none. */
export interface OwnResponse {
  /** Whether the status is 2xx. */
  readonly ok: boolean;
  /** The HTTP status. */
  readonly status: number;
  /** The body's bytes. */
  arrayBuffer(): Promise<ArrayBuffer>;
}

/** A compiled WebAssembly module, where the program declares no `WebAssembly` (opaque). */
export interface OwnWasmModule {
  /** A brand: only a compiled module is one. */
  readonly '~compiledWasmModule': true;
}

/** The signal a policy aborts when it gives up on a run (the host's `AbortSignal`). */
export type AbortSignal = Declared<'AbortSignal', OwnAbortSignal>;

/** The controller of an {@link AbortSignal} (the host's `AbortController`). */
export type AbortController = Declared<'AbortController', OwnAbortController>;

/** A parsed URL (the host's `URL`). */
export type URL = Declared<'URL', OwnUrl>;

/** A fetched response (the host's `Response`). */
export type Response = Declared<'Response', OwnResponse>;

/** A compiled WebAssembly module (the host's `WebAssembly.Module`). */
export type WasmModule = typeof globalThis extends {
  readonly WebAssembly: { readonly Module: { readonly prototype: infer M } };
}
  ? M
  : OwnWasmModule;

/** A global class: `instanceof` narrows by its `prototype`, as it does by a declared global's. */
interface Class<T, Args extends unknown[] = []> {
  readonly prototype: T;
  new (...args: Args): T;
}

/** The part of the `WebAssembly` namespace the core's loader uses. */
interface WebAssemblyApi {
  readonly Module: Class<WasmModule, [bytes: Uint8Array | ArrayBuffer]>;
  readonly Instance: new (
    module: WasmModule,
    imports: Record<string, Record<string, unknown>>,
  ) => { readonly exports: object };
  compile(bytes: Uint8Array | ArrayBuffer): Promise<WasmModule>;
}

/** What `setTimeout` returns: a number in browsers and Deno, an object in Node and Bun. */
export type Timer = number | object;

/** The UTF-8 encoder the codecs and ids share. */
interface TextEncoder {
  encode(input?: string): Uint8Array<ArrayBuffer>;
  encodeInto(source: string, destination: Uint8Array): { read: number; written: number };
}

/** The UTF-8 decoder the codecs and ids share. */
interface TextDecoder {
  decode(input?: Uint8Array): string;
}

/** The globals the core reads: every runtime it supports has them all. */
export interface Platform {
  readonly performance: { readonly timeOrigin: number; now(): number };
  readonly crypto: { getRandomValues<T extends Uint8Array>(array: T): T };
  readonly TextEncoder: new () => TextEncoder;
  readonly TextDecoder: new (label?: string, options?: { fatal?: boolean }) => TextDecoder;
  readonly AbortController: new () => AbortController;
  readonly URL: Class<URL, [url: string | URL, base?: string | URL]>;
  readonly WebAssembly: WebAssemblyApi;
  fetch(url: URL): Promise<Response>;
  setTimeout(callback: () => void, ms?: number): Timer;
  clearTimeout(timer: Timer | undefined): void;
  setInterval(callback: () => void, ms?: number): Timer;
  clearInterval(timer: Timer | undefined): void;
  queueMicrotask(callback: () => void): void;
  structuredClone<T>(value: T): T;
}

/** The host's globals, seen through {@link Platform}. */
export const platform: Platform = globalThis as unknown as Platform;

/** `performance.now()`, bound once: it runs on every dispatch. */
export const now: () => number = platform.performance.now.bind(platform.performance);

/** Lets a timer not keep the process alive where timers can be unreferenced (Node, Bun). */
export function unref(timer: Timer): void {
  (timer as { unref?: () => void }).unref?.();
}
