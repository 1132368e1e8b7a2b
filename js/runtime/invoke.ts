/**
 * `localInvoke` across processes. The calling side sends a command routed to `'remote'` as a
 * request and resolves with the answer; the answering side (an app that listens) handles each
 * request once, with the inbox, and answers with its receptor's value or error.
 */

import type { Transport, WireEnvelope } from '../contracts/transport.ts';
import { type Envelope, endHop, startHop } from '../messages/envelope.ts';
import type { Command } from '../messages/message.ts';
import { invalidArgument, isWhizbangError, WhizbangError } from '../util/errors.ts';
import { attempt, chain, isThenable, type MaybePromise } from '../util/maybe.ts';
import type { Route } from './registry.ts';
import type { Flow, Outcome, Runtime } from './runtime.ts';
import { fromWire, noOutbox, wireEnvelope } from './wire.ts';

/** Invokes the receptor of the app that answers on the route's topic; resolves with its value. */
export function invokeRemote(
  transport: Transport | undefined,
  service: string,
  envelope: Envelope<Command>,
  route: Route,
): Promise<Outcome> {
  if (transport?.request === undefined) {
    throw new WhizbangError(
      'NO_HANDLER',
      `"${envelope.message.type}" is routed to 'remote', but app "${service}" listens on no transport that carries requests. Call app.listen(transport) first (the memory and NATS transports carry them).`,
    );
  }
  const hop = startHop(envelope, `remote:${route.topic}`, service);
  return transport
    .request(route.topic, wireEnvelope(envelope), { timeoutMs: route.timeoutMs })
    .then(
      (value) => {
        endHop(hop);
        return { value, append: undefined };
      },
      (error: unknown) => {
        endHop(hop); // a failed invoke still says how long it took
        throw error;
      },
    );
}

function handledAlready(wire: WireEnvelope): WhizbangError {
  return new WhizbangError(
    'DUPLICATE_MESSAGE',
    `Command ${wire.messageId} ("${wire.message.type}") was handled already (the inbox remembers it), so it was not handled again; its result is not kept. Read what it did from the ledger (correlation ${wire.correlationId}) instead of invoking it again.`,
  );
}

/** A duplicate that lost the race to the inbox (the store refused to mark it twice). */
function duplicateOf(wire: WireEnvelope): (error: unknown) => never {
  return (error) => {
    if (isWhizbangError(error, 'DUPLICATE_MESSAGE')) throw handledAlready(wire);
    throw error;
  };
}

/** The answering side of one app. */
export class Invocations {
  readonly #runtime: Runtime;
  /** Requests being answered, by tenant and message id. */
  readonly #answering = new Map<string, Promise<unknown>>();

  constructor(runtime: Runtime) {
    this.#runtime = runtime;
  }

  /**
   * Answers an invocation from another process: handles the command once (the inbox remembers it,
   * in the same transaction as its first append) and returns what its receptor returned. A
   * request whose message id was handled already is not handled again: it fails with
   * `DUPLICATE_MESSAGE` (its result is not kept); one that arrives while the first is being
   * handled here waits for it, then fails so too (or runs, when the first failed).
   */
  answer(wire: WireEnvelope): MaybePromise<unknown> {
    if (wire.message?.kind !== 'command') {
      throw invalidArgument(
        `Only commands are invoked; a request carried a ${String(wire.message?.kind)} ("${wire.message?.type}").`,
      );
    }
    const key = `${wire.tenant}\u0000${wire.messageId}`;
    const first = this.#answering.get(key);
    if (first !== undefined) {
      return first.then(
        () => {
          throw handledAlready(wire);
        },
        () => this.answer(wire),
      );
    }
    const answered = this.#answer(wire);
    if (!isThenable(answered)) return answered;
    const running = Promise.resolve(answered);
    this.#answering.set(key, running);
    const done = (): void => {
      this.#answering.delete(key);
    };
    running.then(done, done);
    return running;
  }

  #answer(wire: WireEnvelope): MaybePromise<unknown> {
    const { driver } = this.#runtime;
    const outbox = driver.store.outbox;
    if (outbox === undefined) throw noOutbox(driver.name);
    return chain(outbox.handled(wire.tenant, wire.messageId), (seen) => {
      if (seen) throw handledAlready(wire);
      const flow: Flow = {
        position: 0,
        inbox: { tenant: wire.tenant, messageId: wire.messageId, marked: false },
      };
      const handled = attempt(
        () => this.#runtime.command(fromWire(wire) as Envelope<Command>, flow, 0),
        duplicateOf(wire),
      );
      return chain(handled, (outcome) => {
        if (flow.inbox!.marked) return outcome.value;
        // nothing was appended: the inbox remembers the request in a transaction of its own
        const marked = attempt(
          () =>
            driver.store.transaction((tx) => tx.outbox!.markHandled(wire.tenant, wire.messageId)),
          duplicateOf(wire),
        );
        return chain(marked, () => outcome.value);
      });
    });
  }
}
