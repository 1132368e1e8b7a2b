/**
 * The Worker the edge benchmarks time from outside (workerd's clock stands still while JavaScript
 * runs, so a Worker cannot time synchronous SQL itself): each request runs `ops` operations of one
 * side, the driver's or the raw binding's doing the same rows, in one Durable Object.
 */
import { DurableObject } from 'cloudflare:workers';
import type { D1Database } from '../../adapters/cloudflare/d1/binding.ts';
import { type D1Driver, d1Driver } from '../../adapters/cloudflare/d1/driver.ts';
import { durableObjectDriver } from '../../adapters/cloudflare/durable-object.ts';
import type { SqliteDriver } from '../../adapters/sqlite/driver.ts';

interface Env {
  readonly BENCH: DurableObjectNamespace;
  readonly DB: D1Database;
}

const INSERT = `INSERT INTO whizbang_events (tenant, stream_id, version, type, message_id, correlation_id, causation_id, time, data, metadata)
  VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`;
const UPSERT =
  'INSERT INTO whizbang_streams (tenant, stream_id, version) VALUES (?, ?, ?) ON CONFLICT (tenant, stream_id) DO UPDATE SET version = excluded.version';
const READ =
  'SELECT position, version, type, message_id, correlation_id, causation_id, time, data, metadata FROM whizbang_events WHERE tenant = ? AND stream_id = ? ORDER BY version';
const STREAMS = 16;
const READ_EVENTS = 200;

const event = (i: number) => ({
  type: 'Deposited',
  data: { accountId: `a${i % STREAMS}`, amount: i, note: 'a deposit of a few words' },
});

/** One object: the driver and the raw binding side by side on the same storage and database. */
export class Bench extends DurableObject<Env> {
  readonly #do: SqliteDriver = durableObjectDriver(this.ctx.storage);
  #d1: Promise<D1Driver> | undefined;
  readonly #versions = new Map<string, number>();
  #n = 0;

  /** The raw side's next version of `stream` (it keeps its own streams, so it knows them). */
  #next(stream: string): number {
    const v = (this.#versions.get(stream) ?? 0) + 1;
    this.#versions.set(stream, v);
    return v;
  }

  override async fetch(request: Request): Promise<Response> {
    const url = new URL(request.url);
    const ops = Number(url.searchParams.get('ops') ?? 1);
    const side = url.pathname.slice(1);
    const sql = this.ctx.storage.sql;
    this.#d1 ??= d1Driver(this.env.DB);
    const d1 = await this.#d1;
    let sum = 0;
    for (let k = 0; k < ops; k++) {
      const i = this.#n++;
      const stream = `account-${i % STREAMS}`;
      const e = event(i);
      const id = crypto.randomUUID();
      switch (side) {
        case 'd1.append.driver':
          await d1.ledger.append(stream, [e]);
          break;
        case 'd1.append.raw': {
          const raw = `raw-${stream}`;
          const v = this.#next(`d1-${raw}`);
          await this.env.DB.batch([
            this.env.DB.prepare(INSERT).bind(
              'default',
              raw,
              v,
              e.type,
              id,
              id,
              id,
              Date.now(),
              JSON.stringify(e.data),
              null,
            ),
            this.env.DB.prepare(UPSERT).bind('default', raw, v),
          ]);
          break;
        }
        case 'do.append.driver':
          await this.#do.ledger.append(stream, [e]);
          break;
        case 'do.append.raw': {
          const raw = `raw-${stream}`;
          const v = this.#next(`do-${raw}`);
          this.ctx.storage.transactionSync(() => {
            sql.exec(
              INSERT,
              'default',
              raw,
              v,
              e.type,
              id,
              id,
              id,
              Date.now(),
              JSON.stringify(e.data),
              null,
            );
            sql.exec(UPSERT, 'default', raw, v);
          });
          break;
        }
        case 'do.read.driver':
          sum += this.#do.ledger.readStream('read').length;
          break;
        case 'do.read.raw': {
          const rows = sql.exec(READ, 'default', 'read').toArray();
          const events = rows.map((r) => ({
            kind: 'event',
            type: r.type,
            data: JSON.parse(r.data as string),
            streamId: 'read',
            version: r.version,
            position: r.position,
            tenant: 'default',
            messageId: r.message_id,
            correlationId: r.correlation_id,
            causationId: r.causation_id,
            timestamp: r.time,
            metadata: r.metadata === null ? undefined : JSON.parse(r.metadata as string),
          }));
          sum += events.length;
          break;
        }
        case 'do.read.setup':
          if (this.#do.ledger.streamVersion('read') === 0) {
            await this.#do.ledger.append(
              'read',
              Array.from({ length: READ_EVENTS }, (_, j) => event(j)),
            );
          }
          break;
        default:
          return new Response(`no side ${side}`, { status: 404 });
      }
    }
    return Response.json({ done: ops, sum });
  }
}

export default {
  fetch(request: Request, env: Env): Promise<Response> {
    return env.BENCH.get(env.BENCH.idFromName('bench')).fetch(request);
  },
};
