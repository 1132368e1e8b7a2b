/**
 * The SQLite entry of the runtime a worker runs on: better-sqlite3 on Node, bun:sqlite on Bun,
 * node:sqlite on Deno. The workers are the same files on all three; the parent picks the runtime.
 */
import { sqliteDriver as onBun } from '../../../adapters/sqlite/bun.ts';
import { sqliteDriver as onDeno } from '../../../adapters/sqlite/deno.ts';
import { sqliteDriver as onNode, type SqliteDriver } from '../../../adapters/sqlite/mod.ts';

/** The runtime this worker is. */
export const runtime: 'node' | 'bun' | 'deno' =
  'Bun' in globalThis ? 'bun' : 'Deno' in globalThis ? 'deno' : 'node';

/** Opens a file with this runtime's SQLite entry. */
export function sqliteDriver(options: { readonly path: string }): SqliteDriver {
  if (runtime === 'bun') return onBun(options);
  if (runtime === 'deno') return onDeno(options);
  return onNode(options);
}
