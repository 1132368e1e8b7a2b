/**
 * `npm start`: serves the playground with Vite on 127.0.0.1 and prints its URL. Builds the
 * WebAssembly core first when a fresh clone does not have it yet. Offline: nothing is fetched.
 * `PORT` picks the port (default 5173, or the next free one).
 *
 * `npm start -- --app <module> [--db <target>]`: the playground over your own app instead of the
 * samples (what `whizbang devtools` does), optionally on a copy of a log.
 */

import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { createServer } from 'vite';
import { ensureWasm } from '../core-wasm/build.mjs';

// a fresh clone has no core yet: build it (and its embedded module) once
ensureWasm();

const { values } = parseArgs({
  options: { app: { type: 'string' }, db: { type: 'string' } },
  strict: false, // other arguments are left alone, as before
});
if (typeof values.app === 'string') {
  const { tsImport } = await import('tsx/esm/api');
  const { startDevtools } = await tsImport('../cli/commands/devtools.ts', import.meta.url);
  const devtools = await startDevtools({
    app: values.app,
    ...(typeof values.db === 'string' ? { db: values.db } : {}),
    port: Number(process.env.PORT ?? 5173),
  });
  const copy = typeof values.db === 'string' ? ` (a copy of ${devtools.events} events)` : '';
  console.log(`Whizbang devtools${copy}: ${devtools.url}`);
  console.log('Open it in a browser; Ctrl+C stops the server.');
  await new Promise(() => {}); // the server runs until Ctrl+C
}

const server = await createServer({
  configFile: fileURLToPath(new URL('./vite.config.ts', import.meta.url)),
  server: { port: Number(process.env.PORT ?? 5173) },
});
await server.listen();
const url = server.resolvedUrls?.local[0] ?? `http://127.0.0.1:${server.config.server.port}/`;
console.log(`Whizbang playground: ${url}`);
console.log(
  'Open it in a browser; Ctrl+C stops the server. (The bank demo in a terminal: npm run demo.)',
);
