/**
 * `whizbang/rabbitmq`: the RabbitMQ transport (AMQP 0-9-1), over `@cloudamqp/amqp-client` (an
 * optional peer dependency, loaded when connecting). Reliable by default: publisher confirms,
 * persistent envelopes, durable quorum queues, acks after the handler, retries with backoff, a
 * dead-letter exchange after the last attempt, reconnection with the topology declared again;
 * `app.listen` and the outbox relay work over it, and so does remote invoke (direct reply-to).
 *
 * @example
 * ```ts
 * import { rabbitmqTransport } from 'whizbang/rabbitmq';
 *
 * const transport = await rabbitmqTransport({ urls: ['amqp://r1:5672', 'amqp://r2:5672'] });
 * await app.listen(transport);
 * ```
 * @module
 */
export type { EnvelopeCodec } from '../../js/wasm/mod.ts';
export { BINARY_CONTENT_TYPE, binaryCodec, jsonCodec } from '../../js/wasm/mod.ts';
export type { AmqpClientModule, RabbitConnectOptions } from './connect.ts';
export { DEFAULT_RABBITMQ_URL } from './connect.ts';
export type { ReconnectOptions } from './connection.ts';
export type { DeadLetter, RabbitMode, RabbitTransportOptions } from './transport/settings.ts';
export type { RabbitTransport } from './transport.ts';
export { rabbitmqTransport } from './transport.ts';
