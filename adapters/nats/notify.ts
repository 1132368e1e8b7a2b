/**
 * Live updates for replicas that read through the sync server by stream group: the server hears
 * every commit of the shared log (core NATS sees what JetStream stores, on
 * `<prefix>.<tenant>.<group>.<stream>`) and tells each user whose last known scope holds the group
 * that there is news, with an empty message on the user's own inbox prefix
 * (`<syncInboxPrefix(user)>.notify`, the only subjects a replica may subscribe to). The message
 * carries nothing; the replica's next round pulls, and the server decides again what it may read.
 */
import type { NatsConnection, Subscription } from '@nats-io/nats-core';
import { token } from './ledger/subjects.ts';
import { syncInboxPrefix } from './permissions.ts';

/** The subject a user's replica hears of news on. */
export function notifySubject(inboxPrefix: string): string {
  return `${inboxPrefix}.notify`;
}

/** Who has which groups (by subject token), as their last scope pull said. */
export class Notifier {
  readonly #byGroup = new Map<string, Set<string>>();
  readonly #byUser = new Map<string, Set<string>>();
  readonly #nc: NatsConnection;
  readonly #sub: Subscription;
  readonly #depth: number;

  constructor(nc: NatsConnection, prefix: string) {
    this.#nc = nc;
    this.#depth = prefix.split('.').length;
    this.#sub = nc.subscribe(`${prefix}.>`, {
      callback: (error, msg) => {
        if (error === null) this.#heard(msg.subject);
      },
    });
  }

  /** A user's scope, as the server just answered it. */
  async scoped(user: string, tenant: string, groups: readonly string[]): Promise<void> {
    const t = await token(tenant);
    const keys = new Set(await Promise.all(groups.map(async (g) => `${t}.${await token(g)}`)));
    for (const key of this.#byUser.get(user) ?? []) {
      if (!keys.has(key)) this.#byGroup.get(key)?.delete(user);
    }
    for (const key of keys) {
      const users = this.#byGroup.get(key);
      if (users === undefined) this.#byGroup.set(key, new Set([user]));
      else users.add(user);
    }
    this.#byUser.set(user, keys);
  }

  #heard(subject: string): void {
    const tokens = subject.split('.');
    if (tokens.length !== this.#depth + 3) return; // a stream in no group
    const key = `${tokens[this.#depth]}.${tokens[this.#depth + 1]}`;
    for (const user of this.#byGroup.get(key) ?? []) {
      try {
        this.#nc.publish(notifySubject(syncInboxPrefix(user)));
      } catch {
        // closing: nothing to tell
      }
    }
  }

  /** Stops listening. */
  async close(): Promise<void> {
    await this.#sub.drain().catch(() => undefined);
  }
}
