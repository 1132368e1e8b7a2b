/**
 * Where `importLedger` keeps a file it can read only once (a web stream, an upload, stdin) while
 * it checks it: the checked segments are written to the stage as they pass, the ledger is written
 * from the stage only once the whole file has passed, and the stage is dropped either way — so a
 * file damaged midway or cut short writes nothing to the ledger. The default keeps the bytes in
 * memory (the file's size, far below its decoded events); a stage on disk keeps memory flat (the
 * CLI's spools to a temporary file).
 */
import type { ByteSource } from './byte-source.ts';

/** A place for the checked bytes of a file read once; see {@link memoryStage}. */
export interface SegmentStage {
  /** Keeps a checked segment (its bytes are the caller's to reuse once this settles: copy them). */
  write(segment: Uint8Array): Promise<void> | void;
  /** The bytes kept, in order (called once, after the last `write`). */
  read(): ByteSource | Promise<ByteSource>;
  /** Throws the bytes away (called once, after the import, whether it succeeded or not). */
  drop(): Promise<void> | void;
}

const EMPTY = /* @__PURE__ */ new Uint8Array(0);

/**
 * A stage in memory: the checked segments, copied, until the import ends.
 * @example
 * ```ts
 * import { memoryDriver } from 'whizbang';
 * import { exportLedgerStream, importLedger, memoryStage } from 'whizbang/wasm';
 *
 * const from = memoryDriver();
 * await from.ledger.append('account-1', [{ type: 'Opened', data: { owner: 'Ada' } }]);
 * const to = memoryDriver();
 * // a stream is read once: checked into the stage, then appended from it
 * await importLedger(exportLedgerStream(from.ledger), to.ledger, { stage: memoryStage() });
 * ```
 */
export function memoryStage(): SegmentStage {
  let kept: Uint8Array[] = [];
  return {
    write: (segment) => {
      kept.push(segment.slice());
    },
    // each segment is let go once read, so the stage shrinks as the ledger fills
    read: function* () {
      for (let i = 0; i < kept.length; i++) {
        const segment = kept[i]!;
        kept[i] = EMPTY;
        yield segment;
      }
    },
    drop: () => {
      kept = [];
    },
  };
}
