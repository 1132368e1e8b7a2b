// @runtimes deno bun
/**
 * The RabbitMQ transport's conformance suite on Deno and Bun against the shared broker
 * (`RABBITMQ_URL`), through the client's TCP socket under each runtime's Node compatibility (`net`,
 * `tls`, `buffer`). Reliable mode only: fire-and-forget differs in what the broker is asked for,
 * not in the client's code, and Node runs both (rabbitmq-transport.int.test.ts). Deno gets network
 * access to the broker's address only.
 */
import { describe } from 'vitest';
import { RABBITMQ_URL, rabbitmqReachable } from '../support/services.ts';
import { rabbitmqSuites } from './rabbitmq-suites.ts';

const runtime = (globalThis as { Deno?: unknown }).Deno !== undefined ? 'Deno' : 'Bun';
const up = await rabbitmqReachable(`RabbitMQ (${runtime})`);

describe.skipIf(!up)(`RabbitMQ on ${runtime}`, () => {
  rabbitmqSuites(runtime, RABBITMQ_URL, { numRuns: 5, modes: ['reliable'] });
});
