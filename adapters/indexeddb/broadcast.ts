/**
 * Commit notifications between tabs. IndexedDB tells no one when another connection commits, so
 * after each commit the ledger posts the new head and the stream it moved on a BroadcastChannel
 * named for the database; every other tab (and worker) of the origin with the database open
 * hears it and wakes its watchers, which read what is new by position. No polling; a lost or
 * repeated notice costs one read and cannot make a subscription skip or repeat an event.
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

/** What a tab posts after a commit. */
interface Notice {
  readonly head: number;
  /** The streams the commit moved (their keys in the ledger's memory of versions). */
  readonly streams: readonly string[];
}

const isNotice = (data: unknown): data is Notice =>
  typeof data === 'object' &&
  data !== null &&
  Number.isSafeInteger((data as Notice).head) &&
  Array.isArray((data as Notice).streams) &&
  (data as Notice).streams.every((s) => typeof s === 'string');

/** Local watchers plus the channel to other tabs. */
export class Notifier {
  readonly #listeners = new Set<() => void>();
  #remote: ((head: number, streams: readonly string[]) => void) | undefined;
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

  /** Hears, before any watcher, the head and the streams another tab's commit moved. */
  onRemote(listener: (head: number, streams: readonly string[]) => void): void {
    this.#remote = listener;
    this.#open();
  }

  /** After a commit of this connection: wake local watchers and tell the other tabs. */
  committed(head: number, stream: string): void {
    this.#soon();
    const notice: Notice = { head, streams: [stream] };
    this.#open()?.postMessage(notice);
  }

  close(): void {
    this.#closed = true;
    this.#listeners.clear();
    this.#channel?.close();
    this.#channel = undefined;
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
      if (isNotice(event.data)) this.#remote?.(event.data.head, event.data.streams);
      this.#soon();
    };
    channel.unref?.(); // Node: an open channel must not keep the process alive
    this.#channel = channel;
    return channel;
  }
}
