/**
 * The RabbitMQ transport runs the Transport conformance suite on the real broker (`RABBITMQ_URL`),
 * in reliable and in fire-and-forget mode, each on exchanges of its own, deleted after.
 */
import { describe } from 'vitest';
import { RABBITMQ_URL, rabbitmqReachable } from '../support/services.ts';
import { rabbitmqSuites } from './rabbitmq-suites.ts';

const up = await rabbitmqReachable('RabbitMQ transport');

describe.skipIf(!up)('RabbitMQ transport', () => {
  rabbitmqSuites('Node', RABBITMQ_URL);
});
