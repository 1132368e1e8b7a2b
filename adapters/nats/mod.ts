/**
 * `whizbang/nats`: the NATS transport (core NATS or JetStream) and the JetStream ledger, over the
 * v3 NATS client (`@nats-io/transport-node` and `@nats-io/jetstream`, optional peer dependencies).
 *
 * @example
 * ```ts
 * import { natsTransport } from 'whizbang/nats';
 *
 * const transport = await natsTransport({ servers: ['nats://n1:4222', 'nats://n2:4222'] });
 * await app.listen(transport);
 * ```
 * @module
 */
export type { EnvelopeCodec } from '../../js/wasm/mod.ts';
export { BINARY_CONTENT_TYPE, binaryCodec, jsonCodec } from '../../js/wasm/mod.ts';
export type { NatsConnectionLike, NatsConnectOptions } from './connect.ts';
export { DEFAULT_NATS_URL } from './connect.ts';
export type { JetStreamDriver } from './driver.ts';
export { jetstreamDriver } from './driver.ts';
export type { NatsKeyStoreOptions } from './keys.ts';
export { natsKeyStore } from './keys.ts';
export type { NatsLeasesOptions } from './leases.ts';
export { natsLeases } from './leases.ts';
export type { GroupRead } from './ledger/groups.ts';
export type { JetStreamLedger, JetStreamLedgerOptions } from './ledger.ts';
export { jetstreamLedger } from './ledger.ts';
export type { NatsPermissions, SyncPermissionsOptions } from './permissions.ts';
export { syncInboxPrefix, syncPermissions } from './permissions.ts';
export type { ScopedLedger, ScopedLedgerOptions } from './scoped.ts';
export { scopedLedger } from './scoped.ts';
export type {
  NatsSyncLink,
  NatsSyncLinkOptions,
  NatsSyncServer,
  NatsSyncServerOptions,
} from './sync.ts';
export { natsSyncLink, natsSyncServer } from './sync.ts';
export type { NatsTransportStatus } from './transport/link.ts';
export type { DeadLetter, NatsTransportOptions } from './transport/settings.ts';
export type { NatsSubscribeOptions, NatsTransport } from './transport.ts';
export { natsTransport } from './transport.ts';
