/**
 * How the CLI fails: a coded error, one line on stderr (or one JSON object with `--json`), and an
 * exit code a script can test: 1 for a refusal or a failure, 2 for a command line it cannot use.
 */
import { isWhizbangError } from '../js/mod.ts';

/** The CLI's own stable codes; errors of the library keep theirs (`UNAVAILABLE`, `BUSY`, …). */
export type CliErrorCode =
  | 'USAGE'
  | 'NOT_FOUND'
  | 'NO_SCHEMA'
  | 'MALFORMED_LINE'
  | 'POSITION_GAP'
  | 'VERSION_GAP'
  | 'UNDECODABLE_PAYLOAD'
  | 'UNKNOWN_PERSPECTIVE'
  | 'BAD_APP_MODULE'
  | 'NEWER_SCHEMA';

/** A failure the CLI explains: its code, and the position (or line) it was found at. */
export class CliError extends Error {
  /** The stable code, printed first. */
  readonly code: CliErrorCode;
  /** The global position where the problem is, when there is one. */
  readonly position: number | undefined;
  /** The line of the input file, when the problem is in one. */
  readonly line: number | undefined;

  constructor(
    code: CliErrorCode,
    message: string,
    where: { readonly position?: number; readonly line?: number } = {},
  ) {
    super(message);
    this.name = 'CliError';
    this.code = code;
    this.position = where.position;
    this.line = where.line;
  }
}

/** The exit code of a failure: 2 for a command line the CLI cannot use, else 1. */
export function exitCodeOf(error: unknown): number {
  return error instanceof CliError && error.code === 'USAGE' ? 2 : 1;
}

/** The failure as a plain object: `{ code, message, position?, line? }`. */
export function describeFailure(error: unknown): Record<string, unknown> {
  if (error instanceof CliError) {
    return {
      code: error.code,
      message: error.message,
      ...(error.position === undefined ? {} : { position: error.position }),
      ...(error.line === undefined ? {} : { line: error.line }),
    };
  }
  if (isWhizbangError(error)) return { code: error.code, message: error.message };
  return { code: 'FAILED', message: error instanceof Error ? error.message : String(error) };
}

/** Writes the failure to stderr (as JSON with `json`) and sets the exit code. */
export function report(error: unknown, json: boolean): void {
  const failure = describeFailure(error);
  const text = json
    ? JSON.stringify({ error: failure })
    : `whizbang: ${String(failure.code)}: ${String(failure.message)}`;
  process.stderr.write(`${text}\n`);
  process.exitCode = exitCodeOf(error);
}
