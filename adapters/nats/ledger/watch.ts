/**
 * Watching the ledger: while anyone watches, a headers-only consumer follows the log and each
 * commit it sees (from any process) tells the watchers, once per microtask.
 */

import { Watchers } from '../../../js/kit/mod.ts';
import type { LedgerLog } from './log.ts';

/** The ledger's watchers and the consumer that wakes them. */
export class LedgerWatch {
  readonly #log: LedgerLog;
  readonly #listeners = new Watchers();
  #watching: { close(): Promise<void> } | undefined;
  #watchStart: Promise<void> | undefined;

  constructor(log: LedgerLog) {
    this.#log = log;
  }

  /** Tells the watchers a commit landed. */
  heard(): void {
    this.#listeners.soon();
  }

  /** Adds a watcher, following the log from now on; returns its unsubscribe. */
  add(listener: () => void): () => void {
    this.#listeners.add(listener);
    this.#watchStart ??= this.#start();
    return () => {
      this.#listeners.delete(listener);
      if (this.#listeners.size === 0) void this.#stop();
    };
  }

  /** Drops every watcher and stops following the log. */
  async close(): Promise<void> {
    this.#listeners.clear();
    await this.#stop();
  }

  async #start(): Promise<void> {
    // from the commit after the tail seen now: a subscriber that reads the head after calling
    // watch() asks on the same connection after this, so nothing falls between the two
    const info = await this.#log.info();
    const consumer = await this.#log.js.consumers.get(this.#log.name, {
      opt_start_seq: info.state.last_seq + 1,
      headers_only: true,
    });
    const messages = await consumer.consume();
    this.#watching = {
      async close() {
        await messages.close().catch(() => undefined);
        await consumer.delete().catch(() => undefined);
      },
    };
    void (async () => {
      for await (const _ of messages) this.heard();
    })().catch(() => undefined);
  }

  async #stop(): Promise<void> {
    const starting = this.#watchStart;
    this.#watchStart = undefined;
    await starting?.catch(() => undefined);
    const open = this.#watching;
    this.#watching = undefined;
    await open?.close();
  }
}
