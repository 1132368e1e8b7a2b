/**
 * A perspective's declaration on IndexedDB: from now on its model writes carry index entries of
 * the declared fields; models written before get theirs in one pass (skipped when the `fields`
 * store says an earlier declaration of the same fields did it), and then queries use the index.
 */
import type { Connection } from './connection.ts';
import type { ModelRecord } from './records.ts';
import { STORES } from './schema.ts';
import { read } from './transaction.ts';

interface FieldsRecord {
  readonly perspective: string;
  readonly fields: readonly string[];
}

const sameEntries = (a: unknown, b: unknown): boolean => JSON.stringify(a) === JSON.stringify(b);

/** Declares `fields` of `perspective`, adding the entries stored models lack; settles when ready. */
export async function declareFields(
  connection: Connection,
  perspective: string,
  fields: readonly string[],
): Promise<void> {
  const declared = connection.fields;
  declared.declare(perspective, fields);
  const meta = connection.read(STORES.fields).objectStore(STORES.fields);
  const done = (await read(meta.get(perspective))) as FieldsRecord | undefined;
  const covered = new Set(done?.fields ?? []);
  if (!fields.every((f) => covered.has(f))) {
    const { keys } = connection;
    await connection.change([STORES.perspectives, STORES.fields], (tx) => {
      const cursor = tx
        .objectStore(STORES.perspectives)
        .openCursor(keys.bound([perspective], [perspective, []]));
      cursor.onsuccess = () => {
        const at = cursor.result;
        if (at === null) {
          const record: FieldsRecord = { perspective, fields: [...fields] };
          tx.objectStore(STORES.fields).put(record);
          return;
        }
        const row = at.value as ModelRecord;
        const ix = declared.entries(perspective, row.tenant, row.model) ?? [];
        if (!sameEntries(ix, row.ix)) at.update({ ...row, ix });
        at.continue();
      };
    });
  }
  declared.ready(perspective, fields);
}
