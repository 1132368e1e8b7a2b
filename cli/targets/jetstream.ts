/**
 * A JetStream shared log as a target: `nats://host:4222?stream=NAME&prefix=subjects` (defaults
 * `WHIZBANG_LEDGER` and `whizbang.ledger`, the ledger's own). The log keeps no perspectives and no
 * outbox: those questions are answered with `undefined`, and totals by a scan.
 */
import type { JetStreamDriver } from '../../adapters/nats/mod.ts';
import type { OpenOptions, Target } from '../backend.ts';
import { CliError } from '../fail.ts';

/** The servers' URL less the CLI's parameters, and the ledger's stream and subject prefix. */
export function splitNatsUrl(target: string): {
  servers: string;
  stream?: string;
  prefix?: string;
} {
  const url = new URL(target);
  const stream = url.searchParams.get('stream') ?? undefined;
  const prefix = url.searchParams.get('prefix') ?? undefined;
  url.searchParams.delete('stream');
  url.searchParams.delete('prefix');
  return {
    servers: url.toString().replace(/\/$/, ''),
    ...(stream === undefined ? {} : { stream }),
    ...(prefix === undefined ? {} : { prefix }),
  };
}

/** Connects the JetStream ledger (the NATS client is an optional peer). */
export async function openJetStream(target: string, options: OpenOptions): Promise<Target> {
  let nats: typeof import('../../adapters/nats/node.ts');
  let client: typeof import('@nats-io/transport-node');
  let jetstream: typeof import('@nats-io/jetstream');
  try {
    [nats, client, jetstream] = await Promise.all([
      import('../../adapters/nats/node.ts'),
      import('@nats-io/transport-node'),
      import('@nats-io/jetstream'),
    ]);
  } catch {
    throw new CliError(
      'NOT_FOUND',
      'A JetStream target needs the NATS client: npm install @nats-io/transport-node@3 @nats-io/jetstream@3.',
    );
  }
  const { servers, ...log } = splitNatsUrl(target);
  const connection = await client.connect({ servers, reconnect: false });
  let driver: JetStreamDriver;
  try {
    // the ledger makes its stream when missing: only import may
    const name = log.stream ?? 'WHIZBANG_LEDGER';
    if (!options.create) {
      const jsm = await jetstream.jetstreamManager(connection);
      await jsm.streams.info(name).catch(() => {
        throw new CliError('NOT_FOUND', `There is no JetStream stream "${name}" on ${servers}.`);
      });
    }
    driver = await nats.jetstreamDriver({ connection, ...log });
  } catch (error) {
    await connection.close();
    throw error;
  }
  return {
    kind: 'jetstream',
    driver,
    ledger: driver.ledger,
    store: driver.store,
    summary: async () => undefined,
    checkpoints: async () => undefined,
    outbox: async () => undefined,
    async close() {
      await driver.close();
      await connection.close();
    },
  };
}
