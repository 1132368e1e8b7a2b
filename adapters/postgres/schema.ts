/**
 * The PostgreSQL schema: versioned SQL applied in order, each step in a transaction of its own under
 * an advisory lock (so processes starting together migrate once). A schema written by a newer
 * Whizbang is refused before anything is changed.
 */
import { WhizbangError } from '../../js/mod.ts';
import type { PgConnection, PgEngine } from './engine.ts';

/** A quoted identifier. */
export function ident(name: string): string {
  return `"${name.replaceAll('"', '""')}"`;
}

/** A quoted string literal. */
function literal(text: string): string {
  return `'${text.replaceAll("'", "''")}'`;
}

/** What the SQL of a schema needs to know: its name, quoted, and the keys derived from it. */
export interface SchemaNames {
  /** The schema, as given. */
  readonly name: string;
  /** The schema, quoted for SQL. */
  readonly q: string;
  /** The advisory lock key appends take (one per schema). */
  readonly appendLock: string;
  /** The channel NOTIFY tells of new events on. */
  readonly channel: string;
}

/** The NOTIFY channel of a schema: an identifier, so at most 63 bytes (a hash for long names). */
function channelFor(name: string): string {
  const channel = `whizbang_events:${name}`;
  if (new TextEncoder().encode(channel).length <= 63) return channel;
  let h = 0x811c9dc5;
  for (let i = 0; i < name.length; i++) h = Math.imul(h ^ name.charCodeAt(i), 0x01000193);
  return `whizbang_events:#${(h >>> 0).toString(16)}`;
}

/**
 * The names of a schema. A name with `$` is refused: the schema's functions are dollar-quoted, and
 * a name holding the quote's tag would end it.
 */
export function schemaNames(name: string): SchemaNames {
  if (typeof name !== 'string' || name.length === 0 || /[\0$]/.test(name)) {
    throw new WhizbangError(
      'INVALID_ARGUMENT',
      `A PostgreSQL schema name must be a non-empty name without "$" or U+0000, got ${JSON.stringify(name)}.`,
    );
  }
  return {
    name,
    q: ident(name),
    appendLock: `hashtext(${literal(`whizbang.append:${name}`)})`,
    channel: channelFor(name),
  };
}

