/**
 * Checks the runner itself: runs `fixtures/` under each runtime and compares every outcome with
 * the status its test name announces (`pass:`, `fail:`, `skip:`, `todo:`), so that a shim which
 * passes everything, or drops a file that throws at import, is caught.
 * Usage: node test/runtimes/self-test.mjs [deno] [bun]
 */
import { RUNTIMES, runRuntime } from './runtimes.mjs';

const FIXTURES = ['behaviour', 'empty', 'import-error', 'only'].map(
  (name) => `test/runtimes/fixtures/${name}.fixture.ts`,
);

// Failures that belong to a file, hook or describe rather than to a test.
const EXPECTED_SPECIAL = [
  'test/runtimes/fixtures/behaviour.fixture.ts › beforeAll that throws › (beforeAll)',
  'test/runtimes/fixtures/behaviour.fixture.ts › a describe callback that throws › (describe)',
  'test/runtimes/fixtures/empty.fixture.ts › (collect)',
  'test/runtimes/fixtures/import-error.fixture.ts › (import)',
];

// Outcomes per file, so that a test the shim silently drops is noticed too.
const EXPECTED_COUNT = {
  'test/runtimes/fixtures/behaviour.fixture.ts': 30,
  'test/runtimes/fixtures/empty.fixture.ts': 1,
  'test/runtimes/fixtures/import-error.fixture.ts': 1,
  'test/runtimes/fixtures/only.fixture.ts': 4,
};

function check(run) {
  const wrong = [...run.problems];
  const label = (r) => [r.file, ...r.name].join(' › ');
  for (const result of run.results) {
    const last = result.name.at(-1);
    const announced = /^(pass|fail|skip|todo):/.exec(last)?.[1];
    if (last.startsWith('(')) {
      if (!EXPECTED_SPECIAL.includes(label(result)) || result.status !== 'fail') {
        wrong.push(`${label(result)}: unexpected ${result.status}: ${result.error?.message}`);
      }
    } else if (announced !== result.status) {
      wrong.push(`${label(result)}: ${result.status}, expected ${announced ?? 'no result'}`);
    } else if (result.status === 'fail' && !result.error?.message) {
      wrong.push(`${label(result)}: failed without an error message`);
    }
  }
  for (const special of EXPECTED_SPECIAL) {
    if (!run.results.some((r) => label(r) === special)) wrong.push(`${special}: not reported`);
  }
  for (const [file, count] of Object.entries(EXPECTED_COUNT)) {
    const seen = run.results.filter((r) => r.file === file).length;
    if (seen !== count) wrong.push(`${file}: ${seen} outcomes, expected ${count}`);
  }
  const mismatch = run.results.find((r) => r.name.at(-1) === 'fail: toBe mismatch');
  if (!/toEqual[\s\S]*Expected/.test(mismatch?.error?.message ?? '')) {
    wrong.push('the matcher failure did not carry jest’s diff');
  }
  return { checks: run.results.length + EXPECTED_SPECIAL.length + 5, wrong };
}

let passed = 0;
let failed = 0;
const requested = process.argv.slice(2);
for (const runtime of requested.length > 0 ? requested : Object.keys(RUNTIMES)) {
  const run = await runRuntime(runtime, FIXTURES);
  const { checks, wrong } = check(run);
  console.log(`${run.version}: ${wrong.length === 0 ? 'as expected' : `${wrong.length} wrong`}`);
  for (const line of wrong) console.log(`  WRONG ${line}`);
  passed += checks - wrong.length;
  failed += wrong.length;
}
console.log(`self-test: ${passed} passed, ${failed} failed`);
process.exitCode = failed > 0 ? 1 : 0;
