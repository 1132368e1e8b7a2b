// `npm test`: every check the project makes, in order, with one summary line at the end.
// lint -> types (strict, isolated declarations) -> build -> built .d.ts -> the package as published
// (publint, attw, JSR's checks, the size budget, consumer projects from the packed tarball) ->
// vitest (unit, type tests) -> the same core suites under Deno and Bun -> the IndexedDB driver in
// Chromium -> the playground in Chromium -> the React example in Chromium -> the shared-lists
// example (nats-server, PostgreSQL, two people in Chromium).
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const bin = (name) => join('node_modules', '.bin', name);
// the project's own TypeScript, by path: a tool's nested TypeScript may own `.bin/tsc`
const tsc = join('node_modules', 'typescript', 'bin', 'tsc');
let passed = 0;
let failed = 0;
const failures = [];

function run(label, cmd, args, { count, capture = false } = {}) {
  process.stdout.write(`\n── ${label}\n`);
  const started = Date.now();
  const r = spawnSync(cmd, args, {
    stdio: ['inherit', capture ? 'pipe' : 'inherit', 'inherit'],
    env: process.env,
    maxBuffer: 64 * 1024 * 1024,
  });
  if (capture) process.stdout.write(r.stdout);
  const ok = r.status === 0;
  const counted = count?.(capture ? String(r.stdout) : undefined);
  if (counted) {
    passed += counted.passed;
    failed += counted.failed;
  } else if (ok) passed++;
  else failed++;
  if (!ok) failures.push(label);
  process.stdout.write(
    `── ${label}: ${ok ? 'ok' : `FAILED (exit ${r.status ?? r.signal})`} in ${((Date.now() - started) / 1000).toFixed(1)}s\n`,
  );
  return ok;
}

/** Options of a step whose output ends with `<prefix>: N passed, N failed`: those are its counts. */
const summaryOf = (prefix, also = () => undefined) => ({
  capture: true,
  count: (out) => {
    also(out ?? '');
    const m = new RegExp(`${prefix}: (\\d+) passed, (\\d+) failed`).exec(out ?? '');
    return m ? { passed: Number(m[1]), failed: Number(m[2]) } : undefined;
  },
});

const tmp = mkdtempSync(join(tmpdir(), 'whizbang-test-'));
const vitestJson = join(tmp, 'vitest.json');

run('lint and format (biome)', bin('biome'), ['check', '.']);
// the WebAssembly core first: its bytes become js/wasm/embedded.ts, which the loader imports
run('WebAssembly core (AssemblyScript)', process.execPath, ['core-wasm/build.mjs']);
// the same core as a WebAssembly Component for other hosts (jco's JS API, offline); its test
// transpiles it back
run('WebAssembly component (jco)', process.execPath, ['core-wasm/component.mjs']);
run('types (tsc, strict)', tsc, ['--noEmit', '-p', 'tsconfig.json']);
run('types (tsc, isolated declarations for JSR)', tsc, ['--noEmit', '-p', 'tsconfig.lib.json']);
run('types of the adapters (isolated declarations)', tsc, [
  '--noEmit',
  '-p',
  'tsconfig.adapters.json',
]);
if (
  run('build (tsup)', bin('tsup'), ['--silent']) &&
  // the page `whizbang devtools` serves from the package (dist/devtools/)
  run('build (the devtools page, vite)', bin('vite'), [
    'build',
    '-c',
    'playground/devtools.config.ts',
  ])
) {
  run('built .d.ts, used as a consumer would', tsc, ['-p', 'test/published/tsconfig.json']);
  run('built .d.ts of the core, with neither DOM nor Node types', tsc, [
    '-p',
    'test/published/tsconfig.core.json',
  ]);
  run('package.json as resolvers read it (publint)', bin('publint'), ['--strict']);
  // the package is ES modules only: from CommonJS, Node >= 20.19 loads it with require(esm), which
  // attw's TypeScript (5.6) does not model; every other rule, node10 included, holds
  run('types for every resolution (attw)', bin('attw'), [
    '--pack',
    '.',
    '--ignore-rules',
    'cjs-resolves-to-esm',
    '--format',
    'table-flipped',
  ]);
  run('size budget of browser bundles (size-limit)', bin('bun'), [
    'node_modules/size-limit/bin.js',
  ]);
  run(
    'the packed package in fresh consumer projects',
    process.execPath,
    ['test/package/consumers.mjs'],
    summaryOf('consumers'),
  );
}
run('JSR: deno publish --dry-run without warnings, deno doc --lint', process.execPath, [
  'test/package/jsr.mjs',
]);
run(
  'unit and type tests (vitest, Node)',
  bin('vitest'),
  ['run', '--reporter=default', '--reporter=json', `--outputFile.json=${vitestJson}`],
  {
    count: () => {
      try {
        const report = JSON.parse(readFileSync(vitestJson, 'utf8'));
        return {
          passed: report.numPassedTests,
          failed: report.numFailedTests + (report.success ? 0 : report.numFailedTestSuites),
        };
      } catch {
        return undefined;
      }
    },
  },
);
run('README examples type-check as written', tsc, ['--noEmit', '-p', 'test/readme.tsconfig.json']);
run(
  'core suites on Deno and Bun',
  process.execPath,
  ['test/runtimes/run.mjs'],
  summaryOf('runtimes'),
);
let browserSkipped = false;
run(
  'IndexedDB in Chromium',
  process.execPath,
  ['test/browser/run.mjs'],
  summaryOf('browser', (out) => {
    browserSkipped = /skipped: no Chromium/.test(out);
  }),
);
run(
  'the playground in Chromium (as a person uses it)',
  process.execPath,
  ['test/browser/playground.mjs'],
  summaryOf('playground'),
);
run(
  'the React example in Chromium (two tabs, live lenses)',
  process.execPath,
  ['test/browser/react-example.mjs'],
  summaryOf('react example'),
);
run(
  'the shared-lists example in Chromium (two people, offline edits, sharing)',
  process.execPath,
  ['test/browser/shared-lists.mjs'],
  summaryOf('shared lists'),
);
rmSync(tmp, { recursive: true, force: true });

if (browserSkipped) {
  process.stdout.write(
    '\nBROWSER TESTS SKIPPED: no Chromium (apt-get install -y chromium); IndexedDB ran on fake-indexeddb only.\n',
  );
}
if (failures.length > 0) process.stdout.write(`\nFailed: ${failures.join('; ')}\n`);
process.stdout.write(`\n${passed} passed, ${failed} failed\n`);
process.exitCode = failures.length > 0 ? 1 : 0;
