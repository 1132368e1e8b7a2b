/**
 * A nats-server of the test's own for a sync server and its replicas: the server's user may do
 * anything, each replica's user has the permissions `syncPermissions()` gives it.
 */
import type { NatsConnection } from '@nats-io/nats-core';
import { connect } from '@nats-io/transport-node';
import { type SyncPermissionsOptions, syncPermissions } from '../../adapters/nats/node.ts';
import { type OwnNatsServer, startNatsServer } from './nats-server.ts';

/** The password `user` logs in with. */
export const syncPassword = (user: string): string => `${user}-password`;

/** The server started, and the sync server's own connection to it (user `server`). */
export interface SyncNatsServer {
  readonly server: OwnNatsServer;
  readonly admin: NatsConnection;
}

/** Starts the server with `users`, each with `syncPermissions(permissionsOf(user))`. */
export async function startSyncNatsServer(
  users: readonly string[],
  permissionsOf: (user: string) => SyncPermissionsOptions,
  options: { websocket?: boolean } = {},
): Promise<SyncNatsServer> {
  const entries = users.map((user) =>
    JSON.stringify({
      user,
      password: syncPassword(user),
      permissions: syncPermissions(permissionsOf(user)),
    }),
  );
  const server = await startNatsServer(
    `authorization { users: [ { user: "server", password: "${syncPassword('server')}" }, ${entries.join(', ')} ] }`,
    options,
  );
  const admin = await connect({
    servers: server.url,
    user: 'server',
    pass: syncPassword('server'),
  });
  return { server, admin };
}
