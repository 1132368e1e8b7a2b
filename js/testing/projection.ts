/**
 * Given events, what a perspective keeps: `await given(...events).project(perspective).then(model)`.
 * A fresh in-memory app publishes the events to one stream and reads the model through a lens.
 */

import type { Perspective } from '../definitions/perspective.ts';
import type { Event } from '../messages/message.ts';
import { whizbang } from '../runtime/builder.ts';
import { invalidArgument } from '../util/errors.ts';
import { awaitedWithoutExpectation, checkEvents, givenLines, TEST_STREAM } from './common.ts';
import { deepEqual, differences } from './equality.ts';
import { ExpectationError, show, showDifferences } from './report.ts';

/** Options of {@link Given.project}. */
export interface ProjectOptions {
  /** The stream the events are published to (default `'test-stream'`): the model id of a perspective keyed by stream. */
  readonly stream?: string;
  /** The model to check; needed only when the events belong to more than one model. */
  readonly key?: string;
  /** The tenant the events and the model belong to (default `'default'`). */
  readonly tenant?: string;
}

/** Events, waiting for the perspective that applies them. */
export interface Given {
  /** Applies the events with `perspective` (an async one is applied inline: same model, no waiting). */
  project<M>(perspective: Perspective<M, any>, options?: ProjectOptions): Projection<M>;
}

/** A perspective over given events: end it with one expectation. */
export interface Projection<M> {
  /** Expects the model under the key to deep-equal `expected`. */
  then(expected: M): Promise<void>;
  /** Expects the events to have deleted the model (`apply` returned `null`). */
  thenDeleted(): Promise<void>;
  /** Resolves with the model (undefined when there is none), for checks of your own. */
  model(): Promise<M | undefined>;
}

interface Projected<M> {
  readonly key: string;
  /** Every key the given events belong to. */
  readonly keys: ReadonlySet<string>;
  readonly model: M | undefined;
}

/**
 * Starts a perspective test from the events that happened, oldest first.
 * @example
 * await given(AccountOpened({ accountId: 'a', owner: 'Ada', overdraftLimit: 0 }))
 *   .project(accounts)
 *   .then({ accountId: 'a', owner: 'Ada', balance: 0, movements: 0 });
 */
export function given(...events: Event[]): Given {
  checkEvents(events, 'given()');
  return {
    project<M>(perspective: Perspective<M, any>, options: ProjectOptions = {}): Projection<M> {
      if (typeof perspective?.apply !== 'function' || !(perspective.types instanceof Set)) {
        throw invalidArgument('.project() takes a perspective made by definePerspective().');
      }
      return projection(events, perspective, options);
    },
  };
}

async function project<M>(
  events: readonly Event[],
  perspective: Perspective<M, any>,
  options: ProjectOptions,
): Promise<Projected<M>> {
  const inline: Perspective<M, any> =
    perspective.mode === 'inline' ? perspective : { ...perspective, mode: 'inline' };
  const app = whizbang('projection').perspective(inline).build();
  const stream = options.stream ?? TEST_STREAM;
  const tenant = options.tenant === undefined ? {} : { tenant: options.tenant };
  try {
    if (events.length > 0) await app.publishMany(events, { stream, ...tenant });
    const recorded = events.length === 0 ? [] : await app.ledger.readStream(stream, tenant);
    const keys = new Set<string>();
    for (const e of recorded) {
      const key = perspective.types.has(e.type) ? perspective.key(e) : undefined;
      if (key !== undefined) keys.add(key);
    }
    const key = options.key ?? onlyKey(perspective, keys);
    return { key, keys, model: await app.lens(inline).get(key, tenant) };
  } finally {
    await app.close();
  }
}

function onlyKey(perspective: Perspective<any, any>, keys: ReadonlySet<string>): string {
  if (keys.size === 1) return [...keys][0]!;
  if (keys.size === 0) {
    throw invalidArgument(
      `No given event is applied by perspective "${perspective.name}" (it applies ${[...perspective.types].join(', ')}); give events it applies, or say which model to read with .project(perspective, { key }).`,
    );
  }
  throw invalidArgument(
    `The given events belong to ${keys.size} models of perspective "${perspective.name}" (${[...keys].map((k) => show(k)).join(', ')}); say which to check with .project(perspective, { key }).`,
  );
}

function projection<M>(
  events: readonly Event[],
  perspective: Perspective<M, any>,
  options: ProjectOptions,
): Projection<M> {
  const context = (): string[] => givenLines(events, options.stream ?? TEST_STREAM, options.tenant);
  const fail = (lines: string[], expected: unknown, actual: unknown): never => {
    throw new ExpectationError([...lines, ...context()].join('\n'), { expected, actual });
  };
  const name = `Perspective "${perspective.name}"`;
  return {
    // biome-ignore lint/suspicious/noThenProperty: given-when-then reads best with `then`; `await` on it is caught below
    then(expected: M, ...rest: unknown[]): Promise<void> {
      if (awaitedWithoutExpectation([expected, ...rest])) {
        const reject = rest[0] as (reason: unknown) => void;
        reject(
          invalidArgument(
            `A projection of "${perspective.name}" was awaited without an expectation: end it with .then(model), .thenDeleted() or .model().`,
          ),
        );
        return Promise.resolve();
      }
      return project(events, perspective, options).then(({ key, model }) => {
        if (model === undefined) {
          fail(
            [
              `${name} has no model for key ${show(key)} (deleted, or never created); expected:`,
              `  ${show(expected)}`,
            ],
            expected,
            undefined,
          );
        }
        if (deepEqual(expected, model)) return;
        fail(
          [
            `${name} keeps another model for key ${show(key)} than expected (- expected, + actual):`,
            `  - ${show(expected)}`,
            `  + ${show(model)}`,
            ...showDifferences(differences(expected, model), '  at ', 'model'),
          ],
          expected,
          model,
        );
      });
    },
    thenDeleted: () =>
      project(events, perspective, options).then(({ key, keys, model }) => {
        if (!keys.has(key)) {
          fail(
            [
              `${name}: no given event belongs to key ${show(key)}, so nothing was deleted (the events belong to ${keys.size === 0 ? 'no model' : [...keys].map((k) => show(k)).join(', ')}).`,
            ],
            'deleted',
            model,
          );
        }
        if (model === undefined) return;
        fail(
          [
            `${name} still has a model for key ${show(key)}; expected it deleted:`,
            `  + ${show(model)}`,
          ],
          'deleted',
          model,
        );
      }),
    model: () => project(events, perspective, options).then((p) => p.model),
  };
}
