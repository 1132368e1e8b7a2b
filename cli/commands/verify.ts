/**
 * `whizbang verify`: the log's integrity — positions gapless from 1, each stream's versions
 * contiguous from 1, every payload decodable — read end to end; the first offending position fails
 * it with a stable code.
 */
import type { Ledger, RecordedEvent } from '../../js/mod.ts';
import { CliError } from '../fail.ts';
import type { Progress } from '../progress.ts';
import { PAGE } from '../read.ts';

/** What a clean log holds. */
export interface Verified {
  /** Events read. */
  readonly events: number;
  /** Streams seen. */
  readonly streams: number;
  /** The head position. */
  readonly head: number;
}

/** Reads one page; a page that cannot be read is read event by event to name the position. */
async function readPage(ledger: Ledger, from: number, to: number): Promise<RecordedEvent[]> {
  try {
    return await ledger.readAll({ from, to, limit: PAGE });
  } catch (error) {
    for (let p = from; p <= Math.min(to, from + PAGE - 1); p++) {
      try {
        await ledger.readAll({ from: p, to: p, limit: 1 });
      } catch (cause) {
        throw new CliError(
          'UNDECODABLE_PAYLOAD',
          `The event at position ${p} cannot be read: ${cause instanceof Error ? cause.message : String(cause)}`,
          { position: p },
        );
      }
    }
    throw error;
  }
}

/** Checks the whole log up to its head; throws a `CliError` at the first problem. */
export async function verify(
  ledger: Ledger,
  progress?: (head: number) => Progress,
): Promise<Verified> {
  const head = await ledger.headPosition();
  const bar = progress?.(head);
  const versions = new Map<string, number>();
  let expected = 1;
  try {
    while (expected <= head) {
      const page = await readPage(ledger, expected, head);
      if (page.length === 0) {
        throw new CliError(
          'POSITION_GAP',
          `Position ${expected} is missing: the log ends at ${expected - 1} but its head is ${head}.`,
          { position: expected },
        );
      }
      for (const e of page) {
        if (e.position !== expected) {
          throw new CliError(
            'POSITION_GAP',
            `Position ${expected} is missing (the next event is at ${e.position}).`,
            { position: expected },
          );
        }
        const key = `${e.tenant}\u0000${e.streamId}`;
        const version = (versions.get(key) ?? 0) + 1;
        if (e.version !== version) {
          throw new CliError(
            'VERSION_GAP',
            `Stream "${e.streamId}" (tenant "${e.tenant}") goes from version ${version - 1} to ${e.version} at position ${e.position}.`,
            { position: e.position },
          );
        }
        versions.set(key, version);
        if (e.data === undefined) {
          throw new CliError(
            'UNDECODABLE_PAYLOAD',
            `The event at position ${e.position} has no payload.`,
            { position: e.position },
          );
        }
        expected++;
      }
      bar?.tick(page.length);
    }
  } finally {
    bar?.done();
  }
  return { events: expected - 1, streams: versions.size, head };
}
