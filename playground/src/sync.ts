/**
 * The sync panel's connection: the open domain's app syncing with a JetStream shared log on a
 * NATS server reached over WebSocket. Its stream and subject prefix come from the domain's id, so
 * every tab (and every browser) that opens the same domain shares one log.
 */

import { wsconnect } from '@nats-io/nats-core';
import { jetstreamLedger } from '../../adapters/nats/mod.ts';
import { type Sync, type SyncConflict, type SyncReport, startSync } from '../../js/sync/mod.ts';
import type { Session } from './session.ts';

/** Where a domain's shared log lives: `PLAYGROUND_BANK` on `playground.bank.<tenant>.<stream>`. */
export function sharedLogOf(domainId: string): { stream: string; prefix: string } {
  const name = domainId.replace(/[^A-Za-z0-9_-]/g, '_');
  return { stream: `PLAYGROUND_${name.toUpperCase()}`, prefix: `playground.${name}` };
}

/** What the page is told while connected. */
export interface SyncHooks {
  onRound(report: SyncReport): void;
  onError(error: unknown): void;
  onConflict(conflict: SyncConflict): void;
}

/** A live connection: background rounds until `close()`. */
export interface Connection {
  readonly url: string;
  /** The JetStream stream of the shared log. */
  readonly stream: string;
  readonly sync: Sync;
  close(): Promise<void>;
}

/** Says what is wrong with a URL the visitor typed, or nothing. */
export function checkUrl(url: string): string | undefined {
  if (!/^wss?:\/\/[^\s/]+/i.test(url)) {
    return `"${url}" is not a WebSocket URL: give one like ws://127.0.0.1:8080 (the websocket port of nats-server, not 4222).`;
  }
  return undefined;
}

/**
 * Connects to `url`, opens the domain's shared log (made when missing), and starts background
 * rounds. Throws when the server cannot be reached or has no JetStream; nothing is left open then.
 */
export async function connectSync(
  session: Session,
  url: string,
  hooks: SyncHooks,
): Promise<Connection> {
  const wrong = checkUrl(url);
  if (wrong !== undefined) throw new Error(wrong);
  const log = sharedLogOf(session.domain.id);
  const remote = await jetstreamLedger({
    servers: url,
    connect: wsconnect,
    ...log,
    // a wrong URL fails in seconds; once connected, a lost server is retried (rounds report it)
    options: { timeout: 5000 },
  });
  const sync = startSync(session.app, {
    remote,
    intervalMs: 3000,
    onRound: hooks.onRound,
    onError: hooks.onError,
    onConflict: hooks.onConflict,
  });
  sync.start();
  return {
    url,
    stream: log.stream,
    sync,
    async close() {
      await sync.stop();
      await remote.close();
    },
  };
}
