/**
 * `npm run test:package` (and a step of `npm test`): the packed package as its users get it.
 * `npm pack`, then fresh projects in a temp dir outside the repository install the tarball
 * (offline; optional peers linked from this repository's node_modules) and run the README's
 * marked examples (`<!-- consumer: name -->`) as users would save them: on Node as ES modules
 * and with `require`, on Bun, on Deno through `npm:` specifiers and from the JSR layout (the files
 * `deno publish` would upload, linked into a Deno project that imports `whizbang` as
 * `deno add --unscoped jsr:@whizbang/whizbang` maps it), in a Vite build opened in Chromium, and
 * through `tsc` with `skipLibCheck: false` under `bundler` and `nodenext`. Then the same checks
 * on broken packages (a `files` list that leaves folders of dist/ out; a JSR upload without the
 * core's bytes) must fail. Needs `npm run build` first (npm test builds). Ends with
 * `consumers: N passed, N failed`.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ensureWasm } from '../../core-wasm/build.mjs';
import { hasChromium } from '../browser/chromium.mjs';
import { openInChromium, viteApp, viteBuild } from './browser.mjs';
import {
  BUN,
  DENO,
  denoJsrProject,
  jsrFiles,
  jsrLayout,
  must,
  npmProject,
  pack,
  ROOT,
  run,
} from './projects.mjs';
import {
  normalise,
  npmSpecifiers,
  printsExpected,
  readmeExamples,
  toCommonJs,
  toModule,
} from './readme.mjs';
import { tsPluginLoads } from './ts-plugin.mjs';
import { typeProjects } from './types.mjs';

ensureWasm();
const started = Date.now();
const tmp = mkdtempSync(join(tmpdir(), 'whizbang-consumers-'));
const examples = readmeExamples(join(ROOT, 'README.md'));
const results = [];

/** A check: `fn` throws to fail. */
async function check(name, fn) {
  const at = Date.now();
  try {
    await fn();
    results.push({ name, ok: true, ms: Date.now() - at });
  } catch (error) {
    results.push({ name, ok: false, ms: Date.now() - at, why: error?.message ?? String(error) });
  }
}

/** Fails unless the program ran and printed what the README's comments say. */
function printed(result, example, what) {
  must(result, what);
  const { expected } = examples.get(example);
  if (!printsExpected(result.stdout, expected)) {
    throw new Error(
      `${what} printed:\n${result.stdout}\nbut the README says:\n${expected.join('\n')}\n(compared as ${normalise(result.stdout)} and ${normalise(expected.join(''))})`,
    );
  }
}

const code = (name) => {
  const example = examples.get(name);
  if (example === undefined) throw new Error(`README.md has no example marked consumer: ${name}`);
  return example.code;
};
const onDeno = (text) => text.replace("from 'whizbang/sqlite/bun'", "from 'whizbang/sqlite/deno'");
const deno = (cwd, file, permissions = []) =>
  run(DENO, ['run', '--quiet', '--no-lock', ...permissions, file], { cwd });
// the README's grants for its SQLite example; the others run with none (the WebAssembly core
// included: its bytes are in the package, so it reads no file)
const grantsOf = (name) =>
  name.startsWith('sqlite') ? ['--allow-read=data', '--allow-write=data'] : [];

// the package, packed and installed
const { tarball, files } = pack(ROOT, tmp);
const app = npmProject(join(tmp, 'app'), tarball);
const write = (dir, file, text) => writeFileSync(join(dir, file), text);

