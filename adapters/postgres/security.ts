/**
 * Optional row-level security: connections of one database role see and write only the rows of the
 * tenant named by their `whizbang.tenant` setting. The schema's owner (the role that migrates) is
 * not bound by it and serves every tenant: async perspectives and the outbox relay run as the owner.
 */
import { WhizbangError } from '../../js/mod.ts';
import type { PgEngine } from './engine.ts';
import { ident, type SchemaNames } from './schema.ts';

/** The tables with a tenant column (checkpoints are positions in the whole log, of no tenant). */
const TENANT_TABLES = ['events', 'models', 'outbox', 'dead_letters', 'inbox', 'snapshots'] as const;

const APPEND_SIGNATURE =
  'whizbang_append(text, text, bigint, text[], text[], text[], text[], float8[], jsonb[], jsonb[])';

/** The SQL that binds `role` to its tenant in schema `s` (idempotent). */
export function rowLevelSecuritySql(s: SchemaNames, role: string): string {
  const r = ident(role);
  const policies = TENANT_TABLES.map((t) => {
    const table = `${s.q}.whizbang_${t}`;
    return `ALTER TABLE ${table} ENABLE ROW LEVEL SECURITY;
      DROP POLICY IF EXISTS whizbang_tenant ON ${table};
      CREATE POLICY whizbang_tenant ON ${table} TO ${r}
        USING (tenant = current_setting('whizbang.tenant', true))
        WITH CHECK (tenant = current_setting('whizbang.tenant', true));`;
  }).join('\n');
  return `GRANT USAGE ON SCHEMA ${s.q} TO ${r};
    GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA ${s.q} TO ${r};
    -- the append reads the head of the whole log for the next position: it runs as the owner, and
    -- checks the tenant itself
    ALTER FUNCTION ${s.q}.${APPEND_SIGNATURE} SECURITY DEFINER SET search_path = pg_catalog, pg_temp;
    GRANT EXECUTE ON FUNCTION ${s.q}.${APPEND_SIGNATURE} TO ${r};
    ${policies}`;
}

/** Applies {@link rowLevelSecuritySql} in one transaction. */
export async function enableRowLevelSecurity(
  engine: PgEngine,
  s: SchemaNames,
  role: string,
): Promise<void> {
  if (typeof role !== 'string' || role.length === 0 || role.includes('\0')) {
    throw new WhizbangError(
      'INVALID_ARGUMENT',
      `"role" must name a database role, got ${JSON.stringify(role)}.`,
    );
  }
  await engine.transaction(async (c) => {
    await c.query(rowLevelSecuritySql(s, role));
  });
}
