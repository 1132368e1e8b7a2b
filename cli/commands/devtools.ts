/**
 * `whizbang devtools --app <module> [--db <target>]`: the playground's views — forms for the app's
 * commands, its lenses, the ledger table, the message flow, time travel — over the user's own app,
 * served by Vite on 127.0.0.1. The module is the one `rebuild --app` takes. The app runs in the
 * page (on IndexedDB, a database of its own per start); with `--db`, it starts from a copy of that
 * log, read once here: the file, schema or stream is never written. With `--live`, the page follows
 * a running system's JetStream log over WebSocket instead, read-only (it sends no command).
 */
import { existsSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Plugin, ViteDevServer } from 'vite';
import type { RecordedEvent } from '../../js/mod.ts';
import { CliError } from '../fail.ts';
import { withTarget } from '../target.ts';

/** What `startDevtools` is asked for. */
export interface DevtoolsOptions {
  /** The app's module (its builder exported as `app` or default). */
  readonly app: string;
  /** A log to start from a copy of: a SQLite file, a postgres:// or a nats:// URL. */
  readonly db?: string;
  /**
   * A running system's JetStream log to follow, read-only, from the page over WebSocket:
   * `ws://host:port?stream=NAME&prefix=subjects` (defaults those of `jetstreamLedger`).
   */
  readonly live?: string;
  /** The port (default 5173, or the next free one). */
  readonly port?: number;
}

/** The running devtools. */
export interface Devtools {
  /** Where to open it. */
  readonly url: string;
  /** How many events the copy of `--db` holds (0 without one). */
  readonly events: number;
  /** Stops the server. */
  close(): Promise<void>;
}

const DOMAINS = 'virtual:whizbang-domains';
const SEED = '/__whizbang/seed.json';

/** The page's side of `--live`: the WebSocket URL, the stream and the subject prefix. */
export function liveLog(url: string): { servers: string; stream: string; prefix: string } {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    parsed = new URL('invalid:');
  }
  if (parsed.protocol !== 'ws:' && parsed.protocol !== 'wss:') {
    throw new CliError(
      'USAGE',
      `"${url}" is not a WebSocket URL: --live takes ws://host:port?stream=NAME&prefix=subjects (the nats-server's websocket listener).`,
    );
  }
  const stream = parsed.searchParams.get('stream') ?? 'WHIZBANG_LEDGER';
  const prefix = parsed.searchParams.get('prefix') ?? 'whizbang.ledger';
  return { servers: `${parsed.protocol}//${parsed.host}`, stream, prefix };
}

/** The repository the CLI runs from: the folder above it that holds the playground. */
function repositoryRoot(): string {
  for (let dir = dirname(fileURLToPath(import.meta.url)); ; dir = dirname(dir)) {
    if (existsSync(join(dir, 'playground', 'vite.config.ts'))) return dir;
    if (dirname(dir) === dir) break;
  }
  throw new CliError(
    'NOT_FOUND',
    'whizbang devtools serves the playground from its sources: run it in a clone of the Whizbang repository (npm start -- --app <module>).',
  );
}

/** Every event of `target`, oldest first, read page by page. */
async function copyOf(target: string): Promise<RecordedEvent[]> {
  return withTarget(target, { create: false }, async ({ ledger }) => {
    const events: RecordedEvent[] = [];
    const head = await ledger.headPosition();
    for (let from = 1; from <= head; ) {
      const page = await ledger.readAll({ from, to: head, limit: 5000 });
      if (page.length === 0) break;
      events.push(...page);
      from = page[page.length - 1]!.position + 1;
    }
    return events;
  });
}

/**
 * The plugin that answers `virtual:whizbang-domains` with the user's app (run before the samples'
 * plugin), serves the copy, and lets the user's module import `whizbang` as the page's own source.
 */
function appPlugin(
  root: string,
  module: string,
  seed: string | undefined,
  live: ReturnType<typeof liveLog> | undefined,
): Plugin {
  const file = basename(module).replace(/\.[cm]?[jt]sx?$/, '');
  // examples/bank/app.ts is "bank"; my-shop.ts is "my-shop"
  const name = /^(app|index|main|mod|domain)$/.test(file) ? basename(dirname(module)) : file;
  const options = {
    id: `devtools-${name.replace(/[^A-Za-z0-9_-]/g, '-')}-${Date.now().toString(36)}`,
    title: `Your app: ${name}`,
    ...(seed === undefined ? {} : { seed: `.${SEED}` }),
    ...(live === undefined ? {} : { live }),
  };
  const source = (path: string): string => JSON.stringify(join(root, path));
  return {
    name: 'whizbang-devtools-app',
    enforce: 'pre',
    config: () => ({
      resolve: {
        alias: [
          { find: /^whizbang$/, replacement: join(root, 'js', 'mod.ts') },
          { find: /^whizbang\/indexeddb$/, replacement: join(root, 'adapters/indexeddb/mod.ts') },
          { find: /^whizbang\/([a-z]+)$/, replacement: join(root, 'js', '$1', 'mod.ts') },
        ],
      },
      server: { fs: { allow: [root, dirname(module)] } },
    }),
    resolveId: (id) => (id === DOMAINS ? `\0${DOMAINS}` : undefined),
    load: (id) =>
      id === `\0${DOMAINS}`
        ? [
            `import * as app from ${JSON.stringify(module)};`,
            `import { appDomain } from ${source('playground/src/domains/app.ts')};`,
            `export const domains = [appDomain(app, ${JSON.stringify(options)})];`,
          ].join('\n')
        : undefined,
    configureServer(server) {
      server.middlewares.use(SEED, (_request, response) => {
        response.setHeader('content-type', 'application/json');
        response.end(seed ?? '[]');
      });
    },
  };
}

/** Starts the devtools server; resolves once it listens. */
export async function startDevtools(options: DevtoolsOptions): Promise<Devtools> {
  const module = resolve(options.app);
  if (!existsSync(module)) {
    throw new CliError('BAD_APP_MODULE', `There is no app module at "${options.app}".`);
  }
  const live = options.live === undefined ? undefined : liveLog(options.live);
  if (live !== undefined && options.db !== undefined) {
    throw new CliError(
      'USAGE',
      'Give --db (a copy to start from) or --live (a log to follow), not both.',
    );
  }
  const root = repositoryRoot();
  const events = options.db === undefined ? [] : await copyOf(options.db);
  let vite: typeof import('vite');
  try {
    // a name the bundler leaves alone: Vite is the repository's, not the bin's
    const name = 'vite';
    vite = (await import(name)) as typeof import('vite');
  } catch {
    throw new CliError('NOT_FOUND', 'whizbang devtools needs Vite: npm install (in the clone).');
  }
  const seed = options.db === undefined ? undefined : JSON.stringify(events);
  const server: ViteDevServer = await vite.createServer({
    configFile: join(root, 'playground', 'vite.config.ts'),
    plugins: [appPlugin(root, module, seed, live)],
    server: { port: options.port ?? 5173 },
  });
  await server.listen();
  const url = server.resolvedUrls?.local[0] ?? `http://127.0.0.1:${server.config.server.port}/`;
  return { url, events: events.length, close: () => server.close() };
}
