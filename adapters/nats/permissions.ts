/**
 * The NATS permissions of a replica's user in server mode: publish to its own push subject and
 * read the shared log through JetStream's read-only API (stream info, message gets, consumers of
 * its own), receive on its own inbox prefix, and nothing else — so no client can publish events
 * to the log, delete or purge it, push as another user, or read another user's answers.
 */

/** Options of {@link syncPermissions}. */
export interface SyncPermissionsOptions {
  /** The user (the last token of its push subject). */
  readonly user: string;
  /** Push subjects are `<subject>.<user>` (default `whizbang.sync`). */
  readonly subject?: string;
  /** The JetStream stream of the shared log (default `WHIZBANG_LEDGER`). */
  readonly stream?: string;
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
  return {
    publish: {
      allow: [
        `${options.subject ?? 'whizbang.sync'}.${user}`,
        `${api}.INFO`,
        `${api}.STREAM.INFO.${stream}`,
        `${api}.STREAM.MSG.GET.${stream}`,
        `${api}.DIRECT.GET.${stream}`,
        `${api}.DIRECT.GET.${stream}.>`,
        `${api}.CONSUMER.CREATE.${stream}`,
        `${api}.CONSUMER.CREATE.${stream}.>`,
        `${api}.CONSUMER.INFO.${stream}.>`,
        `${api}.CONSUMER.DELETE.${stream}.>`,
        `${api}.CONSUMER.MSG.NEXT.${stream}.>`,
        `$JS.ACK.${stream}.>`,
      ],
    },
    subscribe: { allow: [`${syncInboxPrefix(user)}.>`] },
  };
}
