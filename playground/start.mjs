/**
 * `npm start`: serves the playground with Vite on 127.0.0.1 and prints its URL. Builds the
 * WebAssembly core first when a fresh clone does not have it yet. Offline: nothing is fetched.
 * `PORT` picks the port (default 5173, or the next free one).
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { createServer } from 'vite';

const repo = fileURLToPath(new URL('..', import.meta.url));
if (!existsSync(new URL('../core-wasm/build/whizbang.wasm', import.meta.url))) {
  console.log('Building the WebAssembly core (once)…');
  const asc = fileURLToPath(new URL('../node_modules/assemblyscript/bin/asc.js', import.meta.url));
  const built = spawnSync(
    process.execPath,
    [asc, '--config', 'asconfig.json', '--target', 'release'],
    {
      cwd: repo,
      stdio: 'inherit',
    },
  );
  if (built.status !== 0) process.exit(built.status ?? 1);
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
