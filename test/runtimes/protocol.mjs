/**
 * The line protocol between `run.mjs` (Node) and `harness.mjs` (Deno or Bun): one JSON event per
 * stdout line after this prefix, so stray output from a test cannot be mistaken for a result.
 */
export const PREFIX = '@@whizbang-runtimes@@ ';

/** Error to plain data: the message keeps jest's matcher diff, the stack keeps the test's frames. */
export function serializeError(error) {
  if (error instanceof Error) {
    return { name: error.name, message: error.message, stack: error.stack ?? '' };
  }
  return { name: typeof error, message: describeValue(error), stack: '' };
}

function describeValue(value) {
  try {
    return typeof value === 'string' ? value : (JSON.stringify(value) ?? String(value));
  } catch {
    return String(value);
  }
}
