/**
 * Bytes that arrive in chunks: a whole buffer, an (async) iterable of chunks (a Node stream, an
 * async generator) or a web `ReadableStream<Uint8Array>` (Node, Deno, Bun, browsers), read one
 * chunk at a time into a queue that hands out exactly the bytes asked for. Typed here so the core
 * needs neither DOM nor Node types.
 */
import { invalidArgument } from '../util/errors.ts';

/** What the walk needs of a web stream's reader (a `ReadableStreamDefaultReader<Uint8Array>`). */
export interface ByteStreamReader {
  /** The next chunk, or `done` at the end. */
  read(): Promise<{ readonly done: boolean; readonly value?: Uint8Array | undefined }>;
  /** Stops reading: the stream is told no more is wanted. */
  cancel(reason?: unknown): Promise<void>;
  /** Gives the stream back. */
  releaseLock(): void;
}

/** A web `ReadableStream<Uint8Array>`, as far as reading it goes. */
export interface ByteStream {
  /** A reader of its chunks. */
  getReader(): ByteStreamReader;
}

/**
 * Bytes to read once: a whole buffer, chunks from an iterable or async iterable (a Node
 * `Readable`, an async generator), or a web `ReadableStream<Uint8Array>`.
 */
export type ByteSource = Uint8Array | Iterable<Uint8Array> | AsyncIterable<Uint8Array> | ByteStream;

const isStream = (s: object): s is ByteStream =>
  typeof (s as { getReader?: unknown }).getReader === 'function';

/** The chunks of `source` in order; stopping early cancels a web stream. */
export async function* chunksOf(source: ByteSource): AsyncGenerator<Uint8Array> {
  if (source instanceof Uint8Array) {
    yield source;
    return;
  }
  if (!isStream(source)) {
    for await (const chunk of source) yield bytesOf(chunk);
    return;
  }
  const reader = source.getReader();
  let done = false;
  try {
    for (;;) {
      const next = await reader.read();
      if (next.done) break;
      if (next.value !== undefined) yield bytesOf(next.value);
    }
    done = true;
  } finally {
    if (!done) await reader.cancel().catch(() => undefined);
    reader.releaseLock();
  }
}

function bytesOf(chunk: unknown): Uint8Array {
  if (chunk instanceof Uint8Array) return chunk;
  throw invalidArgument(
    `A chunk of segment bytes is a ${typeof chunk}, not a Uint8Array: read the file as bytes (no text encoding).`,
  );
}

/**
 * The chunks read so far and not yet handed out: `fill(n)` reads until `n` bytes wait (or the
 * source ends), `take` copies bytes out and drops them.
 */
export class ChunkQueue {
  readonly #chunks: AsyncIterator<Uint8Array>;
  #parts: Uint8Array[] = [];
  /** Bytes of the first part already handed out. */
  #skip = 0;
  /** Bytes waiting. */
  length = 0;
  /** Whether the source has ended. */
  ended = false;

  /** A queue over the chunks of `source`. */
  constructor(source: ByteSource) {
    this.#chunks = chunksOf(source);
  }

  /** Reads until `n` bytes wait or the source ends; whether `n` wait. */
  async fill(n: number): Promise<boolean> {
    while (this.length < n && !this.ended) {
      const next = await this.#chunks.next();
      if (next.done === true) this.ended = true;
      else if (next.value.length > 0) {
        this.#parts.push(next.value);
        this.length += next.value.length;
      }
    }
    return this.length >= n;
  }

  /** Copies the next `n` waiting bytes into `to` at `at` and drops them (`to` omitted: drops). */
  take(n: number, to?: Uint8Array, at = 0): void {
    let left = n;
    while (left > 0) {
      const part = this.#parts[0]!;
      const step = Math.min(left, part.length - this.#skip);
      to?.set(part.subarray(this.#skip, this.#skip + step), at + n - left);
      left -= step;
      this.#skip += step;
      if (this.#skip === part.length) {
        this.#parts.shift();
        this.#skip = 0;
      }
    }
    this.length -= n;
  }

  /** A copy of the next `n` waiting bytes (fewer when fewer wait), left waiting. */
  peek(n: number): Uint8Array {
    const out = new Uint8Array(Math.min(n, this.length));
    let at = 0;
    for (let i = 0, skip = this.#skip; at < out.length; i++, skip = 0) {
      const part = this.#parts[i]!.subarray(skip, skip + out.length - at);
      out.set(part, at);
      at += part.length;
    }
    return out;
  }

  /** Stops reading the source (a web stream is cancelled) unless it has ended. */
  async close(): Promise<void> {
    if (!this.ended) {
      this.ended = true;
      await this.#chunks.return?.(undefined);
    }
  }
}
