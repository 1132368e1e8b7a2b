/**
 * The RabbitMQ adapter's conformance runs, for any runtime: the transport suite in reliable mode
 * (confirms, quorum queues) and in fire-and-forget mode, each on an exchange of its own for the
 * run. A queue group's queue outlives its test by a minute (`queueExpiry.groupMs`); the exchanges
 * and the dead-letter queues go when the run ends.
 */
import { afterAll, describe } from 'vitest';
import { type RabbitMode, rabbitmqTransport } from '../../adapters/rabbitmq/node.ts';
import { hostileTransportConformance, transportConformance } from '../../js/conformance/mod.ts';
import { dropTopology, runName } from '../support/rabbitmq-topology.ts';

/** Registers the suites against `url`; `label` names the runtime. */
export function rabbitmqSuites(
  label: string,
  url: string,
  options: {
    numRuns?: number;
    modes?: readonly RabbitMode[];
    /** An amqp:// URL of the broker to delete the exchanges through (default `url`). */
    adminUrl?: string;
  } = {},
): void {
  const exchanges: string[] = [];
  afterAll(async () => {
    for (const exchange of exchanges) {
      await dropTopology(options.adminUrl ?? url, exchange).catch(() => undefined);
    }
  });
  describe(`RabbitMQ on ${label}`, () => {
    for (const mode of options.modes ?? (['reliable', 'fire-and-forget'] as const)) {
      const exchange = runName(mode === 'reliable' ? 'r' : 'f');
      exchanges.push(exchange);
      transportConformance(
        `rabbitmq ${mode} (${label})`,
        ({ maxInFlight }) =>
          rabbitmqTransport({
            urls: url,
            mode,
            exchange,
            prefetch: maxInFlight,
            redelivery: { backoffMs: 1 },
            queueExpiry: { groupMs: 60_000 },
          }),
        { backPressure: false, requests: true, numRuns: options.numRuns ?? 8 },
      );
      hostileTransportConformance(
        `rabbitmq ${mode} (${label})`,
        () => rabbitmqTransport({ urls: url, mode, exchange, queueExpiry: { groupMs: 60_000 } }),
        { settleMs: 50 },
      );
    }
  });
}
