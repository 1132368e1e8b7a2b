/**
 * Entry point inside Deno or Bun: imports each test file given on the command line, runs what it
 * registered and writes one protocol event per line for `run.mjs`.
 * Usage: <runtime> harness.mjs <file>... (paths relative to the working directory).
 */
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { finishCollection, startCollection } from './collect.mjs';
import { recordUnhandled, runSuite, takeUnhandled } from './execute.mjs';
import { PREFIX, serializeError } from './protocol.mjs';

const runtime = globalThis.Deno
  ? `deno ${Deno.version.deno}`
  : globalThis.Bun
    ? `bun ${Bun.version}`
    : `node ${process.version}`;

function emit(event) {
  process.stdout.write(`${PREFIX}${JSON.stringify(event)}\n`);
}

process.on('unhandledRejection', recordUnhandled);
process.on('uncaughtException', recordUnhandled);

let failed = 0;
function result(file, { name, status, durationMs = 0, error }) {
  if (status === 'fail') failed++;
  const event = { type: 'result', file, name, status, durationMs: Math.round(durationMs) };
  emit(error === undefined ? event : { ...event, error: serializeError(error) });
}

emit({ type: 'start', runtime });
for (const file of process.argv.slice(2)) {
  emit({ type: 'file', file });
  startCollection();
  try {
    await import(pathToFileURL(resolve(file)).href);
  } catch (error) {
    finishCollection();
    result(file, { name: ['(import)'], status: 'fail', error });
    continue;
  }
  const root = finishCollection();
  if (root.children.length === 0) {
    result(file, { name: ['(collect)'], status: 'fail', error: new Error('no tests found') });
  }
  await runSuite(root, (r) => result(file, r));
  // One macrotask lets the runtime flag promises rejected at the end of the last test.
  await new Promise((done) => setTimeout(done, 0));
  for (const error of takeUnhandled()) {
    result(file, { name: ['(unhandled error)'], status: 'fail', error });
  }
}

// The write callback fires once everything before it is flushed; then exit even if a test left a
// timer or socket open, as vitest's workers do.
process.stdout.write(`${PREFIX}${JSON.stringify({ type: 'done', failed })}\n`, () => {
  process.exit(failed > 0 ? 1 : 0);
});
