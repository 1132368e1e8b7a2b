/**
 * The test Worker: runs the conformance suites inside workerd, against a Durable Object's SQLite
 * storage and against D1, each inside a Durable Object (whose storage is the driver's, or which
 * reaches the D1 binding), and answers with one JSON result per line.
 */
import { DurableObject } from 'cloudflare:workers';
import type { D1Database } from '../../adapters/cloudflare/d1/binding.ts';
import { d1Driver } from '../../adapters/cloudflare/d1/driver.ts';
import { durableObjectDriver } from '../../adapters/cloudflare/durable-object.ts';
import {
  ledgerConformance,
  outboxConformance,
  storeConformance,
} from '../../js/conformance/mod.ts';
import { runRegistered } from './runner.mjs';

interface Env {
  readonly SUITES: DurableObjectNamespace;
  readonly DB: D1Database;
}

type Register = (env: Env, storage: DurableObjectState['storage']) => void;

const SUITES: Record<string, Register> = {
  do: (_env, storage) => {
    // one object for the run: a fresh driver starts on emptied storage
    const fresh = async () => {
      await storage.deleteAll();
      return durableObjectDriver(storage);
    };
    ledgerConformance('durable object', fresh, { numRuns: 10 });
    storeConformance('durable object', fresh);
    outboxConformance('durable object', fresh);
  },
  d1: (env) => {
    // one database for the run: a fresh driver starts on emptied tables
    const fresh = async () => {
      const tables = await env.DB.prepare(
        "SELECT name FROM sqlite_master WHERE type = 'table' AND name LIKE 'whizbang_%'",
      ).raw<[string]>();
      if (tables.length > 0) {
        await env.DB.batch(tables.map(([name]) => env.DB.prepare(`DROP TABLE ${name}`)));
      }
      return d1Driver(env.DB, { pollMs: 10 });
    };
    ledgerConformance('d1', fresh, { numRuns: 5 });
    storeConformance('d1', fresh);
    outboxConformance('d1', fresh);
  },
};

/** The object whose storage (or binding) the suites use. */
export class Suites extends DurableObject<Env> {
  override async fetch(request: Request): Promise<Response> {
    const register = SUITES[new URL(request.url).pathname.slice(1)];
    if (register === undefined) return new Response('no such suite', { status: 404 });
    return new Response(await runRegistered(() => register(this.env, this.ctx.storage)));
  }
}

export default {
  /** `/<suite>` runs in an object of its own. */
  fetch(request: Request, env: Env): Promise<Response> {
    const name = new URL(request.url).pathname.slice(1);
    return env.SUITES.get(env.SUITES.idFromName(name)).fetch(request);
  },
};
