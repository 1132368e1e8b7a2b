/**
 * The sync server's reads for replicas that read through it (stream groups): their scope is what
 * the app's `groups` hook says of the principal now, and the server reads only groups in it from
 * the shared log (`GroupLog`: the JetStream ledger made with a `group` function). A group or a
 * stream outside the scope is refused with `FORBIDDEN`, nothing read.
 */
import type { RecordedEvent } from '../contracts/ledger.ts';
import type { Whizbang } from '../runtime/types.ts';
import { isWhizbangError } from '../util/errors.ts';
import type { MaybePromise } from '../util/maybe.ts';
import { type PullAnswer, parsePullRequest } from './scope.ts';
import type { Principal } from './wire.ts';

/** The shared log as a scoped server reads it: `await jetstreamLedger({ …, group })` is one. */
export interface GroupLog {
  /** The group of a stream, `undefined` when it is in none (then no replica reads it this way). */
  groupOf(streamId: string): string | undefined;
  /** Events of some groups of one tenant, by position, from `from` to `to`, at most `limit`. */
  readGroups(read: {
    readonly tenant: string;
    readonly groups: readonly string[];
    readonly from?: number;
    readonly to?: number;
    readonly limit?: number;
  }): Promise<RecordedEvent[]>;
  /** One stream's events. */
  readStream(streamId: string, options?: { readonly tenant?: string }): Promise<RecordedEvent[]>;
}

/** What a `groups` hook is asked about. */
export interface ScopeRequest {
  /** Who reads, from the authenticated connection. */
  readonly principal: Principal;
  /** The server app, to read its lenses (memberships, shares). */
  readonly app: Whizbang<any, any>;
}

/** A server's scopes: which groups a principal may read, and the log to read them from. */
export interface ScopeOptions {
  /** The shared log, read by group: `await jetstreamLedger({ connection, stream, prefix, group })`. */
  readonly log: GroupLog;
  /** The groups a principal may see now (asked on every pull: a share or unshare counts at once). */
  readonly groups: (request: ScopeRequest) => MaybePromise<readonly string[]>;
}

function refusal(code: string, message: string): PullAnswer {
  return { status: 'refused', code, message };
}

/** Answers one pull of a replica (see the module note). Never throws. */
export async function servePull(
  scope: ScopeOptions | undefined,
  app: Whizbang<any, any>,
  raw: unknown,
  principal: Principal,
): Promise<PullAnswer> {
  if (scope === undefined) {
    return refusal('FORBIDDEN', 'This sync server serves no scoped reads (no `scope` option).');
  }
  try {
    const request = parsePullRequest(raw);
    const mine = new Set(await scope.groups({ principal, app }));
    if (request.pull === 'scope') return { status: 'scope', groups: [...mine] };
    if (request.pull === 'stream') {
      const group = scope.log.groupOf(request.streamId);
      if (group === undefined || !mine.has(group)) {
        return refusal(
          'FORBIDDEN',
          `User ${principal.userId} may not read stream "${request.streamId}".`,
        );
      }
      const events = await scope.log.readStream(request.streamId, { tenant: principal.tenant });
      return { status: 'events', events };
    }
    const outside = request.groups.find((g) => !mine.has(g));
    if (outside !== undefined) {
      return refusal('FORBIDDEN', `User ${principal.userId} may not read group "${outside}".`);
    }
    const events = await scope.log.readGroups({
      tenant: principal.tenant,
      groups: request.groups,
      from: request.from,
      ...(request.to === undefined ? {} : { to: request.to }),
      limit: request.limit,
    });
    return events.length >= request.limit
      ? { status: 'events', events, more: true }
      : { status: 'events', events };
  } catch (error) {
    if (isWhizbangError(error, 'MALFORMED_MESSAGE')) return refusal(error.code, error.message);
    return refusal(
      'UNAVAILABLE',
      `The sync server could not read the shared log (${error instanceof Error ? error.message : String(error)}); pull again.`,
    );
  }
}
