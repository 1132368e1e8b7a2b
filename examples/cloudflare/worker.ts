/**
 * The bank as a Cloudflare Worker: one Durable Object per account group keeps that group's ledger
 * in its SQLite storage (`/groups/<group>/…`), and the same bank runs on D1 (`/d1/…`). Run it with
 * `npx wrangler dev` (see wrangler.toml beside this file), then:
 *
 *   curl -X POST localhost:8787/groups/g1/commands -d '{"type":"OpenAccount","data":{"accountId":"a","owner":"Ada"}}'
 *   curl localhost:8787/groups/g1/accounts/a
 */
import { DurableObject } from 'cloudflare:workers';
import { type D1Database, d1Driver, durableObjectDriver } from '../../adapters/cloudflare/mod.ts';
import { isWhizbangError } from '../../js/mod.ts';
import {
  accounts,
  BankError,
  createBank,
  Deposit,
  GetBalance,
  OpenAccount,
  Transfer,
  totals,
  transfers,
  Withdraw,
} from '../bank/domain.ts';

/** The Worker's bindings (wrangler.toml). */
export interface Env {
  /** One object per account group. */
  readonly BANK: DurableObjectNamespace;
  /** The D1 database of the `/d1` bank. */
  readonly DB: D1Database;
}

const COMMANDS = { OpenAccount, Deposit, Withdraw, Transfer } as const;
type Bank = ReturnType<typeof createBank>;

const json = (body: unknown, status = 200): Response => Response.json(body, { status });

/** Serves one bank: `POST commands`, `GET accounts/<id>`, `GET balance/<id>`, `GET transfers/<id>`, `GET totals`. */
async function serve(bank: Bank, request: Request, path: readonly string[]): Promise<Response> {
  try {
    const [what, id] = path;
    if (request.method === 'POST' && what === 'commands') {
      const { type, data } = (await request.json()) as { type: keyof typeof COMMANDS; data: never };
      const command = COMMANDS[type];
      if (command === undefined) return json({ error: `no command ${String(type)}` }, 400);
      await bank.send(command(data));
      return json({ ok: true });
    }
    if (what === 'accounts' && id !== undefined)
      return json((await bank.lens(accounts).get(id)) ?? null);
    if (what === 'balance' && id !== undefined) {
      return json(await bank.localInvoke(GetBalance({ accountId: id })));
    }
    if (what === 'transfers' && id !== undefined)
      return json((await bank.lens(transfers).get(id)) ?? null);
    if (what === 'totals') {
      await bank.waitForPerspectives(); // the async perspective catches up first
      return json((await bank.lens(totals).get('bank')) ?? null);
    }
    return json({ error: 'not found' }, 404);
  } catch (error) {
    if (error instanceof BankError) return json({ error: error.message }, 422);
    if (isWhizbangError(error)) return json({ error: error.message, code: error.code }, 409);
    throw error;
  }
}

/** One account group's bank, in the object's own SQLite storage. */
export class BankLedger extends DurableObject<Env> {
  readonly #bank: Bank = createBank({ driver: durableObjectDriver(this.ctx.storage) });

  /** Serves the group's bank. */
  override fetch(request: Request): Promise<Response> {
    return serve(this.#bank, request, new URL(request.url).pathname.split('/').slice(3));
  }
}

export default {
  /** `/groups/<group>/…` to the group's object; `/d1/…` to the bank on D1. */
  async fetch(request: Request, env: Env): Promise<Response> {
    const path = new URL(request.url).pathname.split('/').slice(1);
    if (path[0] === 'groups' && path[1] !== undefined) {
      return env.BANK.get(env.BANK.idFromName(path[1])).fetch(request);
    }
    if (path[0] === 'd1') {
      // a stateless Worker does I/O only for the request in hand: the bank lives for one request
      // (its async perspective catches up inside the request that waits for it)
      const bank = createBank({ driver: await d1Driver(env.DB) });
      try {
        return await serve(bank, request, path.slice(1));
      } finally {
        await bank.close();
      }
    }
    return json({ error: 'not found' }, 404);
  },
};