/** Each entry upgrades the schema by one version. */
const MIGRATIONS: ReadonlyArray<(s: SchemaNames) => string> = [
  // 1: the first schema
  ({ q, appendLock, channel }) => `
    CREATE TABLE ${q}.whizbang_events (
      position       bigint      PRIMARY KEY,
      tenant         text        NOT NULL,
      stream_id      text        NOT NULL,
      version        bigint      NOT NULL,
      type           text        NOT NULL,
      message_id     text        NOT NULL,
      correlation_id text        NOT NULL,
      causation_id   text        NOT NULL,
      created_at     timestamptz NOT NULL,
      data           jsonb       NOT NULL,
      metadata       jsonb,
      UNIQUE (tenant, stream_id, version)
    );
    CREATE INDEX whizbang_events_by_type ON ${q}.whizbang_events (type, position);
    CREATE INDEX whizbang_events_by_tenant ON ${q}.whizbang_events (tenant, position);
    CREATE TABLE ${q}.whizbang_models (
      perspective text        NOT NULL,
      tenant      text        NOT NULL,
      id          text        NOT NULL,
      model       jsonb       NOT NULL,
      version     bigint      NOT NULL,
      position    bigint      NOT NULL,
      updated_at  timestamptz NOT NULL,
      PRIMARY KEY (perspective, tenant, id)
    );
    CREATE TABLE ${q}.whizbang_checkpoints (
      perspective text   PRIMARY KEY,
      position    bigint NOT NULL
    );
    CREATE TABLE ${q}.whizbang_outbox (
      seq          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
      id           text        NOT NULL UNIQUE,
      tenant       text        NOT NULL,
      topic        text        NOT NULL,
      envelope     jsonb       NOT NULL,
      attempts     integer     NOT NULL,
      enqueued_at  timestamptz NOT NULL,
      available_at timestamptz NOT NULL,
      last_error   text
    );
    CREATE INDEX whizbang_outbox_due ON ${q}.whizbang_outbox (available_at, seq);
    CREATE TABLE ${q}.whizbang_inbox (
      tenant     text        NOT NULL,
      message_id text        NOT NULL,
      handled_at timestamptz NOT NULL,
      PRIMARY KEY (tenant, message_id)
    );
    CREATE TABLE ${q}.whizbang_snapshots (
      kind           text        NOT NULL,
      tenant         text        NOT NULL,
      id             text        NOT NULL,
      version        bigint      NOT NULL,
      schema_version integer     NOT NULL,
      state          jsonb       NOT NULL,
      taken_at       timestamptz NOT NULL,
      PRIMARY KEY (kind, tenant, id)
    );
    -- One append in one statement: the schema's append lock (held to commit, so positions are given
    -- in commit order and a reader never sees position n + 1 before n), the expected version
    -- checked under it, the rows and a NOTIFY sent at commit.
    -- p_expected: a version >= 0, -1 any, -2 no stream, -3 stream exists.
    -- Returns (ok, version, position): when not ok, nothing was written and version is the actual one.
    CREATE FUNCTION ${q}.whizbang_append(
      p_tenant text, p_stream text, p_expected bigint, p_types text[], p_ids text[],
      p_correlations text[], p_causations text[], p_times float8[], p_data jsonb[], p_metadata jsonb[]
    ) RETURNS TABLE (ok boolean, version bigint, "position" bigint)
    LANGUAGE plpgsql AS $fn$
    DECLARE
      v_version bigint;
      v_head    bigint;
      v_count   integer := coalesce(array_length(p_types, 1), 0);
    BEGIN
      -- a connection pinned to a tenant (row-level security) writes only that tenant's events
      IF coalesce(current_setting('whizbang.tenant', true), '') NOT IN ('', p_tenant) THEN
        RAISE EXCEPTION 'whizbang: this connection is pinned to tenant "%" and cannot append to tenant "%"',
          current_setting('whizbang.tenant', true), p_tenant USING ERRCODE = '42501';
      END IF;
      PERFORM pg_advisory_xact_lock(${appendLock});
      -- the stream's version: the last entry of the unique index on (tenant, stream_id, version)
      SELECT max(e.version) INTO v_version FROM ${q}.whizbang_events e
        WHERE e.tenant = p_tenant AND e.stream_id = p_stream;
      v_version := coalesce(v_version, 0);
      IF (p_expected >= 0 AND p_expected <> v_version)
        OR (p_expected = -2 AND v_version <> 0)
        OR (p_expected = -3 AND v_version = 0) THEN
        RETURN QUERY SELECT false, v_version, 0::bigint;
        RETURN;
      END IF;
      SELECT coalesce(max(e.position), 0) INTO v_head FROM ${q}.whizbang_events e;
      IF v_count = 0 THEN
        RETURN QUERY SELECT true, v_version, v_head;
        RETURN;
      END IF;
      INSERT INTO ${q}.whizbang_events (position, tenant, stream_id, version, type, message_id,
          correlation_id, causation_id, created_at, data, metadata)
        SELECT v_head + x.i, p_tenant, p_stream, v_version + x.i, x.type, x.id,
          coalesce(x.correlation, x.id), coalesce(x.causation, x.id),
          to_timestamp(x.time / 1000), x.data, x.metadata
        FROM unnest(p_types, p_ids, p_correlations, p_causations, p_times, p_data, p_metadata)
          WITH ORDINALITY AS x(type, id, correlation, causation, time, data, metadata, i);
      PERFORM pg_notify(${literal(channel)}, (v_head + v_count)::text);
      RETURN QUERY SELECT true, v_version + v_count, v_head + v_count;
    END
    $fn$;`,
  // 2: lens filters on equality use this index (`model @> …`)
  ({ q }) => `
    CREATE INDEX whizbang_models_model ON ${q}.whizbang_models USING gin (model jsonb_path_ops);`,
  // 3: the outbox keeps order per stream (the stream of each record, by `outboxStream`), its dead
  // letters wait to be replayed, and the inbox keeps what is left of an unfinished handling
  ({ q }) => `
    ALTER TABLE ${q}.whizbang_outbox ADD COLUMN stream text NOT NULL DEFAULT '';
    UPDATE ${q}.whizbang_outbox SET stream = CASE
      WHEN envelope->>'streamId' IS NULL
        THEN '[' || to_json(tenant)::text || ',null,' || to_json(topic)::text || ']'
      ELSE '[' || to_json(tenant)::text || ',' || to_json(envelope->>'streamId')::text || ']' END;
    CREATE INDEX whizbang_outbox_stream ON ${q}.whizbang_outbox (stream, seq);
    CREATE TABLE ${q}.whizbang_dead_letters (
      seq          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
      id           text        NOT NULL UNIQUE,
      tenant       text        NOT NULL,
      stream       text        NOT NULL,
      topic        text        NOT NULL,
      envelope     jsonb       NOT NULL,
      attempts     integer     NOT NULL,
      enqueued_at  timestamptz NOT NULL,
      available_at timestamptz NOT NULL,
      last_error   text        NOT NULL,
      dead_at      timestamptz NOT NULL
    );
    ALTER TABLE ${q}.whizbang_inbox ADD COLUMN rest jsonb;`,
  // 4: group commit, many appends in one statement: the lock taken once, each append's expected
  // version checked on its own (a conflict writes nothing of that append and the others go on),
  // positions given in order. Append k's events are p_types[at_k .. at_k + p_counts[k] - 1] (and
  // the same slice of the other event arrays). Returns one (n, ok, version, position) per append.
  ({ q, appendLock, channel }) => `
    CREATE FUNCTION ${q}.whizbang_append_many(
      p_tenants text[], p_streams text[], p_expected bigint[], p_counts integer[], p_types text[],
      p_ids text[], p_correlations text[], p_causations text[], p_times float8[], p_data jsonb[],
      p_metadata jsonb[]
    ) RETURNS TABLE (n integer, ok boolean, version bigint, "position" bigint)
    LANGUAGE plpgsql AS $fn$
    DECLARE
      v_pinned  text := coalesce(current_setting('whizbang.tenant', true), '');
      v_version bigint;
      v_head    bigint;
      v_at      integer := 1;
      v_count   integer;
      v_wrote   boolean := false;
    BEGIN
      IF v_pinned <> '' AND EXISTS (SELECT 1 FROM unnest(p_tenants) t WHERE t <> v_pinned) THEN
        RAISE EXCEPTION 'whizbang: this connection is pinned to tenant "%" and cannot append to another tenant',
          v_pinned USING ERRCODE = '42501';
      END IF;
      PERFORM pg_advisory_xact_lock(${appendLock});
      SELECT coalesce(max(e.position), 0) INTO v_head FROM ${q}.whizbang_events e;
      -- each stream once (the usual batch): every check and every row in one statement
      IF (SELECT count(DISTINCT (u.t, u.s)) FROM unnest(p_tenants, p_streams) AS u(t, s))
          = coalesce(array_length(p_streams, 1), 0) THEN
        RETURN QUERY
        WITH r AS (
          SELECT u.k::integer AS k, u.t, u.s, u.ex, u.c,
            coalesce((SELECT max(e.version) FROM ${q}.whizbang_events e
              WHERE e.tenant = u.t AND e.stream_id = u.s), 0) AS v,
            (sum(u.c) OVER (ORDER BY u.k) - u.c + 1)::integer AS at
          FROM unnest(p_tenants, p_streams, p_expected, p_counts) WITH ORDINALITY AS u(t, s, ex, c, k)
        ), d AS (
          SELECT r.*, NOT ((r.ex >= 0 AND r.ex <> r.v) OR (r.ex = -2 AND r.v <> 0)
            OR (r.ex = -3 AND r.v = 0)) AS good FROM r
        ), p AS (
          SELECT d.*, v_head + sum(CASE WHEN d.good THEN d.c ELSE 0 END) OVER (ORDER BY d.k) AS upto
          FROM d
        ), written AS (
          INSERT INTO ${q}.whizbang_events (position, tenant, stream_id, version, type, message_id,
              correlation_id, causation_id, created_at, data, metadata)
            SELECT p.upto - p.c + x.i, p.t, p.s, p.v + x.i, x.type, x.id,
              coalesce(x.correlation, x.id), coalesce(x.causation, x.id),
              to_timestamp(x.time / 1000), x.data, x.metadata
            FROM p CROSS JOIN LATERAL unnest(p_types[p.at:p.at + p.c - 1],
                p_ids[p.at:p.at + p.c - 1], p_correlations[p.at:p.at + p.c - 1],
                p_causations[p.at:p.at + p.c - 1], p_times[p.at:p.at + p.c - 1],
                p_data[p.at:p.at + p.c - 1], p_metadata[p.at:p.at + p.c - 1])
              WITH ORDINALITY AS x(type, id, correlation, causation, time, data, metadata, i)
            WHERE p.good AND p.c > 0
            RETURNING 1
        )
        SELECT p.k, p.good, CASE WHEN p.good THEN p.v + p.c ELSE p.v END,
          CASE WHEN p.good THEN p.upto::bigint ELSE 0::bigint END
        FROM p ORDER BY p.k;
        SELECT coalesce(max(e.position), 0) INTO v_version FROM ${q}.whizbang_events e;
        IF v_version > v_head THEN
          PERFORM pg_notify(${literal(channel)}, v_version::text);
        END IF;
        RETURN;
      END IF;
      FOR k IN 1 .. coalesce(array_length(p_streams, 1), 0) LOOP
        v_count := p_counts[k];
        SELECT max(e.version) INTO v_version FROM ${q}.whizbang_events e
          WHERE e.tenant = p_tenants[k] AND e.stream_id = p_streams[k];
        v_version := coalesce(v_version, 0);
        n := k;
        IF (p_expected[k] >= 0 AND p_expected[k] <> v_version)
          OR (p_expected[k] = -2 AND v_version <> 0)
          OR (p_expected[k] = -3 AND v_version = 0) THEN
          ok := false; version := v_version; "position" := 0;
        ELSE
          IF v_count > 0 THEN
            INSERT INTO ${q}.whizbang_events (position, tenant, stream_id, version, type, message_id,
                correlation_id, causation_id, created_at, data, metadata)
              SELECT v_head + x.i, p_tenants[k], p_streams[k], v_version + x.i, x.type, x.id,
                coalesce(x.correlation, x.id), coalesce(x.causation, x.id),
                to_timestamp(x.time / 1000), x.data, x.metadata
              FROM unnest(p_types[v_at:v_at + v_count - 1], p_ids[v_at:v_at + v_count - 1],
                  p_correlations[v_at:v_at + v_count - 1], p_causations[v_at:v_at + v_count - 1],
                  p_times[v_at:v_at + v_count - 1], p_data[v_at:v_at + v_count - 1],
                  p_metadata[v_at:v_at + v_count - 1])
                WITH ORDINALITY AS x(type, id, correlation, causation, time, data, metadata, i);
            v_head := v_head + v_count;
            v_version := v_version + v_count;
            v_wrote := true;
          END IF;
          ok := true; version := v_version; "position" := v_head;
        END IF;
        RETURN NEXT;
        v_at := v_at + v_count;
      END LOOP;
      IF v_wrote THEN
        PERFORM pg_notify(${literal(channel)}, v_head::text);
      END IF;
    END
    $fn$;`,
];

