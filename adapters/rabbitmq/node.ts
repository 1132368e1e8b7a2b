/**
 * `whizbang/rabbitmq` on Node, Bun and Deno (the `node` export condition; from JSR,
 * `whizbang/rabbitmq/node`): everything of `mod.ts`, its transport connecting to `amqp://` and
 * `amqps://` brokers with `@cloudamqp/amqp-client`'s TCP client, imported here statically so
 * bundlers and JSR see the optional peer where it is used, and browser bundles of `mod.ts` never
 * meet it.
 *
 * @example
 * ```ts
 * import { rabbitmqTransport } from 'whizbang/rabbitmq';
 *
 * const transport = await rabbitmqTransport({ urls: 'amqp://guest:guest@127.0.0.1:5672' });
 * ```
 * @module
 */
import * as tcp from '@cloudamqp/amqp-client/amqp-socket-client';
import {
  rabbitmqTransport as anyTransport,
  type RabbitTransport,
  type RabbitTransportOptions,
} from './mod.ts';

// A module's own exports win over `export *`: the factory below stands in for that of mod.ts.
export * from './mod.ts';

/** A RabbitMQ transport (see `mod.ts`), with the TCP client for `amqp://` and `amqps://` brokers. */
export function rabbitmqTransport(options: RabbitTransportOptions = {}): Promise<RabbitTransport> {
  return anyTransport({ ...options, client: { ...tcp, ...options.client } });
}
