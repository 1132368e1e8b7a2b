/**
 * Whether a segment file's events go on from a ledger, record by record as they stream past:
 * positions from the ledger's head without a gap (or merely rising, when the ledger gives
 * positions anew), each stream's versions from its version in the ledger. It holds one version per
 * stream seen, never the events.
 */
import type { Ledger } from '../contracts/ledger.ts';
import type { WireRecord } from './codec.ts';
import { notAnExport } from './ledger-file.ts';

/** The stream of a record, across tenants. */
export const keyOf = (r: WireRecord): string => `${r.tenant}\u0000${r.streamId}`;

/** Checks a file's records in order against a ledger; keeps the first refusal. */
export class ContinuityCheck {
  readonly #ledger: Ledger;
  readonly #exact: boolean;
  readonly #head: number;
  readonly #versions = new Map<string, number>();
  #previous = 0;
  /** Records seen. */
  records = 0;
  /** The first reason the file does not go on from the ledger, if any. */
  refusal: Error | undefined;

  /** A check against `ledger`, whose head is `head` when the import starts. */
  constructor(ledger: Ledger, head: number, exact: boolean) {
    this.#ledger = ledger;
    this.#head = head;
    this.#exact = exact;
  }

  /** The ledger's head when the import started. */
  get head(): number {
    return this.#head;
  }

  /**
   * Checks the next record (once a refusal is kept, only counts); a promise only when the ledger
   * must be asked for a stream's version, so a file of known streams costs no await per record.
   */
  next(r: WireRecord): Promise<void> | undefined {
    const i = this.records++;
    if (this.refusal !== undefined) return undefined;
    this.refusal = this.#order(r, i);
    if (this.refusal !== undefined) return undefined;
    const key = keyOf(r);
    const known = this.#versions.get(key) ?? (this.#head === 0 ? 0 : undefined);
    if (known !== undefined) {
      this.#follow(r, i, key, known);
      return undefined;
    }
    const asked = this.#ledger.streamVersion(r.streamId!, { tenant: r.tenant });
    if (typeof asked === 'number') {
      this.#follow(r, i, key, asked);
      return undefined;
    }
    return asked.then((version) => this.#follow(r, i, key, version));
  }

  /** The record is a stored event at the position that follows. */
  #order(r: WireRecord, i: number): Error | undefined {
    const head = this.#head;
    if (r.kind !== 'event' || r.streamId === undefined)
      return notAnExport(`record ${i + 1} is a ${r.kind} outside any stream, not a stored event`);
    if (this.#exact ? r.position !== head + i + 1 : r.position <= this.#previous)
      return notAnExport(
        this.#exact
          ? `record ${i + 1} is at position ${r.position}, but the ledger (head ${head}) would put it at ${head + i + 1} (import with positions: 'append' to let the ledger give positions)`
          : `record ${i + 1} is at position ${r.position}, not after ${this.#previous}`,
      );
    this.#previous = r.position;
    return undefined;
  }

  /** The record is the version after its stream's `version`. */
  #follow(r: WireRecord, i: number, key: string, version: number): void {
    if (r.version !== version + 1)
      this.refusal = notAnExport(
        `record ${i + 1} is version ${r.version} of stream "${r.streamId}" (tenant "${r.tenant}"), which is at version ${version}`,
      );
    else this.#versions.set(key, r.version);
  }
}
