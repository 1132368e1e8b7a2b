/** Registers sagas on a builder through its public API: receptors and event handlers. */
import type { WhizbangBuilder } from '../runtime/builder.ts';
import { invalidArgument } from '../util/errors.ts';
import { sagaParts } from './define.ts';
import type { Saga } from './types.ts';

/**
 * Registers each saga's internal receptors and one event handler per event it names. The builder
 * keeps its type: the saga's internal commands are not sendable by the app's users.
 * @example
 * const app = withSaga(whizbang('bank').receptor(withdraw).receptor(deposit), transferSaga).build();
 */
export function withSaga<B extends WhizbangBuilder<any, any>>(
  builder: B,
  ...sagas: readonly Saga<any>[]
): B {
  let next: WhizbangBuilder<any, any> = builder;
  for (const saga of sagas) {
    const parts = sagaParts(saga);
    if (parts === undefined) throw invalidArgument('withSaga() takes sagas made by defineSaga().');
    for (const receptor of parts.receptors) next = next.receptor(receptor);
    for (const event of parts.events) next = next.on(event, parts.handler);
  }
  return next as B;
}
