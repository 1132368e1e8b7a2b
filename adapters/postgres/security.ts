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
  const grants = TENANT_TABLES.map((t) => `${s.q}.whizbang_${t}`).join(', ');
  const checkpoints = `${s.q}.whizbang_checkpoints`;
  return `GRANT USAGE ON SCHEMA ${s.q} TO ${r};
    -- only the tables of tenants, bound by the policies below; the schema's version is read-only,
    -- and checkpoints (shared by every tenant) only move forward, never past the log's head
    REVOKE ALL ON ALL TABLES IN SCHEMA ${s.q} FROM ${r};
    GRANT SELECT, INSERT, UPDATE, DELETE ON ${grants} TO ${r};
    GRANT SELECT ON ${s.q}.whizbang_schema TO ${r};
    GRANT SELECT, INSERT, UPDATE ON ${checkpoints} TO ${r};
    CREATE OR REPLACE FUNCTION ${s.q}.whizbang_checkpoint_forward() RETURNS trigger
      LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $body$
      BEGIN
        -- the schema's owner (this function runs as the owner: ask about the session's role)
        IF pg_has_role(session_user, (SELECT relowner FROM pg_class WHERE oid = TG_RELID), 'MEMBER') THEN
          RETURN NEW;
        END IF;
        IF (TG_OP = 'UPDATE' AND NEW.position < OLD.position)
          OR NEW.position > (SELECT coalesce(max(position), 0) FROM ${s.q}.whizbang_events) THEN
          RAISE EXCEPTION 'a checkpoint only moves forward, up to the head of the log' USING ERRCODE = '42501';
        END IF;
        RETURN NEW;
      END $body$;
    DROP TRIGGER IF EXISTS whizbang_checkpoint_forward ON ${checkpoints};
    CREATE TRIGGER whizbang_checkpoint_forward BEFORE INSERT OR UPDATE ON ${checkpoints}
      FOR EACH ROW EXECUTE FUNCTION ${s.q}.whizbang_checkpoint_forward();
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
