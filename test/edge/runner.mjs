/**
 * Runs what `register` declares through the cross-runtime vitest shim, inside workerd, and returns
 * one JSON line per result (the same events `test/runtimes/harness.mjs` writes).
 */
import { finishCollection, startCollection } from '../runtimes/collect.mjs';
import { recordUnhandled, runSuite, takeUnhandled } from '../runtimes/execute.mjs';
import { serializeError } from '../runtimes/protocol.mjs';

let listening = false;

export async function runRegistered(register) {
  if (!listening) {
    listening = true;
    addEventListener('unhandledrejection', (event) => recordUnhandled(event.reason));
  }
  const lines = [];
  const emit = (name, status, error) => {
    lines.push(
      JSON.stringify(
        error === undefined ? { name, status } : { name, status, error: serializeError(error) },
      ),
    );
  };
  startCollection();
  try {
    await register();
  } catch (error) {
    finishCollection();
    emit(['(collect)'], 'fail', error);
    return lines.join('\n');
  }
  const root = finishCollection();
  if (root.children.length === 0) emit(['(collect)'], 'fail', new Error('no tests found'));
  await runSuite(root, (r) => emit(r.name, r.status, r.error));
  await new Promise((done) => setTimeout(done, 0));
  for (const error of takeUnhandled()) emit(['(unhandled error)'], 'fail', error);
  return lines.join('\n');
}
