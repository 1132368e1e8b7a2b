/**
 * `authoritativeDriver(driver)`: the driver of a sync server (its ledger is the shared log). The
 * append of a command the server is deciding for a replica is guarded: when the stream holds an
 * event that command caused already, the command was decided before and nothing is appended again
 * (a push repeated after a lost answer, a replayed command); the commit is published under an id
 * made of the command's id (`Nats-Msg-Id` on JetStream: two servers deciding it at once land it
 * once); and when the server decided what the replica had, the replica's event ids are kept, so
 * the replica confirms its own commit by them. The read is spared for a command made lately (its
 * UUIDv7 says when): the duplicate window drops its repeat by the commit id.
 */
import type { Driver } from '../contracts/driver.ts';
import type {
  AppendOptions,
  AppendResult,
  Ledger,
  NewEvent,
  RecordedEvent,
} from '../contracts/ledger.ts';
import { invalidArgument, WhizbangError } from '../util/errors.ts';
import { chain, type MaybePromise } from '../util/maybe.ts';
import type { ProposedEvent } from './wire.ts';

/** A command the server is deciding: what the replica proposed, and what the append found. */
export interface Deciding {
  /** The replica's events for it. */
  readonly proposed: readonly ProposedEvent[];
  /** Set when the stream held the command's events already (decided before). */
  decidedBefore: boolean;
  /** Set when the append kept the replica's event ids. */
  adopted: boolean;
}

/** The commands under decision of an authoritative driver, by command id. */
export type Decisions = Map<string, Deciding>;

const drivers = new WeakMap<Driver, Decisions>();

/** The commands under decision of a driver made by {@link authoritativeDriver}, if it is one. */
export function decisionsOf(driver: Driver): Decisions | undefined {
  return drivers.get(driver);
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** The decided events with the replica's ids when they are what it decided (same types and data). */
function adopt(events: readonly NewEvent[], deciding: Deciding): readonly NewEvent[] {
  const proposed = deciding.proposed;
  if (proposed.length !== events.length) return events;
  for (let i = 0; i < events.length; i++) {
    const p = proposed[i]!;
    const e = events[i]!;
    if (p.type !== e.type || !UUID.test(p.messageId)) return events;
    if (JSON.stringify(p.data) !== JSON.stringify(e.data)) return events;
  }
  deciding.adopted = true;
  return events.map((e, i) => ({ ...e, messageId: proposed[i]!.messageId }));
}

/** The error that stops a command decided before: the server answers `duplicate`. */
function decidedBefore(commandId: string): WhizbangError {
  return new WhizbangError(
    'DUPLICATE_MESSAGE',
    `Command ${commandId} was decided before: its events are in the shared log, nothing was appended again.`,
  );
}

/** The epoch ms a UUIDv7 was made at, or undefined for any other id. */
function madeAt(id: string): number | undefined {
  if (id.length !== 36 || id[14] !== '7' || !UUID.test(id)) return undefined;
  return Number.parseInt(id.slice(0, 8) + id.slice(9, 13), 16);
}

/** Options of {@link authoritativeDriver}. */
export interface AuthoritativeOptions {
  /**
   * The shared log's duplicate window, ms (JetStream's `duplicate_window`, default 120 000): a
   * command whose id (a UUIDv7) was made well inside it is kept from landing twice by the commit
   * id alone; an older one (or another kind of id) by a read of its stream first.
   */
  readonly duplicateWindowMs?: number;
}

/** The commands this server decided lately, by id: a repeat is answered without a look at the log. */
class Recent {
  readonly #at = new Map<string, number>();
  readonly #keepMs: number;

  constructor(keepMs: number) {
    this.#keepMs = keepMs;
  }

  has(id: string, now: number): boolean {
    const at = this.#at.get(id);
    return at !== undefined && now - at < this.#keepMs;
  }

  add(id: string, now: number): void {
    this.#at.set(id, now);
    for (const [old, at] of this.#at) {
      if (now - at < this.#keepMs) break;
      this.#at.delete(old);
    }
  }
}

function guarded(inner: Ledger, decisions: Decisions, windowMs: number): Ledger['append'] {
  const recent = new Recent(windowMs);
  return (streamId, events, options: AppendOptions = {}): MaybePromise<AppendResult> => {
    const cause = options.cause;
    const deciding = cause === undefined ? undefined : decisions.get(cause.messageId);
    if (cause === undefined || deciding === undefined || events.length === 0) {
      return inner.append(streamId, events, options);
    }
    const now = Date.now();
    if (recent.has(cause.messageId, now)) {
      deciding.decidedBefore = true;
      throw decidedBefore(cause.messageId);
    }
    const publish = (): MaybePromise<AppendResult> =>
      chain(
        inner.append(streamId, adopt(events, deciding), {
          ...options,
          commitId: `command-${cause.messageId}`,
        }),
        (result) => {
          recent.add(cause.messageId, now);
          return result;
        },
      );
    // made lately by a clock not ahead of ours: a repeat lands once by its commit id
    const at = madeAt(cause.messageId);
    if (at !== undefined && at > now - windowMs / 2 && at <= now + 1_000) return publish();
    const tenant = options.tenant ?? cause.tenant;
    return chain(inner.readStream(streamId, { tenant }), (held: RecordedEvent[]) => {
      if (held.some((e) => e.causationId === cause.messageId)) {
        deciding.decidedBefore = true;
        throw decidedBefore(cause.messageId);
      }
      return publish();
    });
  };
}

/**
 * Wraps the driver of a sync server (`jetstreamDriver(…)`: its ledger is the shared log), for
 * `syncServer(app)`: a command pushed by a replica is appended once, however often it is pushed.
 */
export function authoritativeDriver<D extends Driver>(
  driver: D,
  options: AuthoritativeOptions = {},
): D {
  const windowMs = options.duplicateWindowMs ?? 120_000;
  if (!Number.isSafeInteger(windowMs) || windowMs < 0) {
    throw invalidArgument(`duplicateWindowMs must be a whole number of ms ≥ 0, got ${windowMs}.`);
  }
  const decisions: Decisions = new Map();
  const inner = driver.ledger;
  const ledger: Ledger = {
    append: guarded(inner, decisions, windowMs),
    readStream: (streamId, options) => inner.readStream(streamId, options),
    readAll: (options) => inner.readAll(options),
    streamVersion: (streamId, options) => inner.streamVersion(streamId, options),
    headPosition: () => inner.headPosition(),
    watch: (listener) => inner.watch(listener),
    close: () => inner.close?.(),
    ...(inner.readAllBatches === undefined
      ? {}
      : { readAllBatches: (options) => inner.readAllBatches!(options) }),
  };
  const wrapped = { ...driver, ledger } as D;
  drivers.set(wrapped, decisions);
  return wrapped;
}
