/**
 * Every message read from the ledger's subjects is checked before it counts as a commit: its
 * placement headers (whole numbers, at least one event), its commit id, a payload that is a commit
 * of exactly that many events, and a subject that names the payload's own tenant and stream. A
 * message that fails is foreign (published by something else, or damaged): it is skipped with a
 * report and never changes how positions are assigned.
 */

import type { MsgHdrs } from '@nats-io/nats-core';
import { type RecordedEvent, WhizbangError } from '../../../js/mod.ts';
import { H, type Placement, recordedFrom } from './commit.ts';
import { token, tokenNow } from './subjects.ts';

/** Largest placement value a header may hold. */
const WHOLE = /^[1-9][0-9]{0,15}$/;
/** Most events one commit may claim (a header asking for more is not a commit of ours). */
const MAX_COUNT = 1_000_000;

/** A message of the ledger's stream as read (a direct get or a consumer's). */
export interface LedgerMessage {
  readonly seq: number;
  readonly subject: string;
  readonly data: Uint8Array;
  readonly header: MsgHdrs | undefined;
}

/** A valid commit: where it sits and its events. */
export interface Commit {
  readonly seq: number;
  readonly at: Placement;
  readonly events: RecordedEvent[];
  /** Its commit id (`Nats-Msg-Id`). */
  readonly id: string;
  /** The subject it was published on. */
  readonly subject: string;
}

/** Told of each message skipped as foreign or malformed. */
export type Report = (error: WhizbangError) => void;

/** The error of a message that is not a commit. */
export function foreign(
  m: { readonly seq: number; readonly subject: string },
  why: string,
): WhizbangError {
  return new WhizbangError(
    'MALFORMED_MESSAGE',
    `Message ${m.seq} on "${m.subject}" is not a ledger commit (${why}); it was skipped. Only the JetStream ledger may publish on its subjects: restrict the subjects with NATS permissions.`,
  );
}

function whole(h: MsgHdrs | undefined, name: string): number | undefined {
  const text = h?.get(name) ?? '';
  return WHOLE.test(text) ? Number(text) : undefined;
}

/** The placement in a message's headers, when they hold a valid one. */
export function placementOf(h: MsgHdrs | undefined): Placement | undefined {
  const position = whole(h, H.position);
  const version = whole(h, H.version);
  const count = whole(h, H.count);
  if (position === undefined || version === undefined || count === undefined) return undefined;
  if (count > MAX_COUNT || !Number.isSafeInteger(position + count)) return undefined;
  return { position, version, count };
}

/** The group of a stream, as the app defines it (`undefined`: the stream is in no group). */
export type GroupOf = (streamId: string) => string | undefined;

/**
 * The subject a commit of `tenant` and `streamId` is published on: `<prefix>.<tenant>.<stream>`,
 * or `<prefix>.<tenant>.<group>.<stream>` for a stream in a group.
 */
export function subjectFor(
  prefix: string,
  tenant: string,
  streamId: string,
  group?: string,
): string | Promise<string> {
  const t = tokenNow(tenant);
  const s = tokenNow(streamId);
  const g = group === undefined ? '' : tokenNow(group);
  if (t !== undefined && s !== undefined && g !== undefined) {
    return g === '' ? `${prefix}.${t}.${s}` : `${prefix}.${t}.${g}.${s}`;
  }
  return Promise.all([
    token(tenant),
    token(streamId),
    group === undefined ? '' : token(group),
  ]).then(([a, b, c]) => (c === '' ? `${prefix}.${a}.${b}` : `${prefix}.${a}.${c}.${b}`));
}

/**
 * Whether a message's subject names its commit's tenant and stream: exactly (with the stream's
 * group) when the group function is known, else with or without one group token between them.
 */
async function subjectFits(
  subject: string,
  prefix: string,
  tenant: string,
  streamId: string,
  groupOf: GroupOf | undefined,
): Promise<boolean> {
  if (groupOf !== undefined)
    return (await subjectFor(prefix, tenant, streamId, groupOf(streamId))) === subject;
  const plain = await subjectFor(prefix, tenant, streamId);
  if (plain === subject) return true;
  const head = `${prefix}.${await token(tenant)}.`;
  const tail = `.${await token(streamId)}`;
  if (!subject.startsWith(head) || !subject.endsWith(tail)) return false;
  const middle = subject.slice(head.length, subject.length - tail.length);
  return middle.length > 0 && !middle.includes('.');
}

/** The commit a message holds, or the error saying why it holds none. */
export async function commitOf(
  m: LedgerMessage,
  prefix: string,
  groupOf?: GroupOf,
): Promise<Commit | WhizbangError> {
  const at = placementOf(m.header);
  if (at === undefined) return foreign(m, 'no valid placement headers');
  const id = m.header?.get('Nats-Msg-Id') ?? '';
  if (id === '') return foreign(m, 'no commit id');
  const events = recordedFrom(m.data, at);
  if (typeof events === 'string') return foreign(m, events);
  const first = events[0]!;
  if (!(await subjectFits(m.subject, prefix, first.tenant, first.streamId, groupOf))) {
    return foreign(m, `its payload is a commit of another tenant or stream`);
  }
  return { seq: m.seq, at, events, id, subject: m.subject };
}

/** Whether a value is a commit or an error. */
export function isCommit(value: Commit | WhizbangError): value is Commit {
  return !(value instanceof WhizbangError);
}
