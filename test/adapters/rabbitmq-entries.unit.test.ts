/**
 * whizbang/rabbitmq by entry: the browser's (mod.ts, the `default` condition) has no TCP client and
 * says what to do with `amqp://` URLs; the Node, Bun and Deno one (node.ts, the `node` condition)
 * imports `@cloudamqp/amqp-client`'s TCP client statically and connects with it.
 */
import { describe, expect, it } from 'vitest';
import * as browser from '../../adapters/rabbitmq/mod.ts';
import * as server from '../../adapters/rabbitmq/node.ts';
import { isWhizbangError } from '../../js/util/errors.ts';

// port 9 (discard) on loopback: nothing listens, so a TCP connect is refused at once
const closed = { urls: 'amqp://127.0.0.1:9', reconnect: { attempts: 0 } } as const;

async function codeOf(promise: Promise<unknown>): Promise<[string | undefined, string]> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  return [isWhizbangError(error) ? error.code : String(error), String((error as Error)?.message)];
}

describe('whizbang/rabbitmq entries', () => {
  it('the browser entry refuses amqp:// URLs, naming the entry that has the TCP client', async () => {
    const [code, message] = await codeOf(browser.rabbitmqTransport(closed));
    expect(code).toBe('INVALID_ARGUMENT');
    expect(message).toMatch(/whizbang\/rabbitmq\/node/);
  });

  it('the Node entry connects over TCP (a closed port: UNAVAILABLE, not a missing client)', async () => {
    const [code] = await codeOf(server.rabbitmqTransport(closed));
    expect(code).toBe('UNAVAILABLE');
  });
});
