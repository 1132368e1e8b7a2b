/**
 * `app.health()`: what an orchestrator's probe needs, as plain JSON a `/healthz` route returns as
 * it is: whether the driver answers, how far each async perspective (each partition) is behind the
 * log, in positions and in time, how deep and how old the outbox is, and which work this instance
 * holds. `status` is `down` when the driver does not answer, `degraded` when a lag or the outbox
 * is over its threshold, `ok` otherwise.
 */
import type { Ledger } from '../contracts/ledger.ts';
import type { PerspectiveStore } from '../contracts/store.ts';
import type { Coordination } from './coordinate.ts';

/** Thresholds of `app.health()`. */
export interface HealthOptions {
  /** Positions an async perspective may be behind the log (default 1 000). */
  readonly maxLag?: number;
  /** How long the oldest event an async perspective has not applied may wait, ms (default 30 000). */
  readonly maxLagMs?: number;
  /** How long the oldest outbox record may wait, ms (default 60 000). */
  readonly maxOutboxAgeMs?: number;
}

/** One async perspective (or partition) in a health report. */
export interface PerspectiveHealth {
  /** The perspective's name. */
  readonly name: string;
  /** Where its checkpoint is kept (`<name>#<k>/<n>` for a partition). */
  readonly checkpoint: string;
  /** The position it has applied up to. */
  readonly position: number;
  /** Positions behind the log's head. */
  readonly lag: number;
  /** How long the oldest event it has not applied has waited, ms (0 when caught up). */
  readonly lagMs: number;
  /** True when both are under their thresholds. */
  readonly ok: boolean;
}

/** What `app.health()` answers. */
export interface HealthReport {
  /** `ok`, `degraded` (a lag or the outbox over its threshold) or `down` (the driver failed). */
  readonly status: 'ok' | 'degraded' | 'down';
  /** When it was checked, epoch milliseconds. */
  readonly checkedAt: number;
  /** Whether the driver answered, and how fast, ms. */
  readonly driver: { readonly ok: boolean; readonly ms: number; readonly error?: string };
  /** The log's head position. */
  readonly head: number;
  /** Each async perspective (each partition). */
  readonly perspectives: readonly PerspectiveHealth[];
  /** The outbox, where the store keeps one. */
  readonly outbox?: {
    readonly depth: number;
    readonly oldestMs: number;
    readonly deadLetters: number;
    readonly ok: boolean;
  };
  /** With `coordinate`: this instance and the work it holds. */
  readonly leases?: { readonly instance: string; readonly held: readonly string[] };
}

/** What a health check reads. */
export interface HealthParts {
  readonly ledger: Ledger;
  readonly store: PerspectiveStore;
  /** The async perspectives' checkpoints: `[perspective name, checkpoint name]`. */
  readonly checkpoints: readonly (readonly [string, string])[];
  readonly coordination: Coordination | undefined;
}

const text = (error: unknown): string => (error instanceof Error ? error.message : String(error));

/** Checks the app's parts against `options`' thresholds. */
export async function checkHealth(
  parts: HealthParts,
  options: HealthOptions = {},
): Promise<HealthReport> {
  const { ledger, store, coordination } = parts;
  const maxLag = options.maxLag ?? 1_000;
  const maxLagMs = options.maxLagMs ?? 30_000;
  const maxOutboxAgeMs = options.maxOutboxAgeMs ?? 60_000;
  const checkedAt = Date.now();
  const leases =
    coordination === undefined
      ? {}
      : { leases: { instance: coordination.instance, held: [...coordination.held] } };
  let head: number;
  try {
    head = await ledger.headPosition();
  } catch (error) {
    const driver = { ok: false, ms: Date.now() - checkedAt, error: text(error) };
    return { status: 'down', checkedAt, driver, head: 0, perspectives: [], ...leases };
  }
  const driver = { ok: true, ms: Date.now() - checkedAt };
  const perspectives: PerspectiveHealth[] = [];
  for (const [name, checkpoint] of parts.checkpoints) {
    const position = await store.checkpoint(checkpoint);
    const lag = Math.max(head - position, 0);
    let lagMs = 0;
    if (lag > 0) {
      const [next] = await ledger.readAll({ from: position + 1, limit: 1 });
      lagMs = next === undefined ? 0 : Math.max(checkedAt - next.timestamp, 0);
    }
    const ok = lag <= maxLag && lagMs <= maxLagMs;
    perspectives.push({ name, checkpoint, position, lag, lagMs, ok });
  }
  let outbox: HealthReport['outbox'];
  if (store.outbox !== undefined) {
    const counts = await store.outbox.counts();
    const [oldest] =
      counts.outbox > 0 ? await store.outbox.pending(1, Number.MAX_SAFE_INTEGER) : [];
    const oldestMs = oldest === undefined ? 0 : Math.max(checkedAt - oldest.enqueuedAt, 0);
    outbox = {
      depth: counts.outbox,
      oldestMs,
      deadLetters: counts.deadLetters,
      ok: oldestMs <= maxOutboxAgeMs,
    };
  }
  const healthy = perspectives.every((p) => p.ok) && (outbox?.ok ?? true);
  return {
    status: healthy ? 'ok' : 'degraded',
    checkedAt,
    driver,
    head,
    perspectives,
    ...(outbox === undefined ? {} : { outbox }),
    ...leases,
  };
}
