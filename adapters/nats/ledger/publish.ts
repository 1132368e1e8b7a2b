/**
 * Publishing a commit through a flaky connection: a few retries through a reconnect (the commit
 * id makes a repeat harmless), then the failure mapped to the library's coded errors.
 */

import { WhizbangError } from '../../../js/mod.ts';

const WRONG_LAST_SEQUENCE = 10071;
const WRONG_LAST_MSG_ID = 10070;

function apiCode(error: unknown): number | undefined {
  const e = error as { code?: unknown; apiError?: () => { err_code?: number } } | null;
  if (typeof e?.apiError === 'function') return e.apiError().err_code;
  return undefined;
}

/** The server refused a publish's expected last sequence or commit: another writer got there first. */
export function isWrongLastSequence(error: unknown): boolean {
  const code = apiCode(error);
  return code === WRONG_LAST_SEQUENCE || code === WRONG_LAST_MSG_ID;
}

function retryable(error: unknown): boolean {
  const text = String((error as Error)?.message ?? error);
  return /timeout|no responders|disconnect|reconnect|503/i.test(text);
}

/** Publishes, retrying a few times through a reconnect unless the ledger closed meanwhile. */
export async function published<T>(publish: () => Promise<T>, closed: () => boolean): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await publish();
    } catch (error) {
      if (attempt >= 5 || !retryable(error) || closed()) throw mapped(error);
      await new Promise((resolve) => setTimeout(resolve, 50 * 2 ** attempt));
    }
  }
}

function mapped(error: unknown): unknown {
  if (isWrongLastSequence(error)) return error;
  const text = String((error as Error)?.message ?? error);
  if (/max.?payload/i.test(text)) {
    return new WhizbangError(
      'INVALID_ARGUMENT',
      `The commit is larger than the server's max_payload (${text}); store large content elsewhere and reference it. Nothing was written.`,
      { cause: error },
    );
  }
  if (retryable(error)) {
    return new WhizbangError(
      'UNAVAILABLE',
      `JetStream did not confirm the append (${text}); it may or may not have landed: read the stream before deciding again.`,
      { cause: error },
    );
  }
  return error;
}
