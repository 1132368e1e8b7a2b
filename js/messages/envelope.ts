/**
 * Envelopes: a message plus its identity and its path. Every step a message takes adds a hop, so
 * "what happened because of this command" can be answered from the envelopes alone.
 */
import { invalidArgument } from '../util/errors.ts';
import { traceId, uuidv7 } from '../util/ids.ts';
import { type Hop, HopRecord, UNTIMED } from './hop.ts';
import type { Message } from './message.ts';

export type { Hop, PolicyDecision } from './hop.ts';
export { hopElapsed } from './hop.ts';

/** A message with its identity and its path. */
export interface Envelope<M extends Message = Message> {
  /** The message it carries. */
  readonly message: M;
  /** UUIDv7, unique per message. */
  readonly messageId: string;
  /** Shared by every message that follows from one original command. */
  readonly correlationId: string;
  /** The message id of the message that caused this one (its own id for an original). */
  readonly causationId: string;
  /** The stream its events went to, once known. */
  readonly streamId: string | undefined;
  /** The tenant it belongs to. */
  readonly tenant: string;
  /** Creation time, epoch milliseconds. */
  readonly timestamp: number;
  /** The W3C trace id it travels in. */
  readonly traceId: string;
  /** Where it went, in order; each step adds one. */
  readonly hops: Hop[];
}

/** Where a message comes from, for {@link createEnvelope}. */
export interface EnvelopeOrigin {
  /** The tenant (default `'default'`). */
  readonly tenant?: string;
  /** The stream it belongs to, when known. */
  readonly streamId?: string;
  /** The chain it continues (default: its own id). */
  readonly correlationId?: string;
  /** The message that caused it (default: its own id). */
  readonly causationId?: string;
  /** The trace it continues (default: a new one). */
  readonly traceId?: string;
  /** Its id (default: a new UUIDv7). */
  readonly messageId?: string;
}

/** @internal Where a step happens: a hop's fixed part (made once per receptor and app). */
export interface Place {
  readonly where: string;
  readonly service: string;
}

/** The tenant used when none is given. */
export const DEFAULT_TENANT = 'default';

const NO_ORIGIN: EnvelopeOrigin = Object.freeze({});

/**
 * An envelope whose trace id is made when first read (most in-process messages never need one).
 * An untimed envelope (nothing outside its dispatch can see it yet) takes its times only once it is
 * seen, and its step's hop is made then: a dispatch nobody observes reads no clock.
 */
class EnvelopeRecord<M extends Message> implements Envelope<M> {
  readonly message: M;
  readonly streamId: string | undefined;
  readonly tenant: string;
  #timed: boolean;
  #hops: Hop[] | undefined;
  /**
   * The step under way: where it is while unseen (its hop is made if the envelope is seen before
   * it ends), or the hop made for it once seen.
   */
  #step: Place | HopRecord | undefined;
  #timestamp: number;
  #messageId: string | undefined;
  #correlationId: string | undefined; // undefined: the message's own id (an original)
  #causationId: string | undefined;
  #traceId: string | undefined;

  constructor(
    message: M,
    origin: EnvelopeOrigin | undefined,
    parent: Envelope | undefined,
    timed: boolean,
  ) {
    this.message = message;
    this.#timed = timed;
    this.#timestamp = timed ? Date.now() : UNTIMED;
    if (origin === undefined && parent === undefined) {
      // an original with nothing given: every id is its own, made when first read
      this.streamId = undefined;
      this.tenant = DEFAULT_TENANT;
      return;
    }
    origin ??= NO_ORIGIN;
    if (origin.tenant !== undefined && typeof origin.tenant !== 'string') {
      throw invalidArgument(`A tenant must be a string, got ${String(origin.tenant)}.`);
    }
    this.#messageId = origin.messageId;
    this.#correlationId = origin.correlationId ?? parent?.correlationId;
    this.#causationId = origin.causationId ?? parent?.messageId;
    this.streamId = origin.streamId;
    this.tenant = origin.tenant ?? parent?.tenant ?? DEFAULT_TENANT;
    this.#traceId = origin.traceId ?? (parent === undefined ? undefined : parent.traceId);
  }

  /** Whether its times are taken from the start of each step. */
  get timed(): boolean {
    return this.#timed;
  }

