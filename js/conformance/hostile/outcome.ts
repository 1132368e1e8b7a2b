/** What a call did: answered, refused with a code, or failed another way (a raw error, a hang). */
import { expect } from 'vitest';
import { host } from '../helpers.ts';
import { isWhizbangError } from '../whizbang.ts';

/** The outcome of one call. */
export interface Outcome {
  /** The answer, when it answered. */
  readonly value?: unknown;
  /** The WhizbangError code, when it was refused. */
  readonly refused?: string;
  /** A raw error or a hang: what must never happen. */
  readonly broken?: string;
}

/** Runs `fn` (sync or async) and says how it ended, within `timeoutMs`. */
export async function outcome(fn: () => unknown, timeoutMs: number): Promise<Outcome> {
  let timer: unknown;
  const hang = new Promise<Outcome>((resolve) => {
    timer = host.setTimeout(
      () => resolve({ broken: `no answer within ${timeoutMs} ms` }),
      timeoutMs,
    );
  });
  const done = (async (): Promise<Outcome> => {
    try {
      return { value: await fn() };
    } catch (error) {
      if (isWhizbangError(error)) return { refused: error.code };
      const text = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
      return { broken: `a raw error: ${text.slice(0, 300)}` };
    }
  })();
  try {
    return await Promise.race([done, hang]);
  } finally {
    (host as unknown as { clearTimeout(t: unknown): void }).clearTimeout?.(timer);
  }
}

/** Fails unless `got` is a proper outcome equal to `expected` (the same answer or code). */
export function sameOutcome(got: Outcome, expected: Outcome): void {
  expect(got.broken).toBeUndefined();
  expect(expected.broken).toBeUndefined();
  if (expected.refused !== undefined || got.refused !== undefined) {
    expect(got.refused).toBe(expected.refused);
    return;
  }
  expect(got.value).toEqual(expected.value);
}