/** The schema version this code writes. */
export const SCHEMA_VERSION: number = MIGRATIONS.length;

async function versionIn(c: PgConnection, s: SchemaNames): Promise<number> {
  // the catalog read as a table, under this statement's snapshot: `to_regclass` could answer
  // from a catalog cache that has not seen another process's migration yet
  const table = await c.query(
    "SELECT 1 FROM pg_catalog.pg_tables WHERE schemaname = $1 AND tablename = 'whizbang_schema'",
    [s.name],
  );
  if (table.length === 0) return 0;
  const rows = await c.query(`SELECT coalesce(max(version), 0) FROM ${s.q}.whizbang_schema`);
  return Number(rows[0]?.[0] ?? 0);
}

/**
 * Looks at the schema without changing it: the version it holds (0 when it has none), or a clear
 * error when it was written by a newer Whizbang.
 */
export async function inspect(engine: PgConnection, s: SchemaNames): Promise<number> {
  const found = await versionIn(engine, s);
  if (found > SCHEMA_VERSION) {
    throw new WhizbangError(
      'INVALID_ARGUMENT',
      `PostgreSQL schema "${s.name}" was written by a newer Whizbang (schema ${found}; this one knows ${SCHEMA_VERSION}). Upgrade Whizbang to use it; nothing was changed.`,
    );
  }
  return found;
}

/**
 * Brings the schema to `target` (default: the current version), one transaction per step under an
 * advisory lock; returns the version found. Safe to call from many processes at once.
 */
export async function migrate(
  engine: PgEngine,
  s: SchemaNames,
  target: number = SCHEMA_VERSION,
): Promise<number> {
  const found = await inspect(engine, s);
  for (let v = found; v < target; v++) {
    await engine.transaction(async (c) => {
      await c.query('SELECT pg_advisory_xact_lock(hashtext($1))', [`whizbang.migrate:${s.name}`]);
      // another process may have migrated while we waited for the lock
      const now = await versionIn(c, s);
      if (now > v) return;
      if (v === 0) {
        await c.query(`CREATE SCHEMA IF NOT EXISTS ${s.q}`);
        await c.query(
          `CREATE TABLE IF NOT EXISTS ${s.q}.whizbang_schema (version integer PRIMARY KEY, applied_at timestamptz NOT NULL DEFAULT now())`,
        );
      }
      await c.query(MIGRATIONS[v]!(s));
      await c.query(`INSERT INTO ${s.q}.whizbang_schema (version) VALUES ($1)`, [v + 1]);
    });
  }
  return found;
}
