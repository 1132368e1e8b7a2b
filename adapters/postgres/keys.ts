/**
 * A key store for `whizbang/protect` in PostgreSQL (table `<schema>.whizbang_keys`). A deleted
 * key's row is a dead tuple until VACUUM; `delete` vacuums the table so its bytes do not linger.
 */
import type { KeyStore, StoredKey } from '../../js/mod.ts';
import type { PgConnection } from './engine.ts';
import { schemaNames } from './schema.ts';

/** Options of {@link postgresKeyStore}. */
export interface PgKeyStoreOptions {
  /** Where statements run: the driver's pool (`fromPgPool(pool)`) or any {@link PgConnection}. */
  readonly connection: PgConnection;
  /** The schema of the table (default `public`, as the driver's). */
  readonly schema?: string;
  /**
   * VACUUM the table after each delete so the key's bytes leave the heap at once (default true;
   * needs a connection outside a transaction).
   */
  readonly vacuum?: boolean;
}

/** A {@link KeyStore} in PostgreSQL; creates its table on first use. */
export async function postgresKeyStore(options: PgKeyStoreOptions): Promise<KeyStore> {
  const { connection } = options;
  const table = `${schemaNames(options.schema ?? 'public').q}.whizbang_keys`;
  await connection.query(
    `CREATE TABLE IF NOT EXISTS ${table} (subject text PRIMARY KEY, key_id text NOT NULL, wrapped bytea NOT NULL)`,
  );
  const read = async (subject: string): Promise<StoredKey | undefined> => {
    const rows = await connection.query(`SELECT key_id, wrapped FROM ${table} WHERE subject = $1`, [
      subject,
    ]);
    const row = rows[0];
    return row === undefined
      ? undefined
      : { id: String(row[0]), wrapped: new Uint8Array(row[1] as Uint8Array) };
  };
  return {
    get: read,
    async create(subject, key) {
      await connection.query(
        `INSERT INTO ${table} (subject, key_id, wrapped) VALUES ($1, $2, $3) ON CONFLICT (subject) DO NOTHING`,
        [subject, key.id, key.wrapped],
      );
      return (await read(subject))!;
    },
    async delete(subject) {
      const rows = await connection.query(
        `DELETE FROM ${table} WHERE subject = $1 RETURNING subject`,
        [subject],
      );
      if (options.vacuum !== false) await connection.query(`VACUUM ${table}`);
      return rows.length > 0;
    },
  };
}
