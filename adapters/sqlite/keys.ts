/**
 * A key store for `whizbang/protect` in a SQLite database (table `whizbang_keys`), usually the
 * driver's own file. Deleting a key overwrites its bytes (`secure_delete`) and checkpoints the WAL,
 * so a forgotten subject's key is not left in free pages.
 */
import type { KeyStore, StoredKey } from '../../js/mod.ts';
import type { SqliteDatabase } from './engine.ts';

/** A {@link KeyStore} in `database` (e.g. `sqliteKeyStore(driver.database)`). */
export function sqliteKeyStore(database: SqliteDatabase): KeyStore {
  database.exec(
    'CREATE TABLE IF NOT EXISTS whizbang_keys (subject TEXT PRIMARY KEY, key_id TEXT NOT NULL, wrapped BLOB NOT NULL) WITHOUT ROWID',
  );
  const get = database.prepare('SELECT key_id, wrapped FROM whizbang_keys WHERE subject = ?');
  const insert = database.prepare(
    'INSERT INTO whizbang_keys (subject, key_id, wrapped) VALUES (?, ?, ?) ON CONFLICT (subject) DO NOTHING',
  );
  const remove = database.prepare('DELETE FROM whizbang_keys WHERE subject = ?');
  const read = (subject: string): StoredKey | undefined => {
    const row = get.get(subject);
    if (row === undefined) return undefined;
    return { id: String(row.key_id), wrapped: new Uint8Array(row.wrapped as Uint8Array) };
  };
  return {
    get: read,
    create(subject, key) {
      insert.run(subject, key.id, key.wrapped);
      return read(subject)!;
    },
    delete(subject) {
      const was = database.prepare('PRAGMA secure_delete').get();
      database.exec('PRAGMA secure_delete = ON');
      try {
        return Number(remove.run(subject).changes) > 0;
      } finally {
        database.exec(`PRAGMA secure_delete = ${Number(Object.values(was ?? {})[0] ?? 0)}`);
        database.prepare('PRAGMA wal_checkpoint(TRUNCATE)').get();
      }
    },
  };
}
