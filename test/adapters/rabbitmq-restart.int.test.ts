/**
 * A broker restart under load: the outbox relay of one app publishes through a RabbitMQ node of
 * the test's own while another app handles from its durable queue group; the node is killed with
 * SIGKILL and started again on the same data. Nothing the broker confirmed is lost, and each
 * command is handled once (redeliveries and the relay's retries meet the inbox).
 */
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { type RabbitTransport, rabbitmqTransport } from '../../adapters/rabbitmq/node.ts';
import { range, sleep } from '../../js/conformance/helpers.ts';
import {
  defineCommand,
  defineEvent,
  defineReceptor,
  payload,
  type Transport,
  type WhizbangError,
  whizbang,
} from '../../js/mod.ts';
import {
  type OwnRabbitServer,
  RABBITMQ_SERVER_BIN,
  rabbitmqServerInstalled,
  startRabbitServer,
} from '../support/rabbitmq-server.ts';
import { reachable } from '../support/services.ts';

// a node of its own, started here: under CI one that cannot start fails, elsewhere it is skipped loudly
let node: OwnRabbitServer | undefined;
const started = await reachable(
  'a RabbitMQ node of its own (broker restart)',
  async () => {
    if (!rabbitmqServerInstalled()) throw new Error(`no ${RABBITMQ_SERVER_BIN}`);
    node = await startRabbitServer();
  },
  'Install rabbitmq-server (apt-get install rabbitmq-server) or set RABBITMQ_SERVER_BIN; a node that does not start leaves its log in its temp folder.',
);
afterAll(async () => {
  await node?.dispose();
});

const ChargeCard = defineCommand('ChargeCard', payload<{ order: number }>());
const CardCharged = defineEvent('CardCharged', payload<{ order: number }>());

async function until(check: () => boolean | Promise<boolean>, what: () => string): Promise<void> {
  const deadline = Date.now() + 40_000;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`Timed out: ${what()}`);
    await sleep(10);
  }
}

const open: RabbitTransport[] = [];
afterEach(async () => {
  await Promise.all(open.splice(0).map((t) => t.close()));
});

describe.skipIf(!started)('RabbitMQ broker restart', () => {
  it('a relay and a durable subscriber ride out a kill -9 of the broker: nothing confirmed is lost, nothing is handled twice', async () => {
    const server = node!;
    const errors: WhizbangError[] = [];
    const options = {
      urls: server.url,
      reconnect: { initialMs: 50, maxMs: 400 },
      onError: (error: WhizbangError) => {
        errors.push(error);
      },
    };
    const publisher = await rabbitmqTransport(options);
    const subscriber = await rabbitmqTransport({
      ...options,
      redelivery: { attempts: 1_000, backoffMs: 10 },
    });
    open.push(publisher, subscriber);
    let refused = 0;
    const counting: Transport = {
      name: publisher.name,
      subscribe: publisher.subscribe,
      publish: (topic, envelope) =>
        publisher.publish(topic, envelope).catch((error: unknown) => {
          refused++;
          throw error;
        }),
    };

    const handled: number[] = [];
    const orders = whizbang('orders').route(ChargeCard, { to: 'outbox' }).build();
    const billing = whizbang('billing')
      .receptor(
        defineReceptor({
          command: ChargeCard,
          stream: (c) => `payment-${c.data.order}`,
          handle: (c) => {
            handled.push(c.data.order);
            return CardCharged(c.data);
          },
        }),
      )
      .build();
    await billing.listen(subscriber); // the queue group "billing": a durable quorum queue
    const declared = Date.now();
    const total = 1_500;
    const half = total / 2;
    for (const order of range(1, half)) await orders.send(ChargeCard({ order }));
    const relay = orders.relay(counting, { backoffMs: 10, maxAttempts: 1_000, pollMs: 20 });

    // RabbitMQ 3.10 writes a new quorum queue's registration (Ra's names.dets) to disk a moment
    // after it is declared: killed 0.3 s after, the queue came back leaderless (rabbitmq/ra#443)
    await until(
      () => handled.length >= total / 4 && Date.now() - declared > 2_000,
      () => `a quarter handled, got ${handled.length}`,
    );
    await server.kill('SIGKILL');
    // the second half is sent while the broker is away: the relay's publishes are refused until it is back
    for (const order of range(half + 1, total)) await orders.send(ChargeCard({ order }));
    await sleep(300);
    await server.start();
    await until(
      async () => (await billing.ledger.headPosition()) === total,
      () => `${total} charged, got ${handled.length} handled`,
    );
    await relay.flush();
    await sleep(200);
    const charged = await billing.ledger.readAll();
    expect(charged.map((e) => (e.data as { order: number }).order).sort((a, b) => a - b)).toEqual(
      range(1, total),
    );
    expect([...handled].sort((a, b) => a - b)).toEqual(range(1, total)); // the receptor ran once each
    expect(await orders.store.outbox!.pending(10, Number.MAX_SAFE_INTEGER)).toEqual([]);
    // the broker really went away under both: publishes were refused, and both connections said so
    expect(refused).toBeGreaterThan(0);
    expect(errors.filter((e) => e.code === 'UNAVAILABLE').length).toBeGreaterThanOrEqual(2);
    await relay.stop();
    await orders.close();
    await billing.close();
  }, 90_000);
});
