/**
 * Another log's events appended to the page's ledger as they were recorded — ids, times, streams,
 * versions — through the app's replica port, so its inline perspectives apply them and nothing is
 * dispatched again: a domain's starting events (a copy, once, to an empty ledger), or the next
 * events of a log the page follows (`tail.ts`).
 */
import type { Ledger, NewEvent, RecordedEvent, ReplicatedRun, Whizbang } from '../../js/mod.ts';

/** Runs per transaction. */
const CHUNK = 500;

/** Appends `events` to `ledger` when it is empty; resolves with how many were appended. */
export async function seedLedger(
  app: Whizbang<any, any>,
  ledger: Ledger,
  events: readonly RecordedEvent[],
): Promise<number> {
  if (events.length === 0 || (await ledger.headPosition()) > 0) return 0;
  await appendCopy(app, ledger, events);
  return events.length;
}

/** Appends `events` (the next of another log, oldest first) as they were recorded. */
export async function appendCopy(
  app: Whizbang<any, any>,
  ledger: Ledger,
  events: readonly RecordedEvent[],
): Promise<void> {
  const runs: Array<ReplicatedRun & { events: NewEvent[] }> = [];
  for (const e of events) {
    const event: NewEvent = {
      type: e.type,
      data: e.data,
      messageId: e.messageId,
      correlationId: e.correlationId,
      causationId: e.causationId,
      timestamp: e.timestamp,
      ...(e.metadata === undefined ? {} : { metadata: e.metadata }),
    };
    const last = runs.at(-1);
    if (last?.streamId === e.streamId && last.tenant === e.tenant) last.events.push(event);
    else
      runs.push({
        streamId: e.streamId,
        tenant: e.tenant,
        events: [event],
        expectedVersion: e.version - 1,
      });
  }
  for (let i = 0; i < runs.length; i += CHUNK) {
    await app.replica.appendReplicated(ledger, runs.slice(i, i + CHUNK), () => {});
  }
}
