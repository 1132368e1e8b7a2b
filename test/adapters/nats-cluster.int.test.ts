/**
 * The JetStream ledger and transport on a three-node cluster of nats-server processes this test
 * starts (free ports on 127.0.0.1, streams with 3 replicas): the stream's leader is killed with
 * SIGKILL while appends and deliveries run, and started again. Nothing acknowledged is lost,
 * nothing is applied twice, positions stay contiguous.
 */
import { jetstreamManager } from '@nats-io/jetstream';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { jetstreamLedger, natsTransport } from '../../adapters/nats/node.ts';
import { range, sleep } from '../../js/conformance/helpers.ts';
import { type NatsCluster, startNatsCluster } from '../support/nats-cluster.ts';
import { natsServerAvailable } from '../support/nats-server.ts';
import { expectEachOrderOnce, publishOrders } from '../support/orders-outage.ts';

const installed = await natsServerAvailable('NATS cluster');
const reconnect = { initialMs: 20, maxMs: 250 };

async function until(check: () => boolean, what: () => string, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`Timed out: ${what()}`);
    await sleep(10);
  }
}

/** Tries `work` until it succeeds (a leader is being elected meanwhile), up to `timeoutMs`. */
async function retrying<T>(work: () => Promise<T>, timeoutMs = 30_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      return await work();
    } catch (error) {
      if (Date.now() > deadline) throw error;
      await sleep(100);
    }
  }
}

describe.skipIf(!installed)('NATS cluster: three nodes, streams with 3 replicas', () => {
  let cluster: NatsCluster;
  let admin: NatsConnection;

  /** The node leading `stream` now. */
  const leader = async (stream: string): Promise<string> => {
    const jsm = await jetstreamManager(admin);
    const info = await retrying(() => jsm.streams.info(stream));
    const name = info.cluster?.leader;
    if (name === undefined) throw new Error(`stream ${stream} has no leader`);
    return name;
  };

  /**
   * Kills the leader of `stream`, waits until the two others have elected a new one, and starts
   * the killed node again; returns the old and the new leader.
   */
  const killLeader = async (
    stream: string,
    progress: () => number,
  ): Promise<{ killed: string; next: string; atKill: number }> => {
    const killed = await leader(stream);
    await cluster.node(killed).kill();
    const atKill = progress();
    let next = killed;
    // an election takes seconds on a quiet machine, and can take over 30 s on a loaded one
    await retrying(async () => {
      next = await leader(stream);
      if (next === killed) throw new Error('still the old leader');
    }, 90_000);
    await cluster.node(killed).start();
    return { killed, next, atKill };
  };

  beforeAll(async () => {
    cluster = await startNatsCluster();
    admin = await connect({ servers: [...cluster.servers], reconnectTimeWait: 50 });
    // JetStream answers once the nodes have a meta leader: make a replicated stream to know it
    const jsm = await retrying(() => jetstreamManager(admin));
    await retrying(() => jsm.streams.add({ name: 'READY', subjects: ['ready'], num_replicas: 3 }));
  }, 40_000);

  afterAll(async () => {
    await admin?.close();
    await cluster?.dispose();
  });

  it('ledger: appends ride out a kill -9 of the leader; acknowledged appends kept once, positions contiguous', async () => {
    const ledger = await jetstreamLedger({
      servers: [...cluster.servers],
      reconnect,
      replicas: 3,
      stream: 'CLUSTER_LEDGER',
      prefix: 'cluster.ledger',
    });
    try {
      const writers = 4;
      const per = 100;
      const acknowledged = new Set<string>();
      const write = async (w: number): Promise<void> => {
        const stream = `account-${w}`;
        for (let k = 0; k < per; k++) {
          const messageId = `w${w}-e${k}`;
          for (;;) {
            try {
              await ledger.append(stream, [{ type: 'Deposited', data: { w, k }, messageId }], {
                expectedVersion: k,
              });
              acknowledged.add(messageId);
              break;
            } catch {
              // no answer while the leader moved (the ledger retries a publish itself first):
              // did it land? ask, then go on
              await sleep(50);
              const events = await retrying(() => ledger.readStream(stream));
              if (events.some((e) => e.messageId === messageId)) break;
              expect(events).toHaveLength(k);
            }
          }
        }
      };
      const all = Promise.all(range(1, writers).map(write));
      await until(
        () => acknowledged.size >= (writers * per) / 4,
        () => `a quarter acknowledged, got ${acknowledged.size}`,
      );
      const { killed, next, atKill } = await killLeader('CLUSTER_LEDGER', () => acknowledged.size);
      expect(atKill).toBeLessThan(writers * per); // the appends were still going
      await all;
      const events = await retrying(() => ledger.readAll());
      const ids = events.map((e) => e.messageId);
      expect(new Set(ids).size).toBe(ids.length); // nothing twice
      for (const id of acknowledged) expect(ids).toContain(id); // nothing acknowledged lost
      expect(ids).toHaveLength(writers * per);
      expect(events.map((e) => e.position)).toEqual(range(1, writers * per));
      for (let w = 1; w <= writers; w++) {
        const stream = await ledger.readStream(`account-${w}`);
        expect(stream.map((e) => e.version)).toEqual(range(1, per));
        expect(stream.map((e) => (e.data as { k: number }).k)).toEqual(range(0, per - 1));
      }
      expect(next).not.toBe(killed);
    } finally {
      await ledger.close();
    }
  }, 150_000);

  it('transport: a publisher and a durable subscriber ride out a kill -9 of the leader', async () => {
    const jetstream = { stream: 'CLUSTER_T', ackWaitMs: 1_000, maxAckPending: 32, replicas: 3 };
    const servers = [...cluster.servers];
    const publisher = await natsTransport({ servers, reconnect, jetstream });
    const subscriber = await natsTransport({
      servers,
      reconnect,
      jetstream,
      redelivery: { attempts: 1_000, backoffMs: 10 },
    });
    try {
      const total = 300;
      const run = await publishOrders(publisher, subscriber, total, 50);
      await until(
        () => run.applied.size >= total / 4,
        () => `a quarter applied, got ${run.applied.size}`,
      );
      const { killed, next, atKill } = await killLeader('CLUSTER_T', () => run.applied.size);
      expect(atKill).toBeLessThan(total); // the deliveries were still going
      expect(next).not.toBe(killed);
      await run.published;
      // redeliveries wait out a new consumer leader, which a loaded machine elects slowly
      await until(
        () => run.applied.size === total,
        () => `${total} applied, got ${run.applied.size}`,
        90_000,
      );
      expectEachOrderOnce(run, total);
      // each envelope stored once: the retried publishes were caught by the duplicate window
      const jsm = await jetstreamManager(admin);
      const info = await retrying(() => jsm.streams.info('CLUSTER_T'));
      expect(info.state.messages).toBe(total);
      expect(info.config.num_replicas).toBe(3);
    } finally {
      await publisher.close();
      await subscriber.close();
    }
  }, 240_000);
});
