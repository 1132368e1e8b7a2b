/**
 * The JetStream driver: the JetStream ledger with a perspective store beside it (the memory store
 * unless you pass one), so an app can run on the shared log alone.
 */
import { type Driver, type LeaseStore, memoryStore, type PerspectiveStore } from '../../js/mod.ts';
import { natsLeases } from './leases.ts';
import { type JetStreamLedger, type JetStreamLedgerOptions, jetstreamLedger } from './ledger.ts';

/** The JetStream driver's parts. */
export interface JetStreamDriver extends Driver {
  /** The JetStream ledger. */
  readonly ledger: JetStreamLedger;
  /** The perspective store (`options.store`, or a memory store). */
  readonly store: PerspectiveStore;
  /** Leases in the KV bucket `<stream>_LEASES` (made on first use), for instances sharing work. */
  readonly leases: LeaseStore;
  /** Closes the ledger (and its connection, when the driver made it). */
  close(): Promise<void>;
}

/** Connects the JetStream ledger and pairs it with `options.store` (default: a memory store). */
export async function jetstreamDriver(
  options: JetStreamLedgerOptions = {},
): Promise<JetStreamDriver> {
  const store = options.store ?? memoryStore();
  const ledger = await jetstreamLedger({ ...options, store });
  return {
    name: 'jetstream',
    ledger,
    store,
    leases: natsLeases(ledger.connection, {
      bucket: `${options.stream ?? 'WHIZBANG_LEDGER'}_LEASES`,
      ...(options.replicas === undefined ? {} : { replicas: options.replicas }),
    }),
    close: () => ledger.close(),
  };
}
