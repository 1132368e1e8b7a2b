/**
 * The authoritative sync server over NATS request/reply. A replica's user may publish only to its
 * own push subject, `<subject>.<user>` (NATS permissions: the server's config says so), so the
 * subject is what the connection proved: the server takes the user from it, asks the app for the
 * principal, and never reads one from the request. Servers in one queue group compete for
 * requests. Requests and answers are JSON (`PushRequest`, `PushAnswer` of `whizbang/sync`).
 */
import type { Msg, NatsConnection, Subscription } from '@nats-io/nats-core';
import { invalidArgument } from '../../js/kit/mod.ts';
import { WhizbangError } from '../../js/mod.ts';
import {
  encodePullAnswer,
  type Principal,
  type PullAnswer,
  type PullRequest,
  type PushAnswer,
  type PushRequest,
  parsePullAnswer,
  parsePushAnswer,
  type SyncLink,
  type SyncServer,
} from '../../js/sync/mod.ts';
import { connectNats, type NatsConnectOptions } from './connect.ts';
import { Notifier, notifySubject } from './notify.ts';
import { syncInboxPrefix } from './permissions.ts';

/** Options of {@link natsSyncServer}. */
export interface NatsSyncServerOptions extends NatsConnectOptions {
  /** Push subjects are `<subject>.<user>` (default `whizbang.sync`). */
  readonly subject?: string;
  /** The queue group servers compete in (default `whizbang-sync`). */
  readonly queue?: string;
  /**
   * The principal of a user (the last token of the subject the request came on); `undefined`
   * refuses the request with `FORBIDDEN`.
   */
  readonly principal: (user: string) => Principal | undefined | Promise<Principal | undefined>;
  /** Told of what fails while answering (a reply that could not be sent). */
  readonly onError?: (error: unknown) => void;
  /**
   * Live updates for replicas that read through the server by stream group: the shared log's
   * subject prefix (`prefix` of its `jetstreamLedger`). The server then tells a user's replica
   * (on its own inbox prefix) when a group of its last known scope has a new commit.
   */
  readonly notify?: { readonly prefix: string };
}

/** A running NATS sync server. */
export interface NatsSyncServer {
  /** Stops taking requests, after the answers under way went out; closes its own connection. */
  close(): Promise<void>;
}

/** Options of {@link natsSyncLink}. */
export interface NatsSyncLinkOptions extends NatsConnectOptions {
  /** Push subjects are `<subject>.<user>` (default `whizbang.sync`). */
  readonly subject?: string;
  /**
   * The user this replica pushes as: `<subject>.<as>` is its push subject, the only one its NATS
   * user may publish requests to (`syncPermissions`). A connection the link makes itself uses the
   * inbox prefix `syncInboxPrefix(as)` unless `options.inboxPrefix` says otherwise.
   */
  readonly as: string;
  /** How long to wait for the server's answer (default 10 000 ms). */
  readonly timeoutMs?: number;
}

/** A replica's link to its sync server over NATS. */
export interface NatsSyncLink extends SyncLink {
  /** Sends one pending command; resolves with the server's answer. */
  push(request: PushRequest): Promise<PushAnswer>;
  /** Reads through the server (stream groups): the scope, its groups' events, one stream. */
  pull(request: PullRequest): Promise<PullAnswer>;
  /** Tells `listener` when the server says a group of this user's scope has news. */
  watch(listener: () => void): () => void;
  /** Closes its own connection. */
  close(): Promise<void>;
}

const encoder = new TextEncoder();
const decoder = new TextDecoder();
const TOKEN = /^[A-Za-z0-9_-]{1,128}$/;
const SUBJECT = /^[^\s*>.]+(\.[^\s*>.]+)*$/;

function subjectOf(subject: string | undefined): string {
  const s = subject ?? 'whizbang.sync';
  if (!SUBJECT.test(s)) {
    throw invalidArgument(
      `subject ${JSON.stringify(s)} must be dot-separated tokens without wildcards.`,
    );
  }
  return s;
}

async function answer(
  server: SyncServer,
  options: NatsSyncServerOptions,
  msg: Msg,
  notifier: Notifier | undefined,
): Promise<PushAnswer | PullAnswer> {
  const user = msg.subject.slice(msg.subject.lastIndexOf('.') + 1);
  const principal = TOKEN.test(user) ? await options.principal(user) : undefined;
  if (principal === undefined) {
    return { status: 'refused', code: 'FORBIDDEN', message: `No such user: "${user}".` };
  }
  let request: unknown;
  try {
    request = JSON.parse(decoder.decode(msg.data));
  } catch {
    return {
      status: 'refused',
      code: 'MALFORMED_MESSAGE',
      message: 'The push request is not JSON.',
    };
  }
  if (typeof request === 'object' && request !== null && 'pull' in request) {
    if (server.pull === undefined) {
      return { status: 'refused', code: 'FORBIDDEN', message: 'This sync server serves no pulls.' };
    }
    const pulled = await server.pull(request, principal);
    if (pulled.status === 'scope') await notifier?.scoped(user, principal.tenant, pulled.groups);
    return pulled;
  }
  return server.decide(request, principal);
}

/**
 * An answer as bytes within the server's largest message: a page of events that would not fit is
 * cut (the replica reads on from its last event).
 */
