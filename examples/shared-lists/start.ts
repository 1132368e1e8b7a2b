/**
 * `npm run example:lists`: the whole app from one command. Starts a nats-server of its own
 * (JetStream, a WebSocket listener, a NATS user per person), the sync server (PostgreSQL for its
 * read models), and Vite serving the browser client; prints the URL. Ctrl-C stops it all.
 *
 * Settings (environment): `DATABASE_URL` (default postgres://postgres@127.0.0.1:5432/postgres),
 * `LISTS_SCHEMA` (default shared_lists), `LISTS_DATA` (the shared log's folder, default
 * examples/shared-lists/.data), `LISTS_PORT` (the page's port, default 5173; 0 picks a free one),
 * `NATS_SERVER_BIN`. `--fresh` starts with no lists (drops the schema and the log's folder).
 */
import { rmSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { createServer, type Plugin } from 'vite';
import { startNats } from './server/nats.ts';
import { startListsServer } from './server/server.ts';

const here = fileURLToPath(new URL('.', import.meta.url));
/** The people of the demo, and their passwords. */
const USERS: Record<string, string> = { ann: 'ann-pass', ben: 'ben-pass', cy: 'cy-pass' };
const log = { stream: 'LISTS', prefix: 'lists.log', subject: 'lists.push' };
const database = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const schema = process.env.LISTS_SCHEMA ?? 'shared_lists';
const dir = process.env.LISTS_DATA ?? `${here}.data`;
const serverPassword = crypto.randomUUID();

if (process.argv.includes('--fresh')) {
  rmSync(dir, { recursive: true, force: true });
  const client = new pg.Client({ connectionString: database });
  await client.connect();
  await client.query(`DROP SCHEMA IF EXISTS "${schema.replaceAll('"', '""')}" CASCADE`);
  await client.end();
}

const nats = await startNats({ dir, users: USERS, serverPassword, subject: log.subject });
const server = await startListsServer({
  nats: { url: nats.url, user: 'server', pass: serverPassword },
  ...log,
  postgres: { url: database, schema },
  users: Object.keys(USERS),
  log: (line) => console.log(`  sync server: ${line}`),
});

// the page asks for /config.json: where the shared log is, over WebSocket
const config: Plugin = {
  name: 'shared-lists-config',
  configureServer(vite) {
    vite.middlewares.use('/config.json', (_, response) => {
      response.setHeader('content-type', 'application/json');
      response.end(JSON.stringify({ servers: nats.wsUrl, subject: log.subject }));
    });
  },
};
const vite = await createServer({
  configFile: `${here}vite.config.ts`,
  plugins: [config],
  server: { port: Number(process.env.LISTS_PORT ?? 5173), strictPort: false },
});
await vite.listen();
const url = vite.resolvedUrls?.local[0] ?? 'http://127.0.0.1:5173/';
console.log(`Shared lists: open ${url}`);
console.log(
  `  sign in as ${Object.entries(USERS)
    .map(([user, pass]) => `${user} (password ${pass})`)
    .join(', ')}; a second browser profile for a second person`,
);

let stopping = false;
const stop = async (): Promise<void> => {
  if (stopping) return;
  stopping = true;
  try {
    await vite.close();
    await server.close();
  } finally {
    await nats.stop();
    process.exit(0);
  }
};
process.on('SIGINT', stop);
process.on('SIGTERM', stop);
