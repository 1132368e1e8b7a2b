/**
 * The shared log as a replica that reads through its server sees it (stream groups): a Ledger
 * whose reads are pulls on the sync link, of the groups the replica holds in full (`ready`). It
 * appends nothing (commands go to the server), and the server refuses whatever is outside the
 * principal's scope.
 */
import type { AppendResult, Ledger, RecordedEvent } from '../contracts/ledger.ts';
import { isWhizbangError, WhizbangError } from '../util/errors.ts';
import type { PullAnswer, PullRequest } from './scope.ts';
import type { SyncLink } from './wire.ts';

/** The codes a refused pull keeps; any other is `REMOTE_FAILED`. */
const PASSED = ['FORBIDDEN', 'MALFORMED_MESSAGE', 'UNAVAILABLE'] as const;

/** A link that can pull. */
export type PullingLink = SyncLink & Required<Pick<SyncLink, 'pull'>>;

/** Sends one pull; a refusal is thrown as a Whizbang error with its code. */
export async function pullOn(
  link: PullingLink,
  request: PullRequest,
): Promise<Exclude<PullAnswer, { status: 'refused' }>> {
  const answer = await link.pull(request);
  if (answer.status === 'refused') {
    const code = PASSED.find((c) => c === answer.code) ?? 'REMOTE_FAILED';
    throw new WhizbangError(code, answer.message);
  }
  return answer;
}

async function eventsOf(link: PullingLink, request: PullRequest): Promise<RecordedEvent[]> {
  return [...(await pageOf(link, request)).events];
}

async function pageOf(
  link: PullingLink,
  request: PullRequest,
): Promise<Extract<PullAnswer, { status: 'events' }>> {
  const answer = await pullOn(link, request);
  if (answer.status !== 'events') {
    throw new WhizbangError('MALFORMED_MESSAGE', 'The sync server answered a pull out of turn.');
  }
  return answer;
}

/** The shared log through `link`, reading the groups `ready()` names. */
export function throughServer(link: PullingLink, ready: () => readonly string[]): Ledger {
  const stream = async (
    streamId: string,
    opts: { readonly from?: number; readonly to?: number; readonly limit?: number } = {},
  ): Promise<RecordedEvent[]> => {
    let all: RecordedEvent[];
    try {
      all = await eventsOf(link, { pull: 'stream', streamId });
    } catch (error) {
      // a stream outside the scope is, for this replica, a stream with nothing in it: a rebase
      // of it (a command the server refused on a stream the replica may not see) empties it
      if (isWhizbangError(error, 'FORBIDDEN')) return [];
      throw error;
    }
    const from = opts.from ?? 1;
    const to = opts.to ?? Number.MAX_SAFE_INTEGER;
    return all
      .filter((e) => e.version >= from && e.version <= to)
      .slice(0, opts.limit ?? Number.MAX_SAFE_INTEGER);
  };
  return {
    append: (): Promise<AppendResult> =>
      Promise.reject(
        new WhizbangError(
          'FORBIDDEN',
          'A replica reading through its server appends nothing to the shared log: it pushes its commands.',
        ),
      ),
    readStream: stream,
    async readAll(opts = {}): Promise<RecordedEvent[]> {
      const groups = ready();
      if (groups.length === 0) return [];
      return eventsOf(link, {
        pull: 'groups',
        groups,
        from: Math.max(opts.from ?? 1, 1),
        ...(opts.to === undefined ? {} : { to: opts.to }),
        limit: Math.min(opts.limit ?? 1000, 10_000),
      });
    },
    // page after page until the server says there is no more (no empty read at the end)
    async *readAllBatches(opts = {}): AsyncIterable<RecordedEvent[]> {
      const groups = ready();
      let from = Math.max(opts.from ?? 1, 1);
      const limit = Math.min(opts.batch ?? 1000, 10_000);
      if (groups.length === 0) return;
      for (;;) {
        const page = await pageOf(link, { pull: 'groups', groups, from, limit });
        if (page.events.length > 0) yield [...page.events];
        if (page.more !== true || page.events.length === 0) return;
        from = page.events[page.events.length - 1]!.position + 1;
      }
    },
    streamVersion: async (streamId) => (await stream(streamId)).at(-1)?.version ?? 0,
    headPosition: () => 0,
    watch: (listener) => link.watch?.(listener) ?? (() => undefined),
  };
}
