/**
 * Commit notifications between tabs. IndexedDB tells no one when another connection commits, so
 * after a commit the ledger posts the new head and the streams it moved on a BroadcastChannel
 * named for the database; every other tab (and worker) of the origin with the database open
 * hears it and wakes its watchers, which read what is new by position. No polling; a lost or
 * repeated notice costs one read and cannot make a subscription skip or repeat an event.
 *
 * Model writes made without an append (an async perspective's batch, a rebuild's clear) are told
 * in a notice of their own naming the perspectives, for live lenses in other tabs; those hear
 * every commit notice too (an append's inline perspectives changed with it).
 *
 * A post costs the browser about as much as a small commit, so a burst of commits is told in one
 * notice: the first at once, then at most one per {@link NOTICE_GAP_MS}.
 */

/** The channel a database's commits are announced on. */
export function channelName(database: string): string {
  return `whizbang:indexeddb:${database}`;
}

interface Channel {
  postMessage(message: unknown): void;
  close(): void;
  onmessage: ((event: { readonly data: unknown }) => void) | null;
  unref?: () => void;
}

type ChannelConstructor = new (name: string) => Channel;

/** The least time between two notices of one connection, ms. */
export const NOTICE_GAP_MS = 10;
/** A notice naming more streams than this names none: the others forget every version seen. */
const MAX_STREAMS = 256;

/** What a tab posts after commits. */
interface Notice {
  readonly head: number;
  /** The streams the commits moved (their keys in the ledger's memory), or null for "any". */
  readonly streams: readonly string[] | null;
}

const isNotice = (data: unknown): data is Notice =>
  typeof data === 'object' &&
  data !== null &&
  Number.isSafeInteger((data as Notice).head) &&
  ((data as Notice).streams === null ||
    (Array.isArray((data as Notice).streams) &&
      (data as Notice).streams!.every((s) => typeof s === 'string')));

/** What a tab posts after model writes made without an append. */
interface ModelNotice {
  readonly models: readonly string[];
}

const isModelNotice = (data: unknown): data is ModelNotice =>
  typeof data === 'object' &&
  data !== null &&
  Array.isArray((data as ModelNotice).models) &&
  (data as ModelNotice).models.every((m) => typeof m === 'string');

/** Local watchers plus the channel to other tabs. */
export class Notifier {
  readonly #listeners = new Set<() => void>();
  readonly #models = new Set<(perspectives: readonly string[] | undefined) => void>();
  #remote: ((head: number, streams: readonly string[] | null) => void) | undefined;
  #unsent: { head: number; readonly streams: Set<string> } | undefined;
  #timer: ReturnType<typeof setTimeout> | undefined;
  #lastPost = Number.NEGATIVE_INFINITY;
  readonly #name: string;
  readonly #Channel: ChannelConstructor | undefined;
  #channel: Channel | undefined;
  #scheduled = false;
  #closed = false;

  /** `broadcast: false` keeps notices in this connection. */
  constructor(database: string, broadcast: boolean) {
    this.#name = channelName(database);
    const found = (globalThis as { BroadcastChannel?: ChannelConstructor }).BroadcastChannel;
    this.#Channel = broadcast ? found : undefined;
  }

  /** Adds a watcher; returns its removal. */
  watch(listener: () => void): () => void {
    this.#listeners.add(listener);
    this.#open();
    return () => {
      this.#listeners.delete(listener);
    };
  }

  /**
   * Hears, before any watcher, the head and the streams another tab's commits moved (null: it
   * does not say which).
   */
  onRemote(listener: (head: number, streams: readonly string[] | null) => void): void {
    this.#remote = listener;
    this.#open();
  }

  /**
   * Hears other tabs' notices for live lenses: the perspectives a model notice names, or
   * undefined after a commit notice (its inline perspectives may have changed any model).
   */
  watchModels(listener: (perspectives: readonly string[] | undefined) => void): () => void {
    this.#models.add(listener);
    this.#open();
    return () => {
      this.#models.delete(listener);
    };
  }

  /** After models were written without an append: tell the other tabs which perspectives. */
  modelsChanged(perspectives: readonly string[]): void {
    if (this.#Channel === undefined || this.#closed || perspectives.length === 0) return;
    const notice: ModelNotice = { models: perspectives };
    this.#open()?.postMessage(notice);
  }

  /** After a commit of this connection: wake local watchers and tell the other tabs. */
  committed(head: number, stream: string): void {
    this.#soon();
    if (this.#Channel === undefined || this.#closed) return;
    if (this.#unsent === undefined) this.#unsent = { head, streams: new Set() };
    this.#unsent.head = Math.max(this.#unsent.head, head);
    this.#unsent.streams.add(stream);
    if (this.#timer !== undefined) return; // the next notice is on its way
    const wait = this.#lastPost + NOTICE_GAP_MS - Date.now();
    if (wait <= 0) this.#post();
    else this.#timer = setTimeout(() => this.#post(), wait);
  }

  close(): void {
    if (this.#timer !== undefined) clearTimeout(this.#timer);
    this.#post(); // what is still untold
    this.#closed = true;
    this.#listeners.clear();
    this.#models.clear();
    this.#channel?.close();
    this.#channel = undefined;
  }

  #post(): void {
    this.#timer = undefined;
    const unsent = this.#unsent;
    if (unsent === undefined) return;
    this.#unsent = undefined;
    this.#lastPost = Date.now();
    const streams = unsent.streams.size > MAX_STREAMS ? null : [...unsent.streams];
    const notice: Notice = { head: unsent.head, streams };
    this.#open()?.postMessage(notice);
  }

  #soon(): void {
    if (this.#scheduled || this.#listeners.size === 0) return;
    this.#scheduled = true;
    queueMicrotask(() => {
      this.#scheduled = false;
      for (const listener of this.#listeners) listener();
    });
  }

  #open(): Channel | undefined {
    if (this.#channel !== undefined || this.#closed || this.#Channel === undefined)
      return this.#channel;
    const channel = new this.#Channel(this.#name);
    channel.onmessage = (event) => {
      if (isModelNotice(event.data)) {
        for (const listener of this.#models) listener(event.data.models);
        return;
      }
      if (isNotice(event.data)) this.#remote?.(event.data.head, event.data.streams);
      for (const listener of this.#models) listener(undefined);
      this.#soon();
    };
    channel.unref?.(); // Node: an open channel must not keep the process alive
    this.#channel = channel;
    return channel;
  }
}
