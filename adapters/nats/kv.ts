/** A KV bucket opened on first use, through `@nats-io/kv` (an optional peer, loaded when asked for). */
import type { NatsConnection } from '@nats-io/nats-core';
import { WhizbangError } from '../../js/mod.ts';
import type { NatsConnectionLike } from './connect.ts';

/**
 * A function that opens (creating when missing) the KV bucket `name` with a history of 1 the first
 * time it is called, and hands out the same bucket after; a failed open is tried again next time.
 * `what` names the feature in the error when the KV client is not installed.
 */
export function kvBucket<B>(
  connection: NatsConnectionLike,
  name: string,
  replicas: number | undefined,
  what: string,
): () => Promise<B> {
  let opening: Promise<B> | undefined;
  return () => {
    opening ??= (async () => {
      let kv: typeof import('@nats-io/kv');
      try {
        kv = await import('@nats-io/kv');
      } catch (cause) {
        throw new WhizbangError(
          'INVALID_ARGUMENT',
          `${what} on NATS need its KV client: npm install @nats-io/kv@3.`,
          { cause },
        );
      }
      const kvm = new kv.Kvm(connection as unknown as NatsConnection);
      return (await kvm.create(name, {
        history: 1,
        ...(replicas === undefined ? {} : { replicas }),
      })) as unknown as B;
    })().catch((error: unknown) => {
      opening = undefined;
      throw error;
    });
    return opening;
  };
}
