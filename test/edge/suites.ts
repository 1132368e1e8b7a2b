/**
 * The test Worker: runs the conformance suites inside workerd, against a Durable Object's SQLite
 * storage (inside the object) and against D1, and answers with one JSON result per line.
 */
import { DurableObject } from 'cloudflare:workers';
import { d1Driver } from '../../adapters/cloudflare/d1/driver.ts';
import { durableObjectDriver } from '../../adapters/cloudflare/durable-object.ts';
import {
  ledgerConformance,
  outboxConformance,
  storeConformance,
} from '../../js/conformance/mod.ts';
import { finishCollection, startCollection } from '../runtimes/collect.mjs';
import { recordUnhandled, runSuite, takeUnhandled } from '../runtimes/execute.mjs';
import { serializeError } from '../runtimes/protocol.mjs';

interface Env {
  readonly SUITES: DurableObjectNamespace;
  readonly DB: D1Database;
}

type Register = (env: Env, storage: DurableObjectState['storage']) => void;

const SUITES: Record<string, Register> = {
  do: (_env, storage) => {
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
      if (tables.length > 0) await env.DB.batch(tables.map(([name]) => env.DB.prepare(`DROP TABLE ${name}`)));
      return d1Driver(env.DB, { pollMs: 10 });
    };
    ledgerConformance('d1', fresh, { numRuns: 5 });
    storeConformance('d1', fresh);
    outboxConformance('d1', fresh);
  },
};

/** Runs the suites one name registers and streams their results. */
async function run(register: Register, env: Env, storage: DurableObjectState['storage']): Promise<Response> {
  const lines: string[] = [];
  const emit = (event: unknown): void => {
    lines.push(JSON.stringify(event));
  };
  addEventListener('unhandledrejection', (e) => recordUnhandled((e as PromiseRejectionEvent).reason));
  startCollection();
  try {
    register(env, storage);
  } catch (error) {
    finishCollection();
    emit({ name: ['(collect)'], status: 'fail', error: serializeError(error) });
    return new Response(lines.join('\n'));
  }
  const root = finishCollection();
  await runSuite(root, (r: { name: string[]; status: string; error?: unknown }) =>
    emit({ name: r.name, status: r.status, ...(r.error === undefined ? {} : { error: serializeError(r.error) }) }),
  );
  for (const error of takeUnhandled()) {
    emit({ name: ['(unhandled error)'], status: 'fail', error: serializeError(error) });
  }
  return new Response(lines.join('\n'));
}

/** A Durable Object whose storage the suites use. */
export class Suites extends DurableObject<Env> {
  override async fetch(request: Request): Promise<Response> {
    const name = new URL(request.url).pathname.slice(1);
    const register = SUITES[name];
    if (register === undefined) return new Response(`no suite ${name}`, { status: 404 });
    return run(register, this.env, this.ctx.storage);
  }
}

export default {
  async fetch(request: Request, env: Env): Promise<Response> {
    const name = new URL(request.url).pathname.slice(1);
    return env.SUITES.get(env.SUITES.idFromName(name)).fetch(request);
  },
};
