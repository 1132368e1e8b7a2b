/**
 * The sync server: the lists app built from the same receptors as the browsers, on the shared log
 * (the JetStream ledger, `authoritativeDriver`) with its read models in PostgreSQL. It decides the
 * commands the browsers push, for the user their NATS connection proved, after the `authorize`
 * hooks said that user may touch the list.
 */
import { connect } from '@nats-io/transport-node';
import { jetstreamDriver, natsSyncServer } from 'whizbang/nats/node';
import { postgresDriver } from 'whizbang/postgres';
import type { Principal } from 'whizbang/sync';
import { type AuthorizeHook, authoritativeDriver, syncServer } from 'whizbang/sync';
import { lists, listsApp } from '../src/domain.ts';

/** Where the server finds the shared log and PostgreSQL. */
export interface ListsServerOptions {
  /** The nats-server (`nats://…`), and the server's own user there. */
  readonly nats: { readonly url: string; readonly user: string; readonly pass: string };
  /** The JetStream stream of the shared log, and its subject prefix. */
  readonly stream: string;
  readonly prefix: string;
  /** Push subjects are `<subject>.<user>`. */
  readonly subject: string;
  /** PostgreSQL: a connection string, and the schema of the read models. */
  readonly postgres: { readonly url: string; readonly schema: string };
  /** The people who may sign in. */
  readonly users: readonly string[];
  /** Told of each pushed command the server decided or refused. */
  readonly log?: (line: string) => void;
}

/** A running sync server. */
export interface ListsServer {
  /** Stops taking pushes and closes its connections. */
  close(): Promise<void>;
}

type ListRef = { readonly listId: string };

/** Starts the sync server. */
export async function startListsServer(options: ListsServerOptions): Promise<ListsServer> {
  const pg = await postgresDriver({ url: options.postgres.url, schema: options.postgres.schema });
  const connection = await connect({
    servers: options.nats.url,
    user: options.nats.user,
    pass: options.nats.pass,
  });
  const shared = await jetstreamDriver({
    connection,
    stream: options.stream,
    prefix: options.prefix,
    store: pg.store, // the read models: in PostgreSQL
  });
  const app = listsApp({ driver: authoritativeDriver(shared) });

  // who may touch a list: its owner (the list lives in the owner's part of the log)
  const onList: AuthorizeHook = async ({ command, principal }) => {
    const { listId } = command.data as ListRef;
    const list = await app.lens(lists).get(listId, { tenant: principal.tenant });
    if (list === undefined) return true; // the receptor refuses: the list does not exist
    return list.owner === principal.userId || 'This list is not yours, nor shared with you.';
  };
  const decider = syncServer(app, {
    authorize: {
      CreateList: ({ command, principal }) =>
        (command.data as { owner: string }).owner === principal.userId ||
        'A list is created for oneself.',
      AddItem: onList,
      CheckItem: onList,
      RemoveItem: onList,
    },
    onDecided: (request, answer, principal) =>
      options.log?.(
        `${principal.userId}: ${request.command.type} ${answer.status}${answer.status === 'refused' ? ` (${answer.code}: ${answer.message})` : ''}`,
      ),
  });
  const known = new Set(options.users);
  const listening = await natsSyncServer(decider, {
    connection,
    subject: options.subject,
    // each person acts in a part of the log of their own: the tenant named after them
    principal: (user): Principal | undefined =>
      known.has(user) ? { userId: user, tenant: user } : undefined,
  });
  return {
    async close() {
      await listening.close();
      await app.close();
      await connection.close();
      await pg.close();
    },
  };
}
