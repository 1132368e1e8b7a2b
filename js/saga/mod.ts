/**
 * Sagas: long-running processes that react to events and send commands, with their own state
 * stream (`saga-<name>-<sagaId>`). Each handled event is recorded there with the saga's new state
 * and what it sent, so the saga is rebuilt from its stream and handles a redelivered event once.
 *
 * @example
 * ```ts
 * import { defineSaga, whizbang, withSaga } from 'whizbang';
 *
 * const checkout = defineSaga({
 *   name: 'checkout',
 *   initial: () => ({ status: 'new' }),
 *   startedBy: OrderPlaced,
 *   handles: [PaymentTaken, PaymentDeclined],
 *   correlate: (e) => e.data.orderId,
 *   on: {
 *     OrderPlaced: (_s, e) => ({
 *       state: { status: 'paying' },
 *       send: TakePayment(e.data),
 *       timeout: { afterMs: 60_000, command: CancelOrder({ orderId: e.data.orderId }) },
 *     }),
 *     PaymentTaken: (_s, e) => ({ state: { status: 'paid' }, send: Ship(e.data), complete: true }),
 *     PaymentDeclined: (_s, e) => ({ state: { status: 'declined' }, send: CancelOrder(e.data), complete: true }),
 *   },
 * });
 *
 * const app = withSaga(whizbang('shop').receptor(placeOrder).receptor(takePayment), checkout).build();
 * const timeouts = checkout.runTimeouts(app); // in memory; stop() it when done
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
