/** What scenarios and projections share: the default stream, argument checks, the "given" lines. */

import { type Event, isMessage, type Message } from '../messages/message.ts';
import { invalidArgument } from '../util/errors.ts';
import { showMessage } from './report.ts';

/** The stream given events go to when nothing else decides it. */
export const TEST_STREAM = 'test-stream';

/** Throws unless every item is an event made by a definition. */
export function checkEvents(events: readonly unknown[], where: string): asserts events is Event[] {
  checkMessages(events, where);
  events.forEach((event, i) => {
    if (event.kind !== 'event') {
      throw invalidArgument(
        `${where} takes events; argument ${i + 1} is the command ${event.type}. Commands go to .when(…).`,
      );
    }
  });
}

/** Throws unless every item is a message made by a definition. */
export function checkMessages(
  messages: readonly unknown[],
  where: string,
): asserts messages is Message[] {
  messages.forEach((message, i) => {
    if (isMessage(message)) return;
    const type = (message as { type?: unknown } | undefined)?.type;
    const hint =
      typeof message === 'function' && typeof type === 'string'
        ? ` It is the definition ${type}: call it with data, as in ${type}({ … }).`
        : '';
    throw invalidArgument(
      `${where} takes messages made by a definition; argument ${i + 1} is ${describe(message)}.${hint}`,
    );
  });
}

function describe(value: unknown): string {
  if (typeof value === 'function') return `a function${value.name ? ` (${value.name})` : ''}`;
  if (isMessage(value)) return `a ${value.kind} ${value.type}`;
  return value === null ? 'null' : typeof value;
}

/** True when `then` was called by `await` (two callbacks), not by a test with expectations. */
export function awaitedWithoutExpectation(args: readonly unknown[]): boolean {
  return (
    args.length > 0 &&
    args.length <= 2 &&
    args.every((a) => typeof a === 'function' && !('kind' in a) && !('type' in a))
  );
}

/** The lines that tell a failure's reader what the test set up. */
export function givenLines(
  given: readonly Message[],
  stream: string | undefined,
  tenant: string | undefined,
): string[] {
  const lines: string[] = [];
  if (stream !== undefined)
    lines.push(`  stream ${stream}${tenant === undefined ? '' : ` (tenant ${tenant})`}`);
  const shown = given.slice(0, 10).map(showMessage);
  if (given.length > 10) shown.push(`… and ${given.length - 10} more`);
  shown.forEach((line, i) => {
    lines.push(`${i === 0 ? '  given  ' : '         '}${line}`);
  });
  return lines;
}
