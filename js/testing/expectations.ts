/** The expectations that end a scenario: each runs it and throws a readable ExpectationError. */

import type { Command, Event, Message } from '../messages/message.ts';
import { invalidArgument } from '../util/errors.ts';
import { awaitedWithoutExpectation, checkMessages, givenLines } from './common.ts';
import { deepEqual, differences } from './equality.ts';
import {
  diffMessages,
  ExpectationError,
  type Shown,
  show,
  showDifferences,
  showError,
  showMessage,
} from './report.ts';
import type { ErrorMatcher, ScenarioOutcome, ScenarioWhen } from './types.ts';

const shown = (m: { readonly type: string; readonly data: unknown }): Shown => ({
  type: m.type,
  data: m.data,
});

const sameList = (a: readonly Shown[], b: readonly Shown[]): boolean =>
  a.length === b.length && a.every((x, i) => deepEqual(x, b[i]));

function isErrorClass(matcher: ErrorMatcher): matcher is abstract new (...args: any[]) => unknown {
  return (
    typeof matcher === 'function' &&
    (matcher === Error || (matcher.prototype !== undefined && matcher.prototype instanceof Error))
  );
}

function describeMatcher(matcher: ErrorMatcher | undefined): string {
  if (matcher === undefined) return 'an error';
  if (matcher instanceof RegExp) return `an error matching ${matcher}`;
  if (typeof matcher === 'string') return `an error whose message contains ${show(matcher)}`;
  if (isErrorClass(matcher)) return matcher.name;
  return `an error that satisfies ${matcher.name || 'the predicate'}`;
}

function matches(matcher: ErrorMatcher | undefined, error: unknown): boolean {
  const text = error instanceof Error ? error.message : String(error);
  if (matcher === undefined) return true;
  if (matcher instanceof RegExp) return text.search(matcher) !== -1;
  if (typeof matcher === 'string') return text.includes(matcher);
  if (isErrorClass(matcher)) return error instanceof matcher;
  return (matcher as (error: unknown) => boolean)(error) === true;
}

/** Builds the `then…` stage of a scenario over `play`, which runs it. */
export function expectations(
  label: string,
  given: readonly Event[],
  when: Message,
  tenant: string | undefined,
  play: () => Promise<ScenarioOutcome>,
): ScenarioWhen<any> {
  const context = (outcome: ScenarioOutcome): string[] => [
    ...givenLines(given, outcome.streamId, tenant),
    `  when   ${showMessage(when)}`,
  ];

  const fail = (outcome: ScenarioOutcome, lines: string[], expected: unknown, actual: unknown) => {
    throw new ExpectationError([...lines, ...context(outcome)].join('\n'), { expected, actual });
  };

  /** Fails when handling threw, with the error as the cause. */
  const succeeded = (outcome: ScenarioOutcome, what: string): void => {
    if (!outcome.threw) return;
    throw new ExpectationError(
      [
        `Expected ${label} ${what}, but it threw ${showError(outcome.error)}`,
        ...context(outcome),
      ].join('\n'),
      { expected: what, actual: outcome.error, cause: outcome.error },
    );
  };

  /** Compares events and/or commands; `null` skips a kind. */
  const compare = (
    outcome: ScenarioOutcome,
    events: readonly Message[] | null,
    commands: readonly Message[] | null,
  ): void => {
    const sections: string[] = [];
    const problems: string[] = [];
    const expected: Record<string, Shown[]> = {};
    const actual: Record<string, Shown[]> = {};
    const check = (
      kind: 'events' | 'commands',
      want: readonly Message[],
      got: readonly Shown[],
    ) => {
      const w = want.map(shown);
      expected[kind] = w;
      actual[kind] = [...got];
      if (sameList(w, got)) return;
      problems.push(kind === 'events' ? 'recorded other events' : 'sent other commands');
      sections.push(`  ${kind} (- expected, + actual):`, ...diffMessages(w, got, '  '));
    };
    if (events !== null) check('events', events, outcome.events.map(shown));
    if (commands !== null) check('commands', commands, outcome.commands.map(shown));
    if (problems.length > 0)
      fail(
        outcome,
        [`${label} ${problems.join(' and ')} than expected.`, ...sections],
        expected,
        actual,
      );
  };

  const run = (): Promise<ScenarioOutcome> => play();

  return {
    // biome-ignore lint/suspicious/noThenProperty: given-when-then reads best with `then`; `await` on it is caught below
    then(...expected: Message[]): Promise<void> {
      if (awaitedWithoutExpectation(expected)) {
        const reject = expected[1] as unknown as ((reason: unknown) => void) | undefined;
        const error = invalidArgument(
          `A scenario of ${label} was awaited without an expectation: end it with .then(…messages), .thenNothing(), .thenSends(…), .thenReplies(…), .thenThrows(…) or .run().`,
        );
        if (reject === undefined) throw error;
        reject(error);
        return Promise.resolve();
      }
      checkMessages(expected, '.then()');
      return run().then((outcome) => {
        succeeded(outcome, 'to succeed');
        compare(
          outcome,
          expected.filter((m) => m.kind === 'event'),
          expected.filter((m) => m.kind === 'command'),
        );
      });
    },
    thenNothing: () =>
      run().then((outcome) => {
        succeeded(outcome, 'to do nothing');
        compare(outcome, [], []);
      }),
    thenSends(...commands: Command[]): Promise<void> {
      checkMessages(commands, '.thenSends()');
      const events = commands.filter((m) => m.kind !== 'command');
      if (events.length > 0) {
        throw invalidArgument(
          `.thenSends() takes commands; ${events[0]!.type} is an event. List events in .then(…).`,
        );
      }
      return run().then((outcome) => {
        succeeded(outcome, 'to send commands');
        compare(outcome, null, commands);
      });
    },
    thenReplies: (value: unknown) =>
      run().then((outcome) => {
        succeeded(outcome, 'to reply');
        if (deepEqual(value, outcome.value)) return;
        fail(
          outcome,
          [
            `${label} replied other than expected.`,
            `  - ${show(value)}`,
            `  + ${show(outcome.value)}`,
            ...showDifferences(differences(value, outcome.value), '  at '),
          ],
          value,
          outcome.value,
        );
      }),
    thenThrows: (matcher?: ErrorMatcher) =>
      run().then((outcome) => {
        const wanted = describeMatcher(matcher);
        if (!outcome.threw) {
          const followed = [
            ...outcome.events.map((e) => `  recorded ${showMessage(e)}`),
            ...outcome.commands.map((c) => `  sent     ${showMessage(c)}`),
          ];
          fail(
            outcome,
            [
              `Expected ${label} to throw ${wanted}, but it succeeded${followed.length === 0 ? ' and did nothing' : ''}.`,
              ...followed,
            ],
            wanted,
            outcome.value,
          );
        }
        if (matches(matcher, outcome.error)) return;
        throw new ExpectationError(
          [
            `Expected ${label} to throw ${wanted}, but it threw ${showError(outcome.error)}`,
            ...context(outcome),
          ].join('\n'),
          { expected: wanted, actual: outcome.error, cause: outcome.error },
        );
      }),
    run: () => run(),
  };
}
