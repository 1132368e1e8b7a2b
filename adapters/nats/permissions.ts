/**
 * The NATS permissions of a replica's user in server mode: publish to its own push subject and
 * read the shared log through JetStream's read-only API (stream info, message gets, consumers of
 * its own) — or, with `tenant`, only that tenant's subjects through filtered consumers; with
 * `groups`, nothing of JetStream: it reads through the server — receive
 * on its own inbox prefix, and nothing else — so no client can publish events
 * to the log, delete or purge it, push as another user, or read another user's answers.
 */

import { invalidArgument } from '../../js/kit/mod.ts';

/** Options of {@link syncPermissions}. */
export interface SyncPermissionsOptions {
  /** The user (the last token of its push subject). */
  readonly user: string;
  /** Push subjects are `<subject>.<user>` (default `whizbang.sync`). */
  readonly subject?: string;
  /** The JetStream stream of the shared log (default `WHIZBANG_LEDGER`). */
  readonly stream?: string;
  /**
   * The one tenant the user may read (a plain token: letters, digits, `-`, `_`): reads only
   * through consumers filtered on `<prefix>.<tenant>.>`, as `scopedLedger` makes them; no gets
   * by sequence, no stream info. Without it, the user may read the whole log.
   */
  readonly tenant?: string;
  /** The log's subject prefix (default `whizbang.ledger`), with `tenant`. */
  readonly prefix?: string;
  /**
   * Stream groups: the replica reads only through the sync server, which serves its scope's
   * groups, so the user gets no JetStream API at all — publish to its push subject, subscribe on
   * its inbox prefix (answers and the server's news), nothing else.
   */
  readonly groups?: boolean;
}

/** A user's permissions, as nats-server's config takes them (JSON is valid config syntax). */
export interface NatsPermissions {
  /** Subjects the user may publish to. */
  readonly publish: { readonly allow: readonly string[] };
  /** Subjects the user may subscribe to. */
  readonly subscribe: { readonly allow: readonly string[] };
}

/** The inbox prefix a replica's connections use (`options: { inboxPrefix }`): only it may read there. */
export function syncInboxPrefix(user: string): string {
  return `_INBOX_${user}`;
}

/**
 * The permissions of a replica's user in server mode, for the `users` of nats-server's
 * `authorization` block: `{ user: 'ann', password: '…', permissions: syncPermissions({ user: 'ann' }) }`.
 */
export function syncPermissions(options: SyncPermissionsOptions): NatsPermissions {
  const { user } = options;
  const stream = options.stream ?? 'WHIZBANG_LEDGER';
  const api = '$JS.API';
  const push = `${options.subject ?? 'whizbang.sync'}.${user}`;
  const consumers = [
    `${api}.CONSUMER.INFO.${stream}.>`,
    `${api}.CONSUMER.DELETE.${stream}.>`,
    `${api}.CONSUMER.MSG.NEXT.${stream}.>`,
    `$JS.ACK.${stream}.>`,
  ];
  const inbox = { allow: [`${syncInboxPrefix(user)}.>`] };
  if (options.groups === true) return { publish: { allow: [push] }, subscribe: inbox };
  const tenant = options.tenant;
  if (tenant !== undefined) {
    if (!/^[A-Za-z0-9_-]{1,64}$/.test(tenant)) {
      throw invalidArgument(
        `tenant ${JSON.stringify(tenant)} must be a plain token (letters, digits, - and _) to be named in permissions.`,
      );
    }
    const scope = `${options.prefix ?? 'whizbang.ledger'}.${tenant}`;
    return {
      publish: {
        allow: [push, `${api}.INFO`, `${api}.CONSUMER.CREATE.${stream}.*.${scope}.>`, ...consumers],
      },
      subscribe: inbox,
    };
  }
  return {
    publish: {
      allow: [
        push,
        `${api}.INFO`,
        `${api}.STREAM.INFO.${stream}`,
        `${api}.STREAM.MSG.GET.${stream}`,
        `${api}.DIRECT.GET.${stream}`,
        `${api}.DIRECT.GET.${stream}.>`,
        `${api}.CONSUMER.CREATE.${stream}`,
        `${api}.CONSUMER.CREATE.${stream}.>`,
        ...consumers,
      ],
    },
    subscribe: inbox,
  };
}
