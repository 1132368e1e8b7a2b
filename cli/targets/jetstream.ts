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
export async function openJetStream(target: string, _options: OpenOptions): Promise<Target> {
  let nats: typeof import('../../adapters/nats/node.ts');
  try {
    nats = await import('../../adapters/nats/node.ts');
  } catch {
    throw new CliError(
      'NOT_FOUND',
      'A JetStream target needs the NATS client: npm install @nats-io/transport-node@3 @nats-io/jetstream@3.',
    );
  }
  const { servers, ...log } = splitNatsUrl(target);
  const driver: JetStreamDriver = await nats.jetstreamDriver({
    servers,
    ...log,
    reconnect: { attempts: 0 },
  });
  return {
    kind: 'jetstream',
    driver,
    ledger: driver.ledger,
    store: driver.store,
    summary: async () => undefined,
    checkpoints: async () => undefined,
    outbox: async () => undefined,
    close: () => driver.close(),
  };
}
