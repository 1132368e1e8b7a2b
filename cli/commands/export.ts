/**
 * `whizbang export`: the log (or what the filters name) as JSON lines, to a file or stdout, with
 * progress on stderr.
 */

import { once } from 'node:events';
import { createWriteStream } from 'node:fs';
import type { Writable } from 'node:stream';
import type { Target } from '../backend.ts';
import { startProgress } from '../progress.ts';
import { type EventFilter, readPages } from '../read.ts';
import { toLine } from '../records.ts';

/** Writes the events to `output` (`-` for stdout); resolves with how many. */
export async function exportEvents(
  target: Target,
  filter: EventFilter,
  output: string,
  showProgress: boolean,
): Promise<number> {
  const head = await target.ledger.headPosition();
  const first = Math.max(1, filter.from ?? 1);
  const last = Math.min(head, filter.to ?? head);
  const byStream = filter.stream !== undefined;
  const total = byStream
    ? await target.ledger.streamVersion(filter.stream!, {
        ...(filter.tenant === undefined ? {} : { tenant: filter.tenant }),
      })
    : Math.max(0, last - first + 1);
  const narrowed =
    filter.tenant !== undefined ||
    (filter.types?.length ?? 0) > 0 ||
    filter.since !== undefined ||
    filter.until !== undefined;
  const progress = showProgress
    ? startProgress('export', total, byStream || !narrowed ? 'events' : 'positions')
    : undefined;
  const sink: Writable = output === '-' ? process.stdout : createWriteStream(output);
  let written = 0;
  let scanned = first - 1;
  try {
    for await (const page of readPages(target.ledger, filter, head, (through) => {
      if (byStream) progress?.tick(through);
      else {
        progress?.tick(through - scanned);
        scanned = through;
      }
    })) {
      written += page.length;
      if (!sink.write(`${page.map(toLine).join('\n')}\n`)) await once(sink, 'drain');
    }
  } finally {
    progress?.done();
    if (sink !== process.stdout) {
      sink.end();
      await once(sink, 'finish');
    }
  }
  return written;
}
