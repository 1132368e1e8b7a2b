/**
 * Whether the segment store opens, and the one dynamic import of its code (segment-open.ts): with
 * `segments`, or on a database that already holds segments, whose sealed events reads must find
 * and appends must count. Otherwise the segment store's code is never loaded.
 */

import type { Connection } from './connection.ts';
import { STORES } from './schema.ts';
import type { SegmentParts } from './segment-open.ts';
import type { SegmentOptions } from './segments.ts';
import { read } from './transaction.ts';

/** True when the database holds a sealed segment (one key read). */
export async function holdsSegments(connection: Connection): Promise<boolean> {
  const store = connection.read(STORES.segments).objectStore(STORES.segments);
  return (await read(store.openKeyCursor())) !== null;
}

/**
 * Opens the segment store when `option` asks for it, or when the database holds segments
 * though it does not (then without background sealing: the app did not ask to seal, but what is
 * sealed is read and counted as before); else resolves to undefined, having loaded none of it.
 */
export async function segmentsAtOpen(
  connection: Connection,
  name: string,
  option: boolean | SegmentOptions | undefined,
): Promise<SegmentParts | undefined> {
  const asked = option !== undefined && option !== false;
  if (!asked && !(await holdsSegments(connection))) return undefined;
  const { openSegments } = await import('./segment-open.ts');
  return openSegments(connection, name, asked ? option : { background: false });
}
