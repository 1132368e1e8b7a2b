/**
 * A JetStream subscription: a consumer with explicit acks. The server redelivers what was not
 * acked (a failed handler naks with backoff), the dead letter ends it after the last attempt, and
 * `max_ack_pending` (1 by default) keeps the subscription's order. A named consumer (a queue group
 * or a `durable` name) resumes where it stopped after a restart; a plain one goes away with it.
 */

import type {
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
  await jsm.consumers.add(streamName, {
    durable_name: consumerName,
    filter_subject: subject,
    ack_policy: 'explicit' as never,
    deliver_policy: 'new' as never,
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
    try {
      await handler(envelope, topic);
      m.ack();
    } catch (error) {
      if (deliveries >= attempts) {
        deadLetters.send(topic, m.data, codec.decode(m.data), error, deliveries);
        m.term();
      } else if (!run.closed) m.nak(backoffMs * 2 ** (deliveries - 1));
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
