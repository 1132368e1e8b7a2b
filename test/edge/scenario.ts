/**
 * The Worker of the edge scenarios (bundled without `nodejs_compat`): a Durable Object ledger to
 * append to and read while the runtime restarts, appends through D1 raced by many requests, and
 * an object whose outbox its alarm relays to an HTTP endpoint.
 */
import { DurableObject } from 'cloudflare:workers';
import {
  type D1Database,
  d1Driver,
  durableObjectDriver,
  httpTransport,
  relayOnAlarm,
  wakeRelay,
} from '../../adapters/cloudflare/mod.ts';
import { type Driver, defineCommand, isWhizbangError, payload, whizbang } from '../../js/mod.ts';

interface Env {
  readonly STREAMS: DurableObjectNamespace;
  readonly RELAY: DurableObjectNamespace;
  readonly DB: D1Database;
}

/** Appends `?stream=&expected=` the JSON body's events (an array of `{ type, data, messageId }`). */
async function append(driver: Driver, request: Request): Promise<Response> {
  const url = new URL(request.url);
  const stream = url.searchParams.get('stream') ?? 's';
  const expected = url.searchParams.get('expected');
  try {
    const result = await driver.ledger.append(stream, await request.json(), {
      ...(expected === null ? {} : { expectedVersion: Number(expected) }),
    });
    return Response.json({ version: result.version, position: result.position });
  } catch (error) {
    if (isWhizbangError(error)) return Response.json({ code: error.code }, { status: 409 });
    throw error;
  }
}

async function read(driver: Driver, request: Request): Promise<Response> {
  const stream = new URL(request.url).searchParams.get('stream') ?? 's';
  const events = await driver.ledger.readStream(stream);
  return Response.json(events.map((e) => ({ version: e.version, messageId: e.messageId })));
}

/** A ledger in the object's storage. */
export class Streams extends DurableObject<Env> {
  readonly #driver = durableObjectDriver(this.ctx.storage);

  override fetch(request: Request): Promise<Response> {
    return request.method === 'POST' ? append(this.#driver, request) : read(this.#driver, request);
  }
}

const Notify = defineCommand('Notify', payload<{ text: string }>());

/** An app whose `Notify` goes to the outbox, relayed by the object's alarm to `?to=`. */
export class Relay extends DurableObject<Env> {
  readonly #driver = durableObjectDriver(this.ctx.storage);
  readonly #app = whizbang('relay').route(Notify, { to: 'outbox' }).build({ driver: this.#driver });

  override async fetch(request: Request): Promise<Response> {
    const url = new URL(request.url);
    if (request.method === 'POST') {
      await this.ctx.storage.put('to', url.searchParams.get('to') ?? '');
      await this.#app.send(Notify({ text: url.searchParams.get('text') ?? '' }));
      await wakeRelay(this.ctx.storage);
      return Response.json({ ok: true });
    }
    return Response.json(await this.#driver.store.outbox!.counts());
  }

  override async alarm(): Promise<void> {
    const url = (await this.ctx.storage.get<string>('to')) ?? '';
    await relayOnAlarm(
      this.#app,
      httpTransport({ url }),
      this.#driver.store.outbox!,
      this.ctx.storage,
      {
        retryMs: 50,
      },
    );
  }
}

let onD1: Promise<Driver> | undefined;

export default {
  async fetch(request: Request, env: Env): Promise<Response> {
    const [where, name = 'one'] = new URL(request.url).pathname.slice(1).split('/');
    if (where === 'do') return env.STREAMS.get(env.STREAMS.idFromName(name)).fetch(request);
    if (where === 'relay') return env.RELAY.get(env.RELAY.idFromName(name)).fetch(request);
    if (where === 'd1') {
      onD1 ??= d1Driver(env.DB);
      const driver = await onD1;
      return request.method === 'POST' ? append(driver, request) : read(driver, request);
    }
    return new Response('not found', { status: 404 });
  },
};
