/**
 * Partitions of an async perspective: partition `index` of `of` applies only the events whose
 * model key hashes to it, and keeps a checkpoint of its own (`<name>#<index + 1>/<of>`), so that
 * several instances can share one perspective's work. The models stay under the perspective's
 * name: every key belongs to one partition.
 */
import type { StoreWriter } from '../contracts/store.ts';
import type { Perspective } from '../definitions/perspective.ts';
import { invalidArgument } from '../util/errors.ts';

/** One partition of a perspective. */
export interface Partition {
  /** Which one, from 0. */
  readonly index: number;
  /** How many there are. */
  readonly of: number;
}

/** FNV-1a of a key: the same partition for a key on every instance and runtime. */
function hash(key: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < key.length; i++) {
    h ^= key.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

/** Checks a partition count from the options. */
export function checkPartitions(name: string, count: unknown): number {
  if (typeof count !== 'number' || !Number.isSafeInteger(count) || count < 1 || count > 1024) {
    throw invalidArgument(
      `coordinate.partitions["${name}"] must be a whole number from 1 to 1024, got ${String(count)}.`,
    );
  }
  return count;
}

/** The checkpoint name of a partition (the perspective's own name when it is not split). */
export function checkpointOf(name: string, part: Partition | undefined): string {
  return part === undefined ? name : `${name}#${part.index + 1}/${part.of}`;
}

/** The perspective as one partition sees it: keys of other partitions are skipped. */
export function partitionOf(p: Perspective, part: Partition): Perspective {
  const key = p.key;
  return {
    ...p,
    key: (event) => {
      const id = key(event);
      return id !== undefined && hash(id) % part.of === part.index ? id : undefined;
    },
  };
}

/** A writer that keeps the checkpoint of `name` under `checkpoint` instead. */
export function checkpointWriter(tx: StoreWriter, name: string, checkpoint: string): StoreWriter {
  if (name === checkpoint) return tx;
  const at = (perspective: string): string => (perspective === name ? checkpoint : perspective);
  const writer: StoreWriter = {
    get: (perspective, tenant, id) => tx.get(perspective, tenant, id),
    put: (perspective, row) => tx.put(perspective, row),
    delete: (perspective, tenant, id) => tx.delete(perspective, tenant, id),
    setCheckpoint: (perspective, position) => tx.setCheckpoint(at(perspective), position),
    ...(tx.checkpoint === undefined
      ? {}
      : { checkpoint: (perspective: string) => tx.checkpoint!(at(perspective)) }),
  };
  return tx.outbox === undefined ? writer : { ...writer, outbox: tx.outbox };
}