function fitted(reply: PushAnswer | PullAnswer, max: number): Uint8Array {
  const json = (a: PushAnswer | PullAnswer): string =>
    'events' in a ? encodePullAnswer(a) : JSON.stringify(a);
  let bytes = encoder.encode(json(reply));
  let answer = reply;
  while (bytes.length > max - 1024 && answer.status === 'events' && answer.events.length > 1) {
    const events = answer.events.slice(0, Math.ceil(answer.events.length / 2));
    answer = { status: 'events', events, more: true };
    bytes = encoder.encode(json(answer));
  }
  return bytes;
}

/**
 * Answers the pushes of replicas with `server` (`syncServer(app, { authorize })` of
 * `whizbang/sync`) on `<subject>.*`, in a queue group.
 */
export async function natsSyncServer(
  server: SyncServer,
  options: NatsSyncServerOptions,
): Promise<NatsSyncServer> {
  if (typeof server?.decide !== 'function')
    throw invalidArgument('natsSyncServer needs a syncServer(app, …).');
  if (typeof options?.principal !== 'function') {
    throw invalidArgument(
      'natsSyncServer needs `principal`: the user of a push subject, as the app knows them.',
    );
  }
  const subject = subjectOf(options.subject);
  const { connection: nc, owned } = await connectNats(options);
  const notifier =
    options.notify === undefined
      ? undefined
      : new Notifier(nc as NatsConnection, options.notify.prefix);
  const answering = new Set<Promise<void>>();
  const report = (error: unknown): void => {
    try {
      options.onError?.(error);
    } catch {
      // a reporting hook never stops the server
    }
  };
  const take = (msg: Msg): void => {
    if (msg.reply === undefined || msg.reply === '') return; // not a request: nothing to answer
    const done = answer(server, options, msg, notifier)
      .catch((error: unknown): PushAnswer => {
        report(error);
        return {
          status: 'refused',
          code: 'UNAVAILABLE',
          message: 'The sync server failed; push again.',
        };
      })
      .then((reply) => {
        try {
          msg.respond(fitted(reply, (nc as NatsConnection).info?.max_payload ?? 1_048_576));
        } catch (error) {
          report(error); // the connection closed under it: the replica pushes again
        }
      });
    answering.add(done);
    void done.finally(() => answering.delete(done));
  };
  const sub: Subscription = (nc as NatsConnection).subscribe(`${subject}.*`, {
    queue: options.queue ?? 'whizbang-sync',
    callback: (error, msg) => {
      if (error === null) take(msg);
    },
  });
  await nc.flush();
  return {
    async close(): Promise<void> {
      await sub.drain().catch(() => undefined);
      await notifier?.close();
      await Promise.all(answering);
      if (owned) await nc.close();
    },
  };
}

function unreadable(to: string, cause: unknown): WhizbangError {
  return new WhizbangError(
    'MALFORMED_MESSAGE',
    `The sync server answered on "${to}" with something unreadable.`,
    { cause },
  );
}

/** Connects a replica to its sync server: pass it to `startSync(app, { remote, server })`. */
export async function natsSyncLink(options: NatsSyncLinkOptions): Promise<NatsSyncLink> {
  if (typeof options?.as !== 'string' || !TOKEN.test(options.as)) {
    throw invalidArgument(
      'natsSyncLink needs `as`: the user it pushes as, letters, digits, - and _ (the last token of its push subject).',
    );
  }
  const to = `${subjectOf(options.subject)}.${options.as}`;
  const timeout = options.timeoutMs ?? 10_000;
  const { connection, owned } = await connectNats({
    ...options,
    options: { inboxPrefix: syncInboxPrefix(options.as), ...options.options },
  });
  const nc = connection as NatsConnection;
  const core = await import('@nats-io/nats-core');
  const ask = async (request: unknown): Promise<unknown> => {
    let msg: Msg;
    try {
      msg = await nc.request(to, encoder.encode(JSON.stringify(request)), { timeout });
    } catch (error) {
      const missing = error instanceof core.RequestError && error.isNoResponders();
      throw new WhizbangError(
        nc.isClosed() ? 'CLOSED' : 'UNAVAILABLE',
        missing
          ? `No sync server answers on "${to}"; the next round pushes again.`
          : `The sync server did not answer on "${to}" (${error instanceof Error ? error.message : String(error)}); the next round pushes again.`,
        { cause: error },
      );
    }
    try {
      return JSON.parse(decoder.decode(msg.data));
    } catch (cause) {
      throw unreadable(to, cause);
    }
  };
  return {
    async push(request: PushRequest): Promise<PushAnswer> {
      const reply = await ask(request);
      try {
        return parsePushAnswer(reply);
      } catch (cause) {
        throw unreadable(to, cause);
      }
    },
    async pull(request: PullRequest): Promise<PullAnswer> {
      const reply = await ask(request);
      try {
        return parsePullAnswer(reply);
      } catch (cause) {
        throw unreadable(to, cause);
      }
    },
    watch(listener: () => void): () => void {
      // the server tells `syncInboxPrefix(as)`: the prefix this user's connections use
      const sub = nc.subscribe(notifySubject(syncInboxPrefix(options.as)), {
        callback: () => listener(),
      });
      return () => sub.unsubscribe();
    },
    async close(): Promise<void> {
      if (owned) await nc.close();
    },
  };
}
