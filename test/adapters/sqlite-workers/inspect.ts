/**
 * The parent's check of a file after the append worker was killed: what must hold however the
 * kill fell.
 */
import { sqliteDriver } from '../../../adapters/sqlite/mod.ts';
import type { RecordedEvent } from '../../../js/contracts/ledger.ts';

/** The streams the append worker writes to. */
export const STREAMS: readonly string[] = ['a', 'b', 'c'];

/** What the append worker printed after an append returned. */
export interface Ack {
  readonly run: string;
  readonly seq: number;
  readonly stream: string;
  readonly version: number;
  readonly position: number;
  readonly count: number;
}

/** Reads an `ack …` line. */
export const parseAck = (line: string): Ack => {
  const [, run, seq, stream, version, position, count] = line.split(' ');
  return {
    run: run!,
    seq: Number(seq),
    stream: stream!,
    version: Number(version),
    position: Number(position),
    count: Number(count),
  };
};

/**
 * Reopens the file the append worker wrote and lists what is wrong with it: integrity, positions
 * 1..N, versions 1..n per stream, every append whole, every ack present where it said, and the
 * inline model, checkpoint and outbox in step with the events. Also returns the `start` lines the
 * next worker should print.
 */
export function inspect(
  path: string,
  acks: readonly Ack[],
): { problems: string[]; versions: string[] } {
  const driver = sqliteDriver({ path });
  const problems: string[] = [];
  try {
    const integrity = driver.database.prepare('PRAGMA integrity_check').get();
    if (integrity?.integrity_check !== 'ok')
      problems.push(`integrity: ${JSON.stringify(integrity)}`);
    const events = driver.ledger.readAll();
    events.forEach((e, i) => {
      if (e.position !== i + 1) problems.push(`position ${e.position} at index ${i}`);
    });
    const streams = new Map<string, RecordedEvent[]>();
    const appends = new Map<string, RecordedEvent[]>();
    for (const e of events) {
      streams.set(e.streamId, [...(streams.get(e.streamId) ?? []), e]);
      const d = e.data as { run: string; seq: number };
      const key = `${d.run}/${d.seq}`;
      appends.set(key, [...(appends.get(key) ?? []), e]);
    }
    for (const [stream, list] of streams) {
      list.forEach((e, i) => {
        if (e.version !== i + 1) problems.push(`${stream}: version ${e.version} at index ${i}`);
      });
      const recorded = driver.ledger.streamVersion(stream);
      if (recorded !== list.length)
        problems.push(`${stream}: whizbang_streams says ${recorded}, events say ${list.length}`);
      // the inline model was written in the same transaction as the stream's last append
      const last = list[list.length - 1]!;
      const model = driver.store.get('tally', last.tenant, stream);
      const d = last.data as { run: string; seq: number };
      if (
        model?.version !== last.version ||
        model.position !== last.position ||
        (model.model as { last: string }).last !== `${d.run}/${d.seq}`
      )
        problems.push(`${stream}: tally ${JSON.stringify(model)} is not at ${last.version}`);
    }
    const checkpoint = driver.store.checkpoint('tally');
    if (checkpoint !== events.length)
      problems.push(`tally checkpoint ${checkpoint}, head ${events.length}`);
    const outbox = driver.database.prepare('SELECT id FROM whizbang_outbox ORDER BY seq').all();
    const expected = [...appends.keys()];
    if (outbox.map((r) => r.id).join() !== expected.join())
      problems.push(`outbox holds ${outbox.length} records for ${expected.length} appends`);
    // every stored append is whole: all its parts, in one stream, back to back
    for (const [key, list] of appends) {
      const of = (list[0]!.data as { of: number }).of;
      const parts = list.map((e) => (e.data as { part: number }).part);
      const first = list[0]!;
      const whole =
        parts.join() === Array.from({ length: of }, (_, i) => i).join() &&
        list.every(
          (e, i) =>
            e.streamId === first.streamId &&
            e.version === first.version + i &&
            e.position === first.position + i,
        );
      if (!whole) problems.push(`append ${key} is partial: parts ${parts.join()} of ${of}`);
    }
    // every acknowledged append is there, where the writer was told it went
    for (const ack of acks) {
      const list = appends.get(`${ack.run}/${ack.seq}`);
      const last = list?.[list.length - 1];
      if (
        list?.length !== ack.count ||
        last?.streamId !== ack.stream ||
        last.version !== ack.version ||
        last.position !== ack.position
      )
        problems.push(`acknowledged append ${JSON.stringify(ack)} is missing or moved`);
    }
    return {
      problems,
      versions: STREAMS.map((s) => `start ${s} ${driver.ledger.streamVersion(s)}`),
    };
  } finally {
    driver.close();
  }
}
