/**
 * The README's browser examples in a Vite app of a consumer project: built with Vite from the
 * installed package, served from 127.0.0.1, and opened in Debian's Chromium. Each example is a
 * module of its own; what it prints is collected per example, and every request the page makes
 * is recorded (the WebAssembly core must come from the bundle, not a file or the network).
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { extname, join, normalize } from 'node:path';
import { launch } from '../browser/chromium.mjs';
import { must, ROOT, run } from './projects.mjs';

const VITE = join(ROOT, 'node_modules', 'vite', 'bin', 'vite.js');

const PAGE = `// runs each example in turn, collecting what it prints
const printed = {};
let current = '';
console.log = (...args) => {
  (printed[current] ??= []).push(args.map((a) => (typeof a === 'string' ? a : JSON.stringify(a))).join(' '));
};
const examples = {
__EXAMPLES__
};
for (const [name, load] of Object.entries(examples)) {
  current = name;
  try {
    await load();
  } catch (error) {
    printed[name] = [\`ERROR \${error?.stack ?? error}\`];
  }
}
globalThis.consumerResults = printed;
`;

/** Writes a Vite app of `examples` (name -> TypeScript) into `dir` (inside a consumer project). */
export function viteApp(dir, examples) {
  mkdirSync(dir, { recursive: true });
  const names = [...examples.keys()];
  for (const [name, code] of examples) writeFileSync(join(dir, `${name}.ts`), code);
  writeFileSync(
    join(dir, 'main.js'),
    PAGE.replace(
      '__EXAMPLES__',
      names.map((n) => `  '${n}': () => import('./${n}.ts'),`).join('\n'),
    ),
  );
  writeFileSync(
    join(dir, 'index.html'),
    '<!doctype html><html><head><meta charset="utf-8"><title>consumer</title></head>' +
      '<body><script type="module" src="/main.js"></script></body></html>',
  );
  return dir;
}

/** `vite build` of the app in `dir` (into dir/dist). */
export function viteBuild(dir) {
  return must(
    run(process.execPath, [VITE, 'build', '--target', 'es2022', '--logLevel', 'warn'], {
      cwd: dir,
    }),
    'vite build',
  );
}

const TYPES = { '.html': 'text/html', '.js': 'text/javascript', '.css': 'text/css' };

/** Serves `dir` on 127.0.0.1; opens it in Chromium; resolves what each example printed and the requests. */
export async function openInChromium(dir) {
  const server = createServer((request, response) => {
    const asked = normalize(new URL(request.url ?? '/', 'http://x').pathname).replace(/^\/+/, '');
    const path = asked === '' ? 'index.html' : asked;
    try {
      const body = readFileSync(join(dir, path));
      response.writeHead(200, {
        'content-type': TYPES[extname(path)] ?? 'application/octet-stream',
      });
      response.end(body);
    } catch {
      response.writeHead(404).end();
    }
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  const origin = `http://127.0.0.1:${server.address().port}`;
  const browser = await launch();
  try {
    const page = await browser.context.newPage();
    const requests = [];
    const errors = [];
    page.on('request', (r) => requests.push(r.url()));
    page.on('pageerror', (e) => errors.push(String(e)));
    await page.goto(`${origin}/`);
    await page.waitForFunction(() => globalThis.consumerResults !== undefined, undefined, {
      timeout: 60_000,
    });
    const printed = await page.evaluate(() => globalThis.consumerResults);
    return { printed, requests, errors, origin };
  } finally {
    await browser.close();
    await new Promise((resolve) => server.close(resolve));
  }
}
