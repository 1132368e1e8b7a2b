/**
 * Appending a run of a segment file's checked records to a ledger: one append per run of the same
 * stream, all of them in one transaction where the ledger has `appendBatch`, each landing where the
 * file says when positions are exact.
 */
import type {
  AppendOptions,
  AppendResult,
  BatchAppend,
  Ledger,
  NewEvent,
} from '../contracts/ledger.ts';
import type { WireRecord } from './codec.ts';
import { keyOf } from './ledger-check.ts';
import { notAnExport } from './ledger-file.ts';

/** The appends of a run of records: one per run of the same stream. */
function appendsOf(run: readonly WireRecord[]): BatchAppend[] {
  const appends: { streamId: string; events: NewEvent[]; options: AppendOptions }[] = [];
  for (let i = 0; i < run.length; i++) {
    const r = run[i]!;
    const event = {
      type: r.type,
      data: r.data,
      messageId: r.messageId,
      correlationId: r.correlationId,
      causationId: r.causationId,
      timestamp: r.timestamp,
      ...(r.metadata === undefined ? {} : { metadata: r.metadata }),
    };
    if (i > 0 && keyOf(run[i - 1]!) === keyOf(r)) appends[appends.length - 1]!.events.push(event);
    else
      appends.push({
        streamId: r.streamId!,
        events: [event],
        options: { tenant: r.tenant, expectedVersion: r.version - 1 },
      });
  }
  return appends;
}

/** Appends `run` (checked records); with `exact`, throws when one lands off its position. */
export async function writeRun(
  ledger: Ledger,
  run: readonly WireRecord[],
  exact: boolean,
): Promise<void> {
  const appends = appendsOf(run);
  let results: AppendResult[];
  if (ledger.appendBatch !== undefined) results = await ledger.appendBatch(appends);
  else {
    results = [];
    for (const a of appends) results.push(await ledger.append(a.streamId, a.events, a.options));
  }
  if (!exact) return;
  let i = 0;
  for (const result of results)
    for (const e of result.events) {
      const wanted = run[i++]!.position;
      if (e.position !== wanted)
        throw notAnExport(
          `position ${wanted} landed at ${e.position}: another writer appended during the import (the ledger holds the file up to position ${wanted - 1})`,
        );
    }
}
