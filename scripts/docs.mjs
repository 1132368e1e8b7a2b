// `npm run docs`: the API reference, from the doc comments, as a static site in docs/api/ (open
// docs/api/index.html). `deno doc --html` over every entry of jsr.json: the same comments JSR shows
// as the package's documentation.
import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const out = join(root, 'docs', 'api');
const { name, version, exports } = JSON.parse(readFileSync(join(root, 'jsr.json'), 'utf8'));
rmSync(out, { recursive: true, force: true });
mkdirSync(out, { recursive: true });
const deno = join(root, 'node_modules', '.bin', 'deno');
const r = spawnSync(
  deno,
  ['doc', '--html', `--name=${name}@${version}`, `--output=${out}`, ...Object.values(exports)],
  {
    cwd: root,
    stdio: ['ignore', 'pipe', 'pipe'],
    encoding: 'utf8',
    env: { ...process.env, NO_COLOR: '1' },
  },
);
// deno doc warns about types of @types/node it does not follow; only its errors matter
const errors = (r.stderr ?? '').split('\n').filter((line) => /^error/i.test(line));
if (r.status !== 0 || errors.length > 0) {
  console.error(
    r.stderr
      .split('\n')
      .filter((line) => !/^(Warning|\s+at )/.test(line))
      .join('\n'),
  );
  process.exit(r.status || 1);
}
// deno doc's index of several modules is empty: list the entries there, each by the specifier
// users import and the first sentence of its module doc
const html = (text) =>
  text.replaceAll('&', '&amp;').replaceAll('<', '&lt;').replaceAll('>', '&gt;');
const summary = (file) => {
  const doc = /^\/\*\*([\s\S]*?)\*\//.exec(readFileSync(join(root, file), 'utf8'))?.[1] ?? '';
  const text = doc
    .split('\n')
    .map((line) => line.replace(/^\s*\* ?/, ''))
    .join(' ')
    .split('@example')[0]
    .trim()
    .replace(/^`[^`]+`:\s*/, '')
    .replace(/\{@link (\w+)\}/g, '$1')
    .replace(/`/g, '')
    .trim();
  return /^.*?\.(?=\s|$)/.exec(text)?.[0] ?? text;
};
const items = Object.entries(exports)
  .map(([subpath, file]) => {
    const specifier = `whizbang${subpath.slice(1)}`;
    const page = `./${file.replace(/^\.\//, '')}/index.html`;
    return `<li><a href="${page}"><code>${specifier}</code></a> — ${html(summary(file))}</li>`;
  })
  .join('\n');
const index = join(out, 'index.html');
writeFileSync(
  index,
  readFileSync(index, 'utf8').replace(
    '<main></main>',
    `<main><h1 style="font-size:1.5em;font-weight:bold;margin:0 0 .5em">Entries</h1><p>Import each as written (from JSR, map <code>whizbang</code> to <code>${name}</code>).</p><ul style="list-style:disc;padding-left:1.5em;line-height:1.6">\n${items}\n</ul></main>`,
  ),
);
console.log(`API reference: ${index}`);