await check('the tarball has what the README promises, and no source maps', () => {
  const wanted = ['README.md', 'LICENSE', 'CHANGELOG.md', 'package.json', 'dist/mod.d.ts'];
  // the README promises the core as a WebAssembly Component for other hosts
  wanted.push('dist/whizbang-component.wasm', 'dist/whizbang.wit');
  const missing = wanted.filter((f) => !files.includes(f));
  if (missing.length > 0) throw new Error(`missing from the tarball: ${missing.join(', ')}`);
  const maps = files.filter((f) => f.endsWith('.map'));
  if (maps.length > 0) throw new Error(`source maps in the tarball: ${maps.join(', ')}`);
  const jsr = jsrFiles();
  const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
  for (const [, link] of readme.matchAll(/\]\((?!https?:|#|mailto:)([^)\s]+)\)/g)) {
    const file = link.replace(/#.*$/, '');
    if (!files.includes(file) || !jsr.includes(file)) {
      throw new Error(`README.md links ${file}, which is not in both packages (npm and JSR)`);
    }
  }
});

// Node: the examples as users save them, as ES modules and as CommonJS
for (const name of ['first-app', 'sqlite-node', 'wasm']) {
  write(app, `${name}.mjs`, toModule(code(name)));
  await check(`Node, ES module: ${name}`, () =>
    printed(run(process.execPath, [`${name}.mjs`], { cwd: app }), name, `node ${name}.mjs`),
  );
}
for (const name of ['first-app', 'wasm']) {
  write(app, `${name}.cjs`, toCommonJs(code(name)));
  await check(`Node, require(): ${name}`, () =>
    printed(run(process.execPath, [`${name}.cjs`], { cwd: app }), name, `node ${name}.cjs`),
  );
}

// the `whizbang` command, as npx finds it in the installed package, on a SQLite file
await check('npx whizbang: the bin of the tarball', () => {
  const npx = (args) => run('npx', ['--no-install', 'whizbang', ...args], { cwd: app });
  const help = must(npx(['--help']), 'npx whizbang --help');
  if (!/inspect[\s\S]*export[\s\S]*import[\s\S]*verify/.test(help.stdout)) {
    throw new Error(`npx whizbang --help printed:\n${help.stdout}`);
  }
  must(npx(['migrate', '--db', 'cli.db', '--apply']), 'npx whizbang migrate --apply');
  const verified = must(npx(['verify', '--db', 'cli.db', '--json']), 'npx whizbang verify');
  if (verified.stdout.trim() !== '{"ok":true,"events":0,"streams":0,"head":0}') {
    throw new Error(`npx whizbang verify printed: ${verified.stdout}`);
  }
});

// whizbang/ts-plugin, as an editor's tsserver loads it from the installed package
await check('tsserver loads whizbang/ts-plugin from the tarball', () => tsPluginLoads(app));

// Bun and Deno run the TypeScript as it is
for (const name of ['first-app', 'sqlite-bun-deno', 'wasm']) {
  write(app, `${name}.bun.ts`, code(name));
  await check(`Bun: ${name}`, () =>
    printed(run(BUN, ['--no-install', `${name}.bun.ts`], { cwd: app }), name, `bun ${name}.ts`),
  );
  write(app, `${name}.deno.ts`, npmSpecifiers(onDeno(code(name))));
  await check(`Deno, npm: specifiers: ${name}`, () =>
    printed(deno(app, `${name}.deno.ts`, grantsOf(name)), name, `deno run ${name}.ts`),
  );
}

// Deno from the JSR layout
const jsr = jsrLayout(join(tmp, 'jsr'), jsrFiles());
const denoJsr = denoJsrProject(join(tmp, 'deno-jsr'), jsr);
for (const name of ['first-app', 'sqlite-bun-deno', 'wasm']) {
  write(denoJsr, `${name}.ts`, onDeno(code(name)));
  await check(`Deno, from JSR: ${name}`, () =>
    printed(deno(denoJsr, `${name}.ts`, grantsOf(name)), name, `deno run ${name}.ts (JSR)`),
  );
}

// a Vite app in Chromium
const browserExamples = ['first-app', 'indexeddb', 'wasm'];
if (hasChromium() || process.env.CI) {
  const web = viteApp(join(app, 'web'), new Map(browserExamples.map((n) => [n, code(n)])));
  let page;
  await check('Vite build of the browser examples', () => viteBuild(web));
  await check('the Vite build opens in Chromium', async () => {
    page = await openInChromium(join(web, 'dist'));
    if (page.errors.length > 0) throw new Error(page.errors.join('\n'));
  });
  for (const name of browserExamples) {
    await check(`Chromium (Vite): ${name}`, () => {
      const lines = page?.printed?.[name] ?? ['(the page did not run)'];
      printed({ ok: true, status: 0, stdout: lines.join('\n') }, name, `${name} in the page`);
    });
  }
  await check('Chromium (Vite): the WebAssembly core comes from the bundle', () => {
    const foreign = (page?.requests ?? []).filter(
      (url) => !url.startsWith(page.origin) || url.endsWith('.wasm'),
    );
    if (page === undefined || foreign.length > 0) {
      throw new Error(`the page fetched ${foreign.join(', ') || '(did not run)'}`);
    }
  });
} else {
  console.error('consumers: Chromium is missing; the Vite app was not opened (CI fails here)');
}

// tsc with skipLibCheck: false
for (const project of typeProjects(app, examples)) {
  await check(`tsc, moduleResolution ${project.name}`, () =>
    must(run(process.execPath, [project.tsc, '-p', project.dir]), `tsc -p ${project.name}`),
  );
}

// broken packages must fail the same checks
await check('a files list without the folders of dist/ fails Node and tsc', () => {
  const extracted = join(tmp, 'broken-npm');
  must(run('mkdir', ['-p', extracted]), 'mkdir');
  must(run('tar', ['-xzf', tarball, '-C', extracted]), 'tar');
  const dir = join(extracted, 'package');
  const manifest = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8'));
  manifest.files = ['dist/*.js', 'dist/*.d.ts', 'README.md', 'LICENSE'];
  writeFileSync(join(dir, 'package.json'), JSON.stringify(manifest, null, 2));
  const broken = npmProject(join(tmp, 'broken-app'), pack(dir, extracted).tarball);
  write(broken, 'wasm.mjs', toModule(code('wasm')));
  if (run(process.execPath, ['wasm.mjs'], { cwd: broken }).ok) {
    throw new Error('the wasm example ran from a package without dist/wasm/');
  }
  const [nodenext] = typeProjects(broken, examples).filter((p) => p.name === 'nodenext');
  if (run(process.execPath, [nodenext.tsc, '-p', nodenext.dir]).ok) {
    throw new Error('tsc passed on a package without dist/sqlite/ and dist/wasm/');
  }
});
await check('a JSR upload without the core bytes fails on Deno', () => {
  const files = jsrFiles().filter((f) => f !== 'js/wasm/embedded.ts');
  const layout = jsrLayout(join(tmp, 'broken-jsr'), files);
  const project = denoJsrProject(join(tmp, 'broken-deno-jsr'), layout);
  write(project, 'wasm.ts', code('wasm'));
  if (deno(project, 'wasm.ts').ok)
    throw new Error('the wasm example ran without js/wasm/embedded.ts');
});

rmSync(tmp, { recursive: true, force: true });
for (const r of results) {
  console.log(`${r.ok ? '✓' : '✗'} ${r.name} (${r.ms} ms)`);
  if (!r.ok) console.log(`    ${r.why.split('\n').slice(0, 30).join('\n    ')}`);
}
const failed = results.filter((r) => !r.ok).length;
console.log(
  `consumers: ${results.length - failed} passed, ${failed} failed in ${((Date.now() - started) / 1000).toFixed(1)} s`,
);
process.exitCode = failed > 0 ? 1 : 0;
