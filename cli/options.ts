/** Parsers of the CLI's option values (commander calls them; a bad value is a usage error). */
import { InvalidArgumentError } from 'commander';
import type { EventFilter } from './read.ts';

/** A positive integer (a position, a count). */
export function positiveInteger(value: string): number {
  const n = Number(value);
  if (!Number.isSafeInteger(n) || n < 1) {
    throw new InvalidArgumentError(`"${value}" is not a positive integer.`);
  }
  return n;
}

const UNITS: Record<string, number> = { s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };

/**
 * A time as epoch ms: an ISO date (`2026-12-07`, `2026-12-07T10:00:00Z`), epoch milliseconds, or a
 * duration before now (`30s`, `15m`, `2h`, `7d`).
 */
export function time(value: string, now: number = Date.now()): number {
  const ago = /^(\d+)([smhd])$/.exec(value);
  if (ago !== null) return now - Number(ago[1]) * UNITS[ago[2]!]!;
  if (/^\d+$/.test(value)) return Number(value);
  const parsed = Date.parse(value);
  if (Number.isNaN(parsed)) {
    throw new InvalidArgumentError(
      `"${value}" is not a time: give an ISO date, epoch milliseconds, or a duration ago (15m, 2h, 7d).`,
    );
  }
  return parsed;
}

/** Collects a repeatable, comma-separable option (`--type A --type B,C`). */
export function list(value: string, previous: string[] = []): string[] {
  return [...previous, ...value.split(',').filter((v) => v.length > 0)];
}

/** The filter options as commander parsed them. */
export interface FilterFlags {
  readonly stream?: string;
  readonly tenant?: string;
  readonly type?: string[];
  readonly from?: number;
  readonly to?: number;
  readonly since?: number;
  readonly until?: number;
}

/** The filter the flags name. */
export function filterOf(flags: FilterFlags): EventFilter {
  return {
    stream: flags.stream,
    tenant: flags.tenant,
    types: flags.type,
    from: flags.from,
    to: flags.to,
    since: flags.since,
    until: flags.until,
  };
}
