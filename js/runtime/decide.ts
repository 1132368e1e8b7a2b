/**
 * Deciding a command: its schema, the policies that wrap it, the stream's state for a stateful
 * receptor, the receptor's decision, and the append of the events it decided — again on the new
 * state when another writer got to the stream first. Synchronous while nothing awaits.
 */
import type { AppendResult, Ledger, NewEvent } from '../contracts/ledger.ts';
import type { Attempt, Policy } from '../definitions/policy.ts';
import type { Receptor, ReceptorContext } from '../definitions/receptor.ts';
import { checkStreamId } from '../kit/checks.ts';
import {
  beginStep,
  type Envelope,
  endStep,
  type Hop,
  type Place,
  seeEnvelope,
} from '../messages/envelope.ts';
import { type Command, validate } from '../messages/message.ts';
import { isConcurrencyError, WhizbangError } from '../util/errors.ts';
import { chain, isThenable, type MaybePromise } from '../util/maybe.ts';
import { within } from '../util/timers.ts';
import type { Committer } from './commit.ts';
import { receptorContext, stillWanted } from './context.ts';
import type { Flow } from './flow.ts';
import { answered, appended, type Decision, type Output } from './output.ts';
import { authorized, principalOf } from './principal.ts';
import type { Registry } from './registry.ts';
import type { Folded, StateCache } from './state-cache.ts';
import { underPolicies } from './under-policies.ts';

/** What a receptor that takes no context is passed in its place. */
const NO_CONTEXT = undefined as unknown as ReceptorContext;

/** What a decider works with. */
export interface DeciderParts {
  readonly registry: Registry;
  readonly output: Output;
  readonly cache: StateCache;
  /** The ledger as the app reads it (events in their current shape). */
  readonly ledger: Ledger;
  readonly commit: Committer;
  /** How long an asynchronous receptor may take to answer, ms (0: no deadline). */
  readonly receptorTimeoutMs?: number;
}

/** A receptor's answer, or TIMEOUT when it has not come within `ms` (0: no deadline). */
function deadline<T>(output: PromiseLike<T>, ms: number, command: Command): PromiseLike<T> {
  if (ms <= 0) return output;
  return within(
    output,
    ms,
    () =>
      new WhizbangError(
        'TIMEOUT',
        `The receptor of "${command.type}" did not answer within ${ms} ms, so nothing of it was appended. Make it answer (or fail), or raise receptorTimeoutMs in build().`,
      ),
  );
}

/**
 * What a receptor threw, as the caller gets it: an Error as it is (the caller's own errors are
 * theirs to tell apart); anything else (`throw undefined`, a string) as HANDLER_FAILED with it as
 * the cause, so every failure that leaves the API has a code.
 */
function thrown(error: unknown, command: Command): unknown {
  if (error instanceof Error) return error;
  const what = typeof error === 'string' ? JSON.stringify(error) : String(error);
  return new WhizbangError(
    'HANDLER_FAILED',
    `The receptor of "${command.type}" threw ${what}, not an Error. Throw an Error (or a WhizbangError) so callers can tell what failed.`,
    { cause: error },
  );
}

/** Decides commands for one app. */
export class Decider {
  readonly #registry: Registry;
  readonly #output: Output;
  readonly #cache: StateCache;
  readonly #ledger: Ledger;
  readonly #commit: Committer;
  readonly #timeoutMs: number;

  constructor(parts: DeciderParts) {
    this.#timeoutMs = parts.receptorTimeoutMs ?? 0;
    this.#registry = parts.registry;
    this.#output = parts.output;
    this.#cache = parts.cache;
    this.#ledger = parts.ledger;
    this.#commit = parts.commit;
  }

  /**
   * Runs `receptor` on the command in `envelope`, on a hop of its own at `place`; resolves with its
   * decision.
   */
  decide(
    receptor: Receptor,
    place: Place,
    envelope: Envelope<Command>,
    flow: Flow | undefined,
  ): MaybePromise<Decision> {
    const hop = beginStep(envelope, place);
    const schema = receptor.command.schema;
    if (schema === undefined) return this.#run(receptor, envelope.message, envelope, flow, hop);
    return chain(validate(envelope.message, schema), (command) =>
      this.#run(receptor, command, envelope, flow, hop),
    );
  }

