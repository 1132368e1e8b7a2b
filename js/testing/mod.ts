/**
 * Test helpers for your own domain, for any test runner (vitest, node:test, Deno, Bun, …): a
 * failed expectation throws an {@link ExpectationError} whose message shows expected against
 * actual.
 *
 * - `scenario(receptor).given(...events).when(command).then(...messages)`: a receptor (or an
 *   event handler) in a fresh in-memory app. Given events go to the receptor's stream; commands
 *   it returns are recorded, not sent (check them with `.then` or `.thenSends`).
 * - `given(...events).project(perspective).then(model)`: what a perspective keeps.
 * - `builders(faker, { seed })`: seeded test data: messages from your recipes, envelopes and
 *   recorded events. `@faker-js/faker` is never imported by this module itself.
 *
 * @example
 * ```ts
 * import { given, scenario } from 'whizbang/testing';
 * import { accounts, AccountOpened, BankError, MoneyDeposited, MoneyWithdrawn, Withdraw, withdraw } from './domain.ts';
 *
 * const opened = AccountOpened({ accountId: 'a', owner: 'Ada', overdraftLimit: 0 });
 *
 * await scenario(withdraw)
 *   .given(opened, MoneyDeposited({ accountId: 'a', amount: 100 }))
 *   .when(Withdraw({ accountId: 'a', amount: 30 }))
 *   .then(MoneyWithdrawn({ accountId: 'a', amount: 30 }));
 *
 * await scenario(withdraw).given(opened).when(Withdraw({ accountId: 'a', amount: 30 })).thenThrows(BankError);
 *
 * await given(opened, MoneyDeposited({ accountId: 'a', amount: 100 }))
 *   .project(accounts)
 *   .then({ accountId: 'a', owner: 'Ada', balance: 100, movements: 1 });
 * ```
 * @module
 */

export type {
  AnyDefinition,
  BuilderOptions,
  Builders,
  Cause,
  EnvelopeOverrides,
  Factory,
  FakerLike,
  Recipe,
  RecipeData,
  RecordedEventOverrides,
} from './builders.ts';
export { builders } from './builders.ts';
export type { Difference } from './equality.ts';
export { deepEqual, differences } from './equality.ts';
export type { Given, Projection, ProjectOptions } from './projection.ts';
export { given } from './projection.ts';
export { ExpectationError, isExpectationError } from './report.ts';
export { scenario } from './scenario.ts';
export type {
  ErrorMatcher,
  Scenario,
  ScenarioOptions,
  ScenarioOutcome,
  ScenarioWhen,
} from './types.ts';
