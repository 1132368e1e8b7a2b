/** An append's events as the SQL append functions take them: one array per column. */
import { checkExpectedVersion, encodePayload, type Limits } from '../../js/kit/mod.ts';
import { type ExpectedVersion, type NewEvent, uuidv7 } from '../../js/mod.ts';

/** The columns of an append's events, one array each. */
export interface EventRows {
  readonly types: string[];
  readonly ids: string[];
  readonly correlations: (string | null)[];
  readonly causations: (string | null)[];
  readonly times: number[];
  readonly data: string[];
  readonly metadata: (string | null)[];
}

/** The expected version as the SQL functions take it: a version, or -1 any, -2 no stream, -3 exists. */
export function expectedCode(expected: ExpectedVersion): number {
  if (expected === 'any') return -1;
  if (expected === 'no_stream') return -2;
  if (expected === 'stream_exists') return -3;
  // checks the shape (a bad value throws) without a stream to compare against
  if (typeof expected !== 'number' || !Number.isSafeInteger(expected) || expected < 0)
    checkExpectedVersion('', expected, 0);
  return expected;
}

/** Encodes (and checks) the events of one append; throws before anything is sent. */
export function encodeRows(
  streamId: string,
  events: readonly NewEvent[],
  limits: Limits,
): EventRows {
  const n = events.length;
  const types = new Array<string>(n);
  const ids = new Array<string>(n);
  const correlations = new Array<string | null>(n);
  const causations = new Array<string | null>(n);
  const times = new Array<number>(n);
  const data = new Array<string>(n);
  const metadata = new Array<string | null>(n);
  const now = Date.now();
  for (let i = 0; i < n; i++) {
    const e = events[i]!;
    const { data: d, metadata: m } = encodePayload(streamId, e, limits);
    const id = e.messageId ?? uuidv7(now);
    types[i] = e.type;
    ids[i] = id;
    correlations[i] =
      e.correlationId === undefined || e.correlationId === id ? null : e.correlationId;
    causations[i] = e.causationId === undefined || e.causationId === id ? null : e.causationId;
    times[i] = e.timestamp ?? now;
    data[i] = d;
    metadata[i] = m;
  }
  return { types, ids, correlations, causations, times, data, metadata };
}
