/**
 * Sagas: long-running processes that react to events and send commands, with their own state
 * stream and durable timeouts.
 *
 * @example
 * ```ts
 * import { whizbang } from 'whizbang';
 * import { defineSaga, withSaga } from 'whizbang/saga';
 *
 * const transfer = defineSaga({ name: 'transfer', startedBy: TransferRequested, … });
 * const app = withSaga(whizbang('bank').receptor(withdraw).receptor(deposit), transfer).build();
 * ```
 * @module
 */

export { defineSaga } from './define.ts';
export type {
  PendingTimeout,
  SagaSteppedData,
  SagaTimedOutData,
  SagaTimeoutRecord,
} from './events.ts';
export { SagaStepped, SagaTimedOut } from './events.ts';
export type { SagaTimeoutOptions, SagaTimeouts } from './timeouts.ts';
export type {
  Saga,
  SagaContext,
  SagaDefinition,
  SagaHandler,
  SagaHandlers,
  SagaInstance,
  SagaStep,
} from './types.ts';
export { withSaga } from './with-saga.ts';
