/**
 * A server-mode replica run under Deno or Bun (started by sync-server-runtimes.int.test.ts, whose
 * Node process runs the server): the shared lists on SQLite (`whizbang/sqlite/deno` on Deno's
 * `node:sqlite`, `whizbang/sqlite/bun` on `bun:sqlite`), its tenant's view of the JetStream log
 * (`scopedLedger`) and the push link (`natsSyncLink`), over the node transport of `whizbang/nats`.
 * It creates a list and adds to it, then adds to a list of another user it is not a member of;
 * prints one JSON line with what it saw.
 * Usage: deno run … | bun sync-client-runtime.ts <servers> <stream> <prefix> <subject> <user> <tenant> <db path>
 */
import process from 'node:process';
import { natsSyncLink, scopedLedger } from '../../adapters/nats/node.ts';
import { offlineDriver, startSync } from '../../js/sync/mod.ts';
import { AddItem, CreateList, lists, listsApp } from '../support/shared-lists.ts';

const [servers, stream, prefix, subject, user, tenant, path] = process.argv.slice(2) as [
  string,
  string,
  string,
  string,
  string,
  string,
  string,
];
const deno = (globalThis as { Deno?: unknown }).Deno !== undefined;
const { sqliteDriver } = deno
  ? await import('../../adapters/sqlite/deno.ts')
  : await import('../../adapters/sqlite/bun.ts');

const app = listsApp(offlineDriver(sqliteDriver({ path })));
const remote = await scopedLedger({ servers, stream, prefix, tenant });
const link = await natsSyncLink({ servers, subject, as: user });
const sync = startSync(app, { remote, server: link });
try {
  const mine = `${user}s`;
  await app.send(CreateList({ listId: mine, title: 'Mine', owner: user }), { tenant });
  await app.send(AddItem({ listId: mine, text: 'milk' }), { tenant });
  const first = await sync.run();
  // alice's list came with the pull; this replica decides an item on it, the server refuses it
  await app.send(AddItem({ listId: 'alices', text: 'beer' }), { tenant });
  const second = await sync.run();
  const conflicts = (await sync.conflicts.query()).map((c) => [c.code, c.message]);
  const streams = [...new Set((await app.ledger.readAll({ tenant })).map((e) => e.streamId))];
  const other = await app.ledger.readAll({ tenant: 'other' });
  const models = await app.lens(lists).query({ tenant, orderBy: { listId: 'asc' } });
  process.stdout.write(
    `${JSON.stringify({
      runtime: deno ? 'deno' : 'bun',
      first: { pushed: first.pushed, conflicts: first.conflicts },
      second: { pushed: second.pushed, conflicts: second.conflicts },
      pending: (await sync.pending()).length,
      conflicts,
      streams: streams.sort(),
      other: other.length,
      items: models.map((m) => [m.listId, m.items]),
    })}\n`,
  );
} finally {
  await sync.stop();
  await app.close();
  await remote.close();
  await link.close();
}
process.exit(0);