  #run(
    receptor: Receptor,
    command: Command,
    envelope: Envelope,
    flow: Flow | undefined,
    hop: Hop | undefined,
  ): MaybePromise<Decision> {
    let policies = this.#registry.policiesFor(command);
    // a cached answer may be another principal's: a command its hook is asked about skips a cache
    if (policies.length > 0 && receptor.authorize !== undefined && principalOf(envelope)) {
      policies = policies.filter((p) => p.name !== 'cache');
    }
    let decision: MaybePromise<Decision>;
    try {
      decision =
        policies.length === 0
          ? this.#attempt(receptor, command, envelope, flow, undefined)
          : this.#underPolicies(policies, receptor, command, envelope, flow, hop);
    } catch (error) {
      endStep(envelope, hop); // a failed step still says how long it took
      throw thrown(error, command);
    }
    if (isThenable<Decision>(decision)) return this.#ending(decision, envelope, hop, command);
    endStep(envelope, hop);
    return decision;
  }

  // Closures live in methods of their own: a function that makes one allocates the variables it
  // captures on every call, even where it takes the synchronous path.

  #underPolicies(
    policies: readonly Policy[],
    receptor: Receptor,
    command: Command,
    envelope: Envelope,
    flow: Flow | undefined,
    hop: Hop | undefined,
  ): MaybePromise<Decision> {
    return underPolicies(
      policies,
      envelope,
      hop,
      (attempt) => this.#attempt(receptor, command, envelope, flow, attempt),
      answered,
    );
  }

  /** Ends the step when an awaited decision settles. */
  #ending(
    decision: PromiseLike<Decision>,
    envelope: Envelope,
    hop: Hop | undefined,
    command: Command,
  ): Promise<Decision> {
    return Promise.resolve(decision).then(
      (d) => {
        endStep(envelope, hop);
        return d;
      },
      (error: unknown) => {
        endStep(envelope, hop);
        throw thrown(error, command);
      },
    );
  }

  #attempt(
    receptor: Receptor,
    command: Command,
    envelope: Envelope,
    flow: Flow | undefined,
    attempt: Attempt | undefined,
  ): MaybePromise<Decision> {
    return receptor.state === undefined
      ? this.#stateless(receptor, command, envelope, flow, attempt)
      : this.#stateful(receptor, command, envelope, flow, 0, attempt);
  }

  #stateless(
    receptor: Receptor,
    command: Command,
    envelope: Envelope,
    flow: Flow | undefined,
    attempt: Attempt | undefined,
  ): MaybePromise<Decision> {
    const streamId = receptor.stream === undefined ? undefined : receptor.stream(command);
    if (receptor.authorize !== undefined) {
      const allowed = authorized(receptor, command, undefined, envelope, streamId);
      if (allowed !== undefined) {
        return chain(allowed, () =>
          this.#statelessAllowed(receptor, command, envelope, flow, streamId, attempt),
        );
      }
    }
    return this.#statelessAllowed(receptor, command, envelope, flow, streamId, attempt);
  }

  #statelessAllowed(
    receptor: Receptor,
    command: Command,
    envelope: Envelope,
    flow: Flow | undefined,
    streamId: string | undefined,
    attempt: Attempt | undefined,
  ): MaybePromise<Decision> {
    const context =
      receptor.readsContext === false
        ? NO_CONTEXT
        : receptorContext(envelope, streamId, 0, attempt);
    const output = receptor.decide(command, undefined, context);
    if (!isThenable(output)) {
      return this.#statelessDecided(output, command, envelope, flow, streamId, attempt);
    }
    const answer = deadline(output, this.#timeoutMs, command);
    return this.#statelessLater(answer, command, envelope, flow, streamId, attempt);
  }

  #statelessLater(
    output: PromiseLike<unknown>,
    command: Command,
    envelope: Envelope,
    flow: Flow | undefined,
    streamId: string | undefined,
    attempt: Attempt | undefined,
  ): Promise<Decision> {
    seeEnvelope(envelope); // an awaited decision: from here on, its times are taken
    return Promise.resolve(output).then((o) =>
      this.#statelessDecided(o, command, envelope, flow, streamId, attempt),
    );
  }

  #statelessDecided(
    output: unknown,
    command: Command,
    envelope: Envelope,
    flow: Flow | undefined,
    streamId: string | undefined,
    attempt: Attempt | undefined,
  ): MaybePromise<Decision> {
    stillWanted(attempt);
    const decision = this.#output.sort(output, envelope);
    if (decision.events.length === 0) return decision;
    if (streamId === undefined) {
      throw new WhizbangError(
        'STREAM_REQUIRED',
        `The receptor of "${command.type}" returned events but has no \`stream\`. Add \`stream: (command) => streamId\` to it.`,
      );
    }
    flow?.decided(decision.commands);
    return this.#appendStateless(decision, streamId, envelope, flow);
  }

  #appendStateless(
    decision: Decision,
    streamId: string,
    envelope: Envelope,
    flow: Flow | undefined,
  ): MaybePromise<Decision> {
    return chain(this.#output.checkEvents(decision.events), (events) =>
      chain(this.#commit.append(streamId, events, envelope.tenant, 'any', flow, envelope), (a) =>
        appended(decision, a),
      ),
    );
  }

  #stateful(
    receptor: Receptor,
    command: Command,
    envelope: Envelope,
    flow: Flow | undefined,
    retry: number,
    attempt: Attempt | undefined,
  ): MaybePromise<Decision> {
    const streamId = receptor.stream!(command);
    checkStreamId(streamId);
    const folded = this.#cache.load(this.#ledger, receptor.state!, envelope.tenant, streamId);
    let decide = (f: Folded): MaybePromise<Decision> => {
      const context =
        receptor.readsContext === false
          ? NO_CONTEXT
          : receptorContext(envelope, streamId, f.version, attempt);
      const output = receptor.decide(command, f.state, context);
      const decided = (o: unknown): MaybePromise<Decision> =>
        this.#statefulDecided(o, receptor, command, envelope, flow, retry, streamId, f, attempt);
      if (!isThenable(output)) return decided(output);
      seeEnvelope(envelope);
      return Promise.resolve(deadline(output, this.#timeoutMs, command)).then(decided);
    };
    if (receptor.authorize !== undefined) {
      const run = decide;
      decide = (f) =>
        chain(authorized(receptor, command, f.state, envelope, streamId), () => run(f));
    }
    return isThenable<Folded>(folded) ? Promise.resolve(folded).then(decide) : decide(folded);
  }

  #statefulDecided(
    output: unknown,
    receptor: Receptor,
    command: Command,
    envelope: Envelope,
    flow: Flow | undefined,
    retry: number,
    streamId: string,
    folded: Folded,
    attempt: Attempt | undefined,
  ): MaybePromise<Decision> {
    stillWanted(attempt);
    const decision = this.#output.sort(output, envelope);
    if (decision.events.length === 0) return decision;
    const tenant = envelope.tenant;
    const state = receptor.state!;
    const conflict = (error: unknown): MaybePromise<Decision> => {
      if (!isConcurrencyError(error) || retry >= receptor.maxRetries) throw error;
      this.#cache.forget(state, tenant, streamId);
      envelope.hops[envelope.hops.length - 1]?.decisions.push({
        policy: 'concurrency',
        decision: 'retry',
        detail: `stream "${streamId}" moved to version ${error.actual}; deciding again (retry ${retry + 1} of ${receptor.maxRetries})`,
      });
      return this.#stateful(receptor, command, envelope, flow, retry + 1, attempt);
    };
    const committed = (append: AppendResult): Decision => {
      this.#cache.advance(state, tenant, streamId, folded, append.events);
      return appended(decision, append);
    };
    const append = (events: readonly NewEvent[]): MaybePromise<Decision> => {
      let result: MaybePromise<AppendResult>;
      try {
        result = this.#commit.append(streamId, events, tenant, folded.version, flow, envelope);
      } catch (error) {
        return conflict(error);
      }
      return isThenable<AppendResult>(result)
        ? Promise.resolve(result).then(committed, conflict)
        : committed(result);
    };
    flow?.decided(decision.commands);
    return chain(this.#output.checkEvents(decision.events), append);
  }
}
