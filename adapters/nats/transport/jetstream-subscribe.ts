/**
 * A JetStream subscription: a consumer with explicit acks. The server redelivers what was not
 * acked (a failed handler naks with backoff; a handler still at work says so every half ack wait),
 * the dead letter ends it after the last attempt, and `max_ack_pending` (1 by default) keeps the
 * subscription's order. A named consumer (a queue group or a `durable` name) starts with what the
 * stream holds on its topic (by default) and resumes where it stopped after a restart; a plain one
 * starts with what is new and goes away with it.
 */

import type {
  ConsumerConfig,
  ConsumerMessages,
  JetStreamClient,
  JetStreamManager,
  JsMsg,
} from '@nats-io/jetstream';
import type { TransportHandler } from '../../../js/mod.ts';
import type { Running, SubscribeContext } from './running.ts';
import type { JetStreamSettings } from './settings.ts';

/** The transport's JetStream: its clients and settings. */
export interface TransportJetStream {
  readonly js: JetStreamClient;
  readonly jsm: JetStreamManager;
  readonly settings: JetStreamSettings;
}

/** The start of a new named consumer, as JetStream's deliver policy. */
function startOf(deliver: JetStreamSettings['deliver']): Partial<ConsumerConfig> {
  if (deliver === 'all') return { deliver_policy: 'all' as never };
  if (deliver === 'new') return { deliver_policy: 'new' as never };
  return {
    deliver_policy: 'by_start_time' as never,
    opt_start_time: new Date(deliver.since).toISOString(),
  };
}

/**
 * Makes the consumer, or takes the one of that name that exists: it resumes where it stopped (its
 * start cannot change), with this subscription's ack wait and pending bound where the server lets
 * them change.
 */
async function addConsumer(
  jsm: JetStreamManager,
  stream: string,
  name: string,
  config: Partial<ConsumerConfig>,
): Promise<void> {
  try {
    await jsm.consumers.add(stream, config);
  } catch (error) {
    const existing = await jsm.consumers.info(stream, name).catch(() => undefined);
    if (existing === undefined) throw error;
    await jsm.consumers
      .update(stream, name, {
        ...(config.ack_wait === undefined ? {} : { ack_wait: config.ack_wait }),
        ...(config.max_ack_pending === undefined
          ? {}
          : { max_ack_pending: config.max_ack_pending }),
      })
      .catch(() => undefined);
  }
}

/** Subscribes `handler` to `subject` through a consumer, durable under `name` when given. */
export async function jetStreamSubscribe(
  ctx: SubscribeContext,
  jet: TransportJetStream,
  subject: string,
  handler: TransportHandler,
  name: string | undefined,
): Promise<Running> {
  const { deadLetters, topicOf } = ctx;
  const { codec, attempts, backoffMs } = ctx.settings;
  const { js, jsm } = jet;
  const { streamName, ackWaitMs, maxAckPending } = jet.settings;
  const consumerName = name ?? `wb_${ctx.core.nuid.next()}`;
  await addConsumer(jsm, streamName, consumerName, {
    durable_name: consumerName,
    filter_subject: subject,
    ack_policy: 'explicit' as never,
    // a named consumer (a group) gets what was stored before it first listened; a plain one is live
    ...(name === undefined ? { deliver_policy: 'new' as never } : startOf(jet.settings.deliver)),
    ack_wait: ackWaitMs * 1_000_000,
    max_ack_pending: maxAckPending,
    // a plain subscription's consumer goes away on its own if this process dies
    ...(name === undefined ? { inactive_threshold: 60_000 * 1_000_000 } : {}),
  });
  const consumer = await js.consumers.get(streamName, consumerName);
  const messages: ConsumerMessages = await consumer.consume({ max_messages: maxAckPending });
  const handle = async (m: JsMsg): Promise<void> => {
    const topic = topicOf(m.subject);
    const deliveries = m.info.deliveryCount;
    const envelope = deadLetters.decode(topic, m.data, deliveries);
    if (envelope === undefined) {
      m.term();
      return;
    }
    // a handler that takes its time keeps its message: the server hears it is being worked on
    const working = setInterval(() => m.working(), Math.max(ackWaitMs / 2, 20));
    (working as { unref?: () => void }).unref?.();
    try {
      await handler(envelope, topic);
      m.ack();
    } catch (error) {
      if (deliveries >= attempts) {
        deadLetters.send(topic, m.data, codec.decode(m.data), error, deliveries);
        m.term();
      } else if (!run.closed) m.nak(backoffMs * 2 ** (deliveries - 1));
    } finally {
      clearInterval(working);
    }
  };
  const run: Running = {
    closed: false,
    current: undefined,
    wake: undefined,
    async close() {
      if (run.closed) return;
      run.closed = true;
      ctx.ended(run);
      await messages.close().catch(() => undefined);
      await loop;
      if (name === undefined) {
        await jsm.consumers.delete(streamName, consumerName).catch(() => undefined);
      }
    },
  };
  const loop = (async () => {
    for await (const m of messages) {
      if (run.closed) break;
      run.current = handle(m);
      await run.current;
      run.current = undefined;
    }
  })().catch(() => undefined);
  return run;
}
