/**
 * Failure reports: values shown on one line, lists diffed with `-`/`+`, and the error thrown when
 * an expectation fails. Nothing here depends on a test runner.
 */
import { type Difference, deepEqual, differences, MISSING } from './equality.ts';

const BRAND: unique symbol = Symbol.for('whizbang.testing.expectation') as never;

/** An expectation of `whizbang/testing` did not hold; the message says what differed. */
export class ExpectationError extends Error {
  /** The error's name, for logs. */
  override name = 'ExpectationError';
  /** Always `'EXPECTATION_FAILED'`. */
  readonly code: 'EXPECTATION_FAILED' = 'EXPECTATION_FAILED';
  /** What was expected (messages as `{ type, data }`, a model, an error matcher). */
  readonly expected: unknown;
  /** What happened instead. */
  readonly actual: unknown;

  /** An expectation of a scenario that did not hold. */
  constructor(
    message: string,
    details: { readonly expected: unknown; readonly actual: unknown; readonly cause?: unknown },
  ) {
    super(message, 'cause' in details ? { cause: details.cause } : undefined);
    this.expected = details.expected;
    this.actual = details.actual;
  }
}

Object.defineProperty(ExpectationError.prototype, BRAND, { value: true });

/** True when `error` is an {@link ExpectationError} (from any copy of the library). */
export function isExpectationError(error: unknown): error is ExpectationError {
  return (
    typeof error === 'object' &&
    error !== null &&
    (error as Record<symbol, unknown>)[BRAND] === true
  );
}

const IDENTIFIER = /^[A-Za-z_$][A-Za-z0-9_$]*$/;

/** A value on one line, as a reader would write it: `{ accountId: 'a', amount: 30 }`. */
export function show(value: unknown, seen: readonly object[] = []): string {
  if (value === MISSING) return '(missing)';
  switch (typeof value) {
    case 'string':
      return `'${value.replaceAll('\\', '\\\\').replaceAll("'", "\\'").replaceAll('\n', '\\n')}'`;
    case 'number':
      return Object.is(value, -0) ? '-0' : String(value);
    case 'bigint':
      return `${value}n`;
    case 'function':
      return `[Function${value.name ? ` ${value.name}` : ''}]`;
    case 'object':
      break;
    default:
      return String(value);
  }
  if (value === null) return 'null';
  if (seen.includes(value)) return '[Circular]';
  const inner = [...seen, value];
  if (value instanceof Date)
    return Number.isNaN(value.getTime()) ? 'Invalid Date' : value.toISOString();
  if (value instanceof RegExp) return String(value);
  if (value instanceof Error) return `${value.name}: ${value.message}`;
  if (Array.isArray(value)) return `[${value.map((v) => show(v, inner)).join(', ')}]`;
  if (value instanceof Map) {
    const entries = [...value].map(([k, v]) => `${show(k, inner)} => ${show(v, inner)}`);
    return entries.length === 0 ? 'Map {}' : `Map { ${entries.join(', ')} }`;
  }
  if (value instanceof Set) {
    const items = [...value].map((v) => show(v, inner));
    return items.length === 0 ? 'Set {}' : `Set { ${items.join(', ')} }`;
  }
  const proto = Object.getPrototypeOf(value);
  const prefix =
    proto === null || proto === Object.prototype ? '' : `${proto?.constructor?.name ?? ''} `;
  const record = value as Record<string, unknown>;
  const fields = Object.keys(record)
    .filter((k) => record[k] !== undefined)
    .map((k) => `${IDENTIFIER.test(k) ? k : JSON.stringify(k)}: ${show(record[k], inner)}`);
  return fields.length === 0 ? `${prefix}{}` : `${prefix}{ ${fields.join(', ')} }`;
}

/** A message as `{ type, data }`, the part that is compared. */
export interface Shown {
  readonly type: string;
  readonly data: unknown;
}

/** A message on one line: `MoneyDeposited { accountId: 'a', amount: 5 }`. */
export function showMessage(message: Shown): string {
  return message.data === undefined ? message.type : `${message.type} ${show(message.data)}`;
}

/** Where the differences lie, one per line under `base`: `data.amount: expected 30, got 40`. */
export function showDifferences(
  found: readonly Difference[],
  indent: string,
  base = 'value',
): string[] {
  return found.map((d) => {
    const where =
      d.path === '' ? base : d.path.startsWith('[') ? base + d.path : `${base}.${d.path}`;
    return `${indent}${where}: expected ${show(d.expected)}, got ${show(d.actual)}`;
  });
}

/**
 * Lines of a diff between two lists of messages (longest common subsequence), `- ` for expected
 * only and `+ ` for actual only, then the field differences of the first changed pair of one type.
 */
export function diffMessages(
  expected: readonly Shown[],
  actual: readonly Shown[],
  indent: string,
): string[] {
  const n = expected.length;
  const m = actual.length;
  // lcs[i][j]: length of the longest common subsequence of expected[i..] and actual[j..]
  const lcs = Array.from({ length: n + 1 }, () => new Array<number>(m + 1).fill(0));
  for (let i = n - 1; i >= 0; i--) {
    for (let j = m - 1; j >= 0; j--) {
      lcs[i]![j] = deepEqual(expected[i], actual[j])
        ? lcs[i + 1]![j + 1]! + 1
        : Math.max(lcs[i + 1]![j]!, lcs[i]![j + 1]!);
    }
  }
  const lines: string[] = [];
  const removed: Shown[] = [];
  const added: Shown[] = [];
  let i = 0;
  let j = 0;
  while (i < n || j < m) {
    if (i < n && j < m && deepEqual(expected[i], actual[j])) {
      lines.push(`${indent}  ${showMessage(expected[i]!)}`);
      i++;
      j++;
    } else if (j >= m || (i < n && lcs[i + 1]![j]! >= lcs[i]![j + 1]!)) {
      lines.push(`${indent}- ${showMessage(expected[i]!)}`);
      removed.push(expected[i]!);
      i++;
    } else {
      lines.push(`${indent}+ ${showMessage(actual[j]!)}`);
      added.push(actual[j]!);
      j++;
    }
  }
  const first = removed[0];
  const counterpart = first && added.find((a) => a.type === first.type);
  if (first && counterpart) {
    lines.push(`${indent}${first.type} differs at:`);
    lines.push(
      ...showDifferences(differences(first.data, counterpart.data), `${indent}  `, 'data'),
    );
  }
  return lines;
}

/** An error as a reader knows it: `BankError: Account a is not open.` */
export function showError(error: unknown): string {
  if (error instanceof Error) return `${error.name}: ${error.message}`;
  return `a non-error value ${show(error)}`;
}