  get hops(): Hop[] {
    if (this.#step !== undefined && !(this.#step instanceof HopRecord)) this.seen();
    this.#hops ??= [];
    return this.#hops;
  }

  /** Creation time; an untimed envelope takes it when first read (or seen). */
  get timestamp(): number {
    if (this.#timestamp === UNTIMED) this.#timestamp = Date.now();
    return this.#timestamp;
  }

  /** Made when first read: a message that nothing refers to (an RPC answered in process) never pays for one. */
  get messageId(): string {
    this.#messageId ??= uuidv7(this.timestamp);
    return this.#messageId;
  }

  get correlationId(): string {
    return this.#correlationId ?? this.messageId;
  }

  get causationId(): string {
    return this.#causationId ?? this.messageId;
  }

  get traceId(): string {
    this.#traceId ??= traceId();
    return this.#traceId;
  }

  /** Starts a step: a hop now when timed, else only once the envelope is seen during it. */
  step(place: Place, streamId: string | undefined): HopRecord | undefined {
    if (!this.#timed && streamId === undefined) {
      this.#step = place;
      return undefined;
    }
    const hop = new HopRecord(
      this,
      this.message.type,
      place.where,
      place.service,
      streamId,
      this.#timed,
    );
    this.#add(hop);
    return hop;
  }

  /** Ends the step begun unseen (its hop, when it was seen meanwhile). */
  endStep(): void {
    if (this.#step instanceof HopRecord) this.#step.end();
    this.#step = undefined;
  }

  /** Something outside its dispatch can see it from now on: its times are taken. */
  seen(): void {
    this.#timed = true;
    if (this.#timestamp === UNTIMED) this.#timestamp = Date.now();
    const place = this.#step;
    if (place === undefined || place instanceof HopRecord) return;
    const hop = new HopRecord(this, this.message.type, place.where, place.service, undefined, true);
    this.#step = hop;
    this.#add(hop);
  }

  #add(hop: Hop): void {
    if (this.#hops === undefined) this.#hops = [hop];
    else this.#hops.push(hop);
  }

  toJSON(): Omit<Envelope<M>, 'hops'> & { hops: unknown[] } {
    return {
      message: this.message,
      messageId: this.messageId,
      correlationId: this.correlationId,
      causationId: this.causationId,
      streamId: this.streamId,
      tenant: this.tenant,
      timestamp: this.timestamp,
      traceId: this.traceId,
      hops: this.hops,
    };
  }
}

/** Wraps a message in a new envelope; with `parent`, the new one follows from it (same correlation). */
export function createEnvelope<M extends Message>(
  message: M,
  origin: EnvelopeOrigin = {},
  parent?: Envelope,
): Envelope<M> {
  return new EnvelopeRecord(message, origin, parent, true);
}

/**
 * @internal An envelope for the dispatcher. `timed: false` when nothing outside the dispatch can see
 * it yet (a `localInvoke` with no observers, policies or routes): it reads no clock until it is
 * seen ({@link seeEnvelope}, or a read of its timestamp or hops).
 */
export function dispatchEnvelope<M extends Message>(
  message: M,
  origin: EnvelopeOrigin | undefined,
  parent: Envelope | undefined,
  timed: boolean,
): Envelope<M> {
  return new EnvelopeRecord(message, origin, parent, timed);
}

/** @internal Whether an envelope's times are taken from the start of each step. */
export function isTimed(envelope: Envelope): boolean {
  return !(envelope instanceof EnvelopeRecord) || envelope.timed;
}

/** @internal Something outside the dispatch can see `envelope` from now on: its times are taken. */
export function seeEnvelope(envelope: Envelope): void {
  if (envelope instanceof EnvelopeRecord) envelope.seen();
}

/**
 * Starts a hop on `envelope`: `at` comes from the monotonic clock (anchored at process start), and
 * the span id is made when the traceparent is first read. Call {@link endHop} when the step is done.
 */
export function startHop(
  envelope: Envelope,
  where: string,
  service: string,
  streamId?: string,
): Hop {
  if (envelope instanceof EnvelopeRecord) {
    envelope.seen();
    return envelope.step({ where, service }, streamId)!;
  }
  const hop = new HopRecord(envelope, envelope.message.type, where, service, streamId, true);
  envelope.hops.push(hop);
  return hop;
}

/** Ends a hop started with {@link startHop}, recording its duration. */
export function endHop(hop: Hop): void {
  if (hop instanceof HopRecord) hop.end();
}

/**
 * @internal Starts a step on an envelope of the dispatcher: on an untimed envelope the hop is made
 * only if the envelope is seen before {@link endStep}. Returns the hop when it was made now.
 */
export function beginStep(envelope: Envelope, place: Place): Hop | undefined {
  if (envelope instanceof EnvelopeRecord) return envelope.step(place, undefined);
  return startHop(envelope, place.where, place.service);
}

/** @internal Ends a step begun with {@link beginStep}. */
export function endStep(envelope: Envelope, hop: Hop | undefined): void {
  if (hop !== undefined) endHop(hop);
  else if (envelope instanceof EnvelopeRecord) envelope.endStep();
}
