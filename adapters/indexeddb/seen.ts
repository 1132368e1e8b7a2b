/**
 * The ledger's memory of the last head position and stream versions it saw, so that an append
 * can add at once instead of reading them first. It is never ahead of the database, as both only
 * grow; what another tab's commit moved is forgotten, and a commit of this connection is told to
 * the other tabs.
 */

import type { AppendResult, ExpectedVersion } from '../../js/mod.ts';
import type { Notifier } from './broadcast.ts';

/** How many streams' versions the ledger remembers. */
const REMEMBERED = 10_000;

/** The last head and versions seen, by stream key (see `streamKey`). */
export class Seen {
  #head: number | undefined;
  readonly #versions = new Map<string, number>();
  readonly #notifier: Notifier;

  /** Listens to `notifier` for other tabs' commits, and tells it of this connection's. */
  constructor(notifier: Notifier) {
    this.#notifier = notifier;
    notifier.onRemote((position, streams) => {
      this.sawHead(position);
      // another tab moved them
      if (streams === null) this.#versions.clear();
      else for (const key of streams) this.#versions.delete(key);
    });
  }

  /** The last head position seen, if any. */
  get head(): number | undefined {
    return this.#head;
  }

  /** The last version seen of the stream `key`, if remembered. */
  version(key: string): number | undefined {
    return this.#versions.get(key);
  }

  /** The head was at `position` (a bound method: reads pass it on). */
  readonly sawHead = (position: number): void => {
    if (this.#head === undefined || position > this.#head) this.#head = position;
  };

  /** The stream `key` was at `version` (a bound method: reads pass it on). */
  readonly saw = (key: string, version: number): void => {
    const known = this.#versions.get(key);
    if (known !== undefined && known >= version) return;
    if (known === undefined && this.#versions.size >= REMEMBERED)
      this.#versions.delete(this.#versions.keys().next().value!);
    this.#versions.set(key, version);
  };

  /** What was seen of the stream `key` and of the head is not to be trusted: read both afresh. */
  forget(key: string): void {
    this.#versions.delete(key);
    this.#head = undefined;
  }

  /** An append to the stream `key` committed: remember where it left both, and tell the tabs. */
  committed(key: string, appended: AppendResult): void {
    this.saw(key, appended.version);
    this.sawHead(appended.position);
    if (appended.events.length > 0) this.#notifier.committed(appended.position, key);
  }
}

/**
 * The version to add after without reading it first, or undefined when it must be read: the
 * version seen last, when it satisfies `expected`, and 0 for a stream expected to be new.
 */
export function assumed(expected: ExpectedVersion, seen: number | undefined): number | undefined {
  if (typeof expected === 'number') {
    if (!Number.isSafeInteger(expected) || expected < 0) return undefined; // refused by the check
    return seen === expected || (seen === undefined && expected === 0) ? expected : undefined;
  }
  if (expected === 'any') return seen;
  if (expected === 'no_stream') return seen === undefined || seen === 0 ? 0 : undefined;
  if (expected === 'stream_exists') return seen !== undefined && seen > 0 ? seen : undefined;
  return undefined;
}
