/**
 * Offline-first sync: build the app on {@link offlineDriver} (its local commits are kept as pending
 * until they are on the shared log), then {@link startSync} with the shared log (the JetStream
 * ledger of `whizbang/nats`, or any Ledger).
 *
 * @example
 * ```ts
 * import { whizbang } from 'whizbang';
 * import { jetstreamLedger } from 'whizbang/nats';
 * import { sqliteDriver } from 'whizbang/sqlite';
 * import { offlineDriver, startSync } from 'whizbang/sync';
 *
 * const app = whizbang('bank').receptor(deposit).build({ driver: offlineDriver(sqliteDriver({ path: 'bank.db' })) });
 * const sync = startSync(app, { remote: await jetstreamLedger({ servers: 'nats://127.0.0.1:4222' }) });
 * sync.start();
 * ```
 * @module
 */

export type { AuthoritativeOptions } from './authoritative.ts';
export { authoritativeDriver } from './authoritative.ts';
export type { OfflineDriver } from './driver.ts';
export { offlineDriver } from './driver.ts';
export type { StartSyncOptions, Sync, SyncReport } from './engine.ts';
export { startSync } from './engine.ts';
export type { PendingCommand, PendingCommit, SyncConflict } from './records.ts';
export type { PullAnswer, PullRequest } from './scope.ts';
export { encodePullAnswer, parsePullAnswer, parsePullRequest } from './scope.ts';
export type { GroupLog, ScopeOptions, ScopeRequest } from './serve-pull.ts';
export type {
  AuthorizeHook,
  AuthorizeRequest,
  SyncServer,
  SyncServerOptions,
} from './server.ts';
export { syncServer } from './server.ts';
export type { Principal, ProposedEvent, PushAnswer, PushRequest, SyncLink } from './wire.ts';
export { parsePushAnswer, parsePushRequest } from './wire.ts';
