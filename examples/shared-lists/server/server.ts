/**
 * The sync server: the lists app built from the same receptors as the browsers, on the shared log
 * (the JetStream ledger, `authoritativeDriver`) with its read models in PostgreSQL. It decides the
 * commands the browsers push, for the user their NATS connection proved, after the `authorize`
 * hooks said that user may touch the list, and serves each person's replica the lists they own or
 * that are shared with them (one stream group per list), and nothing else.
 */
import { connect } from '@nats-io/transport-node';
import { jetstreamDriver, jetstreamLedger, natsSyncServer } from 'whizbang/nats/node';
import { postgresDriver } from 'whizbang/postgres';
import {
  type AuthorizeHook,
  authoritativeDriver,
  type PendingCommand,
  type Principal,
  syncServer,
} from 'whizbang/sync';
import { group, listStream, lists, listsApp } from '../src/domain.ts';

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

/** Starts the sync server. */
export async function startListsServer(options: ListsServerOptions): Promise<ListsServer> {
  const pg = await postgresDriver({ url: options.postgres.url, schema: options.postgres.schema });
  const connection = await connect({
    servers: options.nats.url,
    user: options.nats.user,
    pass: options.nats.pass,
  });
  // every process on the log names the same groups: subjects are <prefix>.<tenant>.<group>.<stream>
  const shared = { connection, stream: options.stream, prefix: options.prefix, group };
  const driver = await jetstreamDriver({ ...shared, store: pg.store }); // read models: PostgreSQL
  const app = listsApp({ driver: authoritativeDriver(driver) });
  const log = await jetstreamLedger(shared); // what the replicas read, group by group

  const listOf = (command: PendingCommand) =>
    app.lens(lists).get((command.data as { listId: string }).listId);
  // items: the owner, and the people the list is shared with
  const member: AuthorizeHook = async ({ command, principal }) => {
    const list = await listOf(command);
    if (list === undefined) return true; // the receptor refuses: no such list
    return (
      list.owner === principal.userId ||
      list.members.includes(principal.userId) ||
      'This list is not yours, nor shared with you.'
    );
  };
  // sharing: the owner only
  const owner: AuthorizeHook = async ({ command, principal }) => {
    const list = await listOf(command);
    if (list === undefined) return true;
    return list.owner === principal.userId || 'Only its owner shares a list.';
  };
  const known = new Set(options.users);
  const decider = syncServer(app, {
    authorize: {
      CreateList: ({ command, principal }) =>
        (command.data as { owner: string }).owner === principal.userId ||
        'A list is created for oneself.',
      AddItem: member,
      CheckItem: member,
      RemoveItem: member,
      ShareList: async (request) =>
        known.has((request.command.data as { with: string }).with)
          ? owner(request)
          : 'No such person.',
      UnshareList: owner,
    },
    // what each person's replica holds: the groups of the lists they own or share, asked anew on
    // every pull, so a share brings a list's history and an unshare takes it away
    scope: {
      log,
      groups: async ({ principal }) =>
        (await app.lens(lists).query())
          .filter((l) => l.owner === principal.userId || l.members.includes(principal.userId))
          .map((l) => listStream(l.id)),
    },
    onDecided: (request, answer, principal) =>
      options.log?.(
        `${principal.userId}: ${request.command.type} ${answer.status}${answer.status === 'refused' ? ` (${answer.code}: ${answer.message})` : ''}`,
      ),
  });
  const listening = await natsSyncServer(decider, {
    connection,
    subject: options.subject,
    principal: (user): Principal | undefined =>
      known.has(user) ? { userId: user, tenant: 'default' } : undefined,
    notify: { prefix: options.prefix }, // news to each person when a list of theirs changes
  });
  return {
    async close() {
      await listening.close();
      await log.close();
      await app.close();
      await connection.close();
      await pg.close();
    },
  };
}
