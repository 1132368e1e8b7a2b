/**
 * `whizbang devtools` from the installed package: the page built with it (dist/devtools/) served
 * by a small HTTP server on 127.0.0.1, with no bundler. An import map gives the page and the
 * user's module the same copy of the library — the package's own dist/ files — and the packages
 * the module imports; the module's files are served as they are (TypeScript stripped of its types).
 */
import { readFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { dirname, extname, join, normalize, sep } from 'node:path';
import { type AppFiles, appFiles, packageEntry } from './app-files.ts';

/** What the page is served with. */
export interface PageOptions {
  /** The package's dist/ folder (the bin's). */
  readonly dist: string;
  /** The app module (an absolute path). */
  readonly module: string;
  /** The options of the page's domain (`appDomain`). */
  readonly domain: Record<string, unknown>;
  /** The copy of `--db`, as JSON (undefined without one). */
  readonly seed: string | undefined;
  /** The port to try first (the next ones are tried when it is taken). */
  readonly port: number;
}

const FILES = '/__whizbang/fs';
const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json',
  '.wasm': 'application/wasm',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
};
const isLibrary = (specifier: string): boolean => /^whizbang(\/|$)/.test(specifier);
/** A file's URL on the server. */
const urlOf = (file: string): string =>
  FILES +
  encodeURI(
    file
      .split(sep)
      .join('/')
      .replace(/^(?!\/)/, '/'),
  );

/** `whizbang` and each `whizbang/<entry>` the package exports → its dist/ file's URL. */
function libraryImports(dist: string): Record<string, string> {
  const root = dirname(dist);
  // the package's manifest is beside dist/
  const manifest = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as {
    exports: Record<string, unknown>;
  };
  const imports: Record<string, string> = {};
  for (const key of Object.keys(manifest.exports)) {
    const file = packageEntry(root, key);
    if (file?.endsWith('.js')) imports[`whizbang${key.slice(1)}`] = urlOf(file);
  }
  return imports;
}
/** Starts the server; resolves once it listens. Fails (BAD_APP_MODULE) on an import it cannot serve. */
export async function servePage(
  options: PageOptions,
): Promise<{ url: string; close(): Promise<void> }> {
  const page = join(options.dist, 'devtools');
  const library = libraryImports(options.dist);
  let app: AppFiles = await appFiles(options.module, isLibrary);

  const send = (response: ServerResponse, status: number, type: string, body: string | Buffer) => {
    response.writeHead(status, { 'content-type': type, 'cache-control': 'no-store' });
    response.end(body);
  };
  const allowed = (file: string): boolean =>
    file.startsWith(options.dist + sep) || Object.values(library).includes(urlOf(file));

  async function answer(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const path = decodeURI(new URL(request.url ?? '/', 'http://x').pathname);
    if (path === '/' || path === '/index.html') {
      // the module's files and imports are followed again at each load: edits show on reload
      app = await appFiles(options.module, isLibrary);
      const imports = {
        ...library,
        ...Object.fromEntries([...app.imports].map(([s, f]) => [s, urlOf(f)])),
      };
      const html = (await readFile(join(page, 'index.html'), 'utf8'))
        .replace(
          '<head>',
          `<head>\n<script type="importmap">${JSON.stringify({ imports })}</script>`,
        )
        .replace('<title>Whizbang playground</title>', '<title>Whizbang devtools</title>');
      return send(response, 200, TYPES['.html']!, html);
    }
    if (path === '/__whizbang/app.js') {
      const body = `import * as app from ${JSON.stringify(urlOf(options.module))};\nexport { app };\nexport const options = ${JSON.stringify(options.domain)};\n`;
      return send(response, 200, 'text/javascript', body);
    }
    if (path === '/__whizbang/seed.json')
      return send(response, 200, TYPES['.json']!, options.seed ?? '[]');
    if (path.startsWith(`${FILES}/`)) {
      const file = normalize(path.slice(FILES.length));
      const code = await app.read(file);
      if (code !== undefined) return send(response, 200, 'text/javascript', code);
      if (allowed(file)) return send(response, 200, 'text/javascript', await readFile(file));
      return send(response, 404, 'text/plain', 'Not found');
    }
    const file = normalize(join(page, path));
    if (!file.startsWith(page + sep)) return send(response, 404, 'text/plain', 'Not found');
    const type = TYPES[extname(file)] ?? 'text/javascript';
    return send(response, 200, type, await readFile(file));
  }

  const server: Server = createServer((request, response) => {
    answer(request, response).catch((error: unknown) => {
      const notFound = (error as { code?: string }).code === 'ENOENT';
      send(
        response,
        notFound ? 404 : 500,
        'text/plain',
        notFound ? 'Not found' : String((error as Error).message),
      );
    });
  });
  const port = await listen(server, options.port);
  return {
    url: `http://127.0.0.1:${port}/`,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

/** Listens on `port`, or the next free one (as Vite does); resolves the port. */
async function listen(server: Server, port: number): Promise<number> {
  for (let tries = 0; ; tries++) {
    const result = await new Promise<number | Error>((resolve) => {
      server.once('error', resolve);
      server.listen(port + tries, '127.0.0.1', () =>
        resolve((server.address() as { port: number }).port),
      );
    });
    if (typeof result === 'number') return result;
    if ((result as { code?: string }).code !== 'EADDRINUSE' || tries >= 20) throw result;
  }
}
