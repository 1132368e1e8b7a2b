// Compiled against the built package (dist/*.d.ts) by `npm test`: the published types work for a user.

import type { DeliveryReceipt, Whizbang } from 'whizbang';
import { defineCommand, defineEvent, defineReceptor, payload, whizbang } from 'whizbang';
import {
  type JetStreamDriver,
  jetstreamDriver,
  type NatsTransport,
  natsTransport,
} from 'whizbang/nats';
import { type PostgresDriver, postgresDriver } from 'whizbang/postgres';

const Ping = defineCommand('Ping', payload<{ n: number }>());
const Pinged = defineEvent('Pinged', payload<{ n: number }>());
const ping = defineReceptor({
  command: Ping,
  stream: () => 'pings',
  handle: (c) => Pinged({ n: c.data.n + 1 }),
});
const app: Whizbang<ReturnType<typeof Ping>, { Ping: ReturnType<typeof Pinged> }> = whizbang()
  .receptor(ping)
  .build();
export const receipt: Promise<DeliveryReceipt> = app.send(Ping({ n: 1 }));
export const result: Promise<{ kind: 'event'; type: 'Pinged'; data: { n: number } }> =
  app.localInvoke(Ping({ n: 1 }));
// @ts-expect-error a command no receptor handles does not compile
app.send(Pinged({ n: 1 }));

// the PostgreSQL entry's types stand alone: no @types/pg needed to use it
export const server: Promise<PostgresDriver> = postgresDriver({
  url: 'postgres://localhost/app',
  schema: 'shop',
});
export const serverApp = server.then((driver) => whizbang().receptor(ping).build({ driver }));

import type { IndexedDbDriver, StorageReport } from 'whizbang/indexeddb';
import { indexedDbDriver } from 'whizbang/indexeddb';

export const browserDriver: Promise<IndexedDbDriver> = indexedDbDriver({
  name: 'shop',
  durability: 'strict',
});
export const report: Promise<StorageReport> = browserDriver.then((d) => d.storage());

// the NATS entry: the transport and the JetStream driver, typed from the built package
export const bus: Promise<NatsTransport> = natsTransport({
  servers: ['nats://n1:4222', 'nats://n2:4222'],
  jetstream: { stream: 'SHOP' },
});
export const shared: Promise<JetStreamDriver> = jetstreamDriver({ stream: 'SHOP_LEDGER' });
export const sharedApp = shared.then((driver) => whizbang().receptor(ping).build({ driver }));

// the RabbitMQ entry's types stand alone: no @cloudamqp/amqp-client types needed to use it
import { type RabbitTransport, rabbitmqTransport } from 'whizbang/rabbitmq';

export const rabbit: Promise<RabbitTransport> = rabbitmqTransport({
  urls: ['amqp://r1:5672', 'amqp://r2:5672'],
  mode: 'reliable',
  redelivery: { attempts: 5, backoffMs: 100 },
});

// the conformance suites, as a driver's own test file calls them, typed from the built package
import { memoryDriver } from 'whizbang';
import { type DriverFactory, ledgerConformance } from 'whizbang/conformance';

const fresh: DriverFactory = () => memoryDriver();
export const registerSuites = (): void => ledgerConformance('memory', fresh);

// with DOM types, the signal a timeout aborts is the DOM's own: it goes where `fetch` takes one
import { type CoreFactory, loadWasmCore } from 'whizbang/wasm';

const fetching = defineReceptor({
  command: Ping,
  stream: () => 'pings',
  handle: async (c, context) => {
    await fetch('https://example.com/', { signal: context.signal ?? null });
    return Pinged({ n: c.data.n });
  },
});
export const fetchingApp = whizbang().receptor(fetching).build();
// and the WebAssembly core loads from what `fetch` resolves to, or from a DOM `URL`
export const fetched: Promise<CoreFactory> = loadWasmCore(fetch('/whizbang.wasm'));
export const located: Promise<CoreFactory> = loadWasmCore(new URL('https://example.com/c.wasm'));
