/**
 * A core NATS subscription: subjects are topics and queue groups are competing consumers. Messages
 * wait in a local queue and are handled one at a time; core NATS does not redeliver, so a failed
 * handler is tried again here with backoff, then the envelope goes to the dead letter.
 */

import type { Msg, Subscription } from '@nats-io/nats-core';
import { backoffSleep } from '../../../js/kit/mod.ts';
import type { TransportHandler } from '../../../js/mod.ts';
import type { Running, SubscribeContext } from './running.ts';

/** Subscribes `handler` to `subject` (in `queue` when given) and returns once the server knows. */
export async function coreSubscribe(
  ctx: SubscribeContext,
  subject: string,
  handler: TransportHandler,
  queue: string | undefined,
): Promise<Running> {
  const { nc, deadLetters, topicOf } = ctx;
  const { codec, attempts, backoffMs } = ctx.settings;
  const inbox: Msg[] = [];
  let head = 0;
  let sub: Subscription | undefined;
  // a subject without wildcards is every message's subject: its topic is known without decoding it
  const fixedTopic = subject.split('.').some((t) => t === '*' || t === '>')
    ? undefined
    : topicOf(subject);
  const run: Running = {
    closed: false,
    current: undefined,
    wake: undefined,
    async close() {
      if (run.closed) return run.current;
      run.closed = true;
      ctx.ended(run);
      sub?.unsubscribe();
      inbox.length = 0;
      head = 0;
      run.wake?.();
      await run.current;
    },
  };
  /** Delivers one message; returns nothing when the handler settled at once (the fast path). */
  const deliver = (msg: Msg): Promise<void> | undefined => {
    const topic = fixedTopic ?? topicOf(msg.subject);
    const envelope = deadLetters.decode(topic, msg.data, 1);
    if (envelope === undefined) return undefined;
    let result: unknown;
    try {
      result = handler(envelope, topic);
    } catch (error) {
      return retry(msg, topic, error);
    }
    if (typeof (result as PromiseLike<void> | undefined)?.then !== 'function') return undefined;
    return Promise.resolve(result).then(
      () => undefined,
      (error: unknown) => retry(msg, topic, error),
    );
  };
  /** Core NATS does not redeliver: a failed handler is tried again here, then dead-lettered. */
  const retry = async (msg: Msg, topic: string, first: unknown): Promise<void> => {
    let error = first;
    for (let attempt = 1; ; attempt++) {
      if (run.closed) return;
      if (attempt >= attempts) {
        deadLetters.send(topic, msg.data, codec.decode(msg.data), error, attempt);
        return;
      }
      await backoffSleep(run, backoffMs * 2 ** (attempt - 1));
      if (run.closed) return;
      try {
        await handler(codec.decode(msg.data), topic);
        return;
      } catch (failed) {
        error = failed;
      }
    }
  };
  let pumping = false;
  /** Handles the queue one message at a time, after `first` (a delivery in progress) settles. */
  const pump = async (first?: Promise<void>): Promise<void> => {
    pumping = true;
    try {
      if (first !== undefined) await first;
      while (!run.closed && head < inbox.length) {
        const pending = deliver(inbox[head++]!);
        if (pending !== undefined) await pending;
        if (head > 1024 && head * 2 > inbox.length) {
          inbox.splice(0, head);
          head = 0;
        }
      }
      inbox.length = 0;
      head = 0;
    } finally {
      pumping = false;
    }
  };
  sub = nc.subscribe(subject, {
    ...(queue === undefined ? {} : { queue }),
    callback: (_error, msg) => {
      if (run.closed) return;
      if (pumping) {
        inbox.push(msg);
        return;
      }
      // nothing waiting: delivered at once, queued behind it only when its handler is async
      const pending = deliver(msg);
      if (pending !== undefined) run.current = pump(pending);
    },
  });
  await nc.flush();
  return run;
}
