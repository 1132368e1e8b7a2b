/**
 * A ledger whose events are stored encrypted: each event's `data` and `metadata` sealed together
 * into its `data`, bound to its tenant, stream, id and type; what the driver indexes (stream,
 * version, position, type, tenant, ids, time) stays clear. Reads open every event they return.
 */
import type { AppendOptions, Ledger, NewEvent, RecordedEvent } from '../contracts/ledger.ts';
import { DEFAULT_TENANT } from '../messages/envelope.ts';
import { uuidv7 } from '../util/ids.ts';
import { allOf, chain, type MaybePromise } from '../util/maybe.ts';
import { type Box, contextOf } from './atrest-box.ts';
import { withAtRestWriter } from './atrest-writer.ts';
import { sealingLedger } from './sealing-ledger.ts';

/** The sealed payload of an event: its data and metadata. */
interface Payload {
  readonly d?: unknown;
  readonly m?: Readonly<Record<string, unknown>>;
}

const eventContext = (tenant: string, streamId: string, messageId: string, type: string): string =>
  contextOf('event', tenant, streamId, messageId, type);

/** One event given: as stored (sealed) and as handlers see it (with its id fixed). */
interface Sealed {
  readonly stored: NewEvent;
  readonly plain: NewEvent;
}

function sealEvents(
  box: Box,
  streamId: string,
  events: readonly NewEvent[],
  tenant: string,
): MaybePromise<Sealed[]> {
  return allOf(
    events.map((e) => {
      const messageId = e.messageId ?? uuidv7();
      const plain: NewEvent = e.messageId === undefined ? { ...e, messageId } : e;
      const payload: Payload =
        e.metadata === undefined ? { d: e.data } : { d: e.data, m: e.metadata };
      return chain(
        box.seal(eventContext(tenant, streamId, messageId, e.type), payload, e.type, 'payload'),
        (data) => {
          const { metadata: _clear, ...rest } = plain;
          return { stored: { ...rest, data } as NewEvent, plain };
        },
      );
    }),
  );
}

/** Opens one stored event; AT_REST_TAMPERED when it does not authenticate. */
export function openEvent(box: Box, e: RecordedEvent): MaybePromise<RecordedEvent> {
  const context = eventContext(e.tenant, e.streamId, e.messageId, e.type);
  const what = () => `event at position ${e.position} (stream "${e.streamId}")`;
  return chain(box.open(context, e.data, what), (p) => {
    const payload = (p ?? {}) as Payload;
    return { ...e, data: payload.d, metadata: payload.m } as RecordedEvent;
  });
}

/** Opens stored events, in order. */
export function openEvents(box: Box, events: RecordedEvent[]): MaybePromise<RecordedEvent[]> {
  return events.length === 0 ? events : allOf(events.map((e) => openEvent(box, e)));
}

/** The recorded events as handlers see them: data and metadata as given. */
function plainOf(recorded: readonly RecordedEvent[], given: readonly Sealed[]): RecordedEvent[] {
  return recorded.map((r, i) => {
    const p = given[i]?.plain;
    return p === undefined ? r : ({ ...r, data: p.data, metadata: p.metadata } as RecordedEvent);
  });
}

function optionsFor(
  box: Box,
  options: AppendOptions | undefined,
  given: readonly Sealed[],
): AppendOptions | undefined {
  const inTx = options?.inTransaction;
  if (inTx === undefined) return options;
  return {
    ...options,
    inTransaction: (r, tx) => withAtRestWriter(tx, box, (w) => inTx(plainOf(r, given), w)),
  };
}

/** `ledger` with every event's payload sealed by `box`. */
export function atRestLedger(ledger: Ledger, box: Box): Ledger {
  return sealingLedger<Sealed>(ledger, {
    seal: (streamId, events, options) =>
      sealEvents(box, streamId, events, options?.tenant ?? DEFAULT_TENANT),
    stored: (g) => g.stored,
    options: (options, given) => optionsFor(box, options, given),
    plain: plainOf,
    open: (events) => openEvents(box, events),
  });
}
