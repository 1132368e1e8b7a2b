/**
 * The browser harness, shared by the browser tests and the IndexedDB benchmarks: bundle a page
 * entry with esbuild (the vitest shim and jest's `expect` included, Node built-ins shimmed), serve
 * it from 127.0.0.1 on a free port, and drive Debian's Chromium through playwright-core (its own
 * browser download cannot be used here) with a fresh profile.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:http';
import { tmpdir } from 'node:os';
import { dirname, extname, join, normalize } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { chromium } from 'playwright-core';

const here = dirname(fileURLToPath(import.meta.url));
export const ROOT = join(here, '..', '..');

/** Where Chromium is looked for (`CHROMIUM` overrides). */
export const CHROMIUM = process.env.CHROMIUM ?? '/usr/bin/chromium';
export const INSTALL = 'apt-get install -y chromium';

/** Whether Chromium is there. */
export function hasChromium() {
  return existsSync(CHROMIUM);
}

const shim = (name) => join(here, 'shims', name);
/** Node built-ins the bundled test code (and jest's `expect`) import, and what stands in. */
const BUILTINS = {
  'node:util': shim('util.mjs'),
  util: shim('util.mjs'),
  'util/types': shim('util.mjs'),
  'node:module': shim('node-module.mjs'),
  'node:fs/promises': shim('fs-promises.mjs'),
  module: shim('module.mjs'),
  path: shim('path.mjs'),
  url: shim('url.mjs'),
  process: shim('process.mjs'),
  'graceful-fs': shim('empty.mjs'),
};

const nodeShims = {
  name: 'node-shims',
  setup(b) {
    b.onResolve({ filter: /^[\w:/-]+$/ }, (args) => {
      // test files import `vitest`: the runtimes shim stands in, as it does under Deno and Bun
      if (args.path === 'vitest')
        return { path: join(ROOT, 'test', 'runtimes', 'vitest-shim.mjs') };
      if (args.path in BUILTINS) return { path: BUILTINS[args.path] };
      if (/^(node:)?(fs|os|tty|assert|constants|stream|crypto|events)$/.test(args.path))
        return { path: shim('empty.mjs') };
      return undefined;
    });
  },
};

/** Bundles `entry` (a path under the repository) into one browser script; returns its text. */
export async function bundle(entry) {
  const result = await build({
    entryPoints: [join(ROOT, entry)],
    bundle: true,
    write: false,
    platform: 'browser',
    format: 'esm',
    target: 'es2022',
    sourcemap: 'inline',
    inject: [shim('process.mjs')],
    define: { global: 'globalThis', __dirname: '"/"', __filename: '"/page.js"' },
    plugins: [nodeShims],
    logLevel: 'error',
  });
  return result.outputFiles[0].text;
}

/** Serves one page that loads `script`, on 127.0.0.1 at a free port. */
export async function serve(script) {
  const html =
    '<!doctype html><html><head><meta charset="utf-8"><title>whizbang</title></head>' +
    '<body><script type="module" src="/page.js"></script></body></html>';
  const server = createServer((request, response) => {
    if (request.url === '/page.js') {
      response.writeHead(200, { 'content-type': 'text/javascript; charset=utf-8' });
      response.end(script);
      return;
    }
    response.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
    response.end(html);
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address();
  return {
    url: `http://127.0.0.1:${port}/`,
    origin: `http://127.0.0.1:${port}`,
    close: () => new Promise((resolve) => server.close(resolve)),
  };
}

const TYPES = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.wasm': 'application/wasm',
};

/** Serves the files of `dir` (a site built by Vite) on 127.0.0.1 at a free port. */
export async function serveDirectory(dir) {
  const server = createServer((request, response) => {
    const path = normalize(decodeURIComponent(new URL(request.url ?? '/', 'http://x').pathname));
    const file = join(dir, path === '/' ? 'index.html' : path);
    if (!file.startsWith(dir) || !existsSync(file)) {
      response.writeHead(404).end('not found');
      return;
    }
    response.writeHead(200, { 'content-type': TYPES[extname(file)] ?? 'application/octet-stream' });
    response.end(readFileSync(file));
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${server.address().port}/`,
    close: () => new Promise((resolve) => server.close(resolve)),
  };
}

/** Starts headless Chromium on a fresh profile; `close()` ends it and removes the profile. */
export async function launch() {
  const profile = mkdtempSync(join(tmpdir(), 'whizbang-chromium-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--no-first-run',
    ],
  });
  return {
    context,
    async close() {
      await context.close();
      rmSync(profile, { recursive: true, force: true });
    },
  };
}

/** Opens `url` in a new page and waits until the page script says it is ready. */
export async function openPage(context, url) {
  const page = await context.newPage();
  const errors = [];
  page.on('pageerror', (error) => errors.push(error));
  await page.goto(url);
  try {
    await page.waitForFunction(() => globalThis.whizbangPage?.ready === true, undefined, {
      timeout: 30_000,
    });
  } catch (error) {
    const why = errors.map((e) => e.stack ?? e.message).join('\n');
    throw new Error(`The test page did not start${why ? `:\n${why}` : ''}`, { cause: error });
  }
  return { page, errors };
}
