/**
 * The async perspectives of one app: each runs from its checkpoint on a subscription of its own,
 * or split into partitions, each with its own checkpoint. With a coordinator each runner starts
 * only in the instance holding its lease (`perspective:<name>`, `perspective:<name>#<k>/<n>`).
 */
import type { Ledger } from '../contracts/ledger.ts';
import type { PerspectiveStore } from '../contracts/store.ts';
import { WhizbangError } from '../util/errors.ts';
import { within } from '../util/timers.ts';
import type { WorkSharing } from './coordinate.ts';
import { checkPartitions } from './partition.ts';
import { Projector, type ProjectorSettings } from './projector.ts';
import type { Registry } from './registry.ts';

/** Starts and stops an app's async perspectives, and waits for them. */
export class Projectors {
  readonly #byName = new Map<string, Projector[]>();
  readonly #ledger: Ledger;

  /**
   * Starts the runners of each async perspective in `registry` (`partitions[name]` of them, default
   * one); with a coordinator, each starts only where its lease is held.
   */
  constructor(
    registry: Registry,
    ledger: Ledger,
    store: PerspectiveStore,
    settings: ProjectorSettings,
    coordinator?: WorkSharing,
    partitions: Readonly<Record<string, number>> = {},
  ) {
    this.#ledger = ledger;
    for (const name of Object.keys(partitions)) {
      if (registry.perspectives.get(name)?.mode !== 'async')
        throw new WhizbangError(
          'INVALID_ARGUMENT',
          `coordinate.partitions names "${name}", which is not an async perspective of this app.`,
        );
    }
    const shared = coordinator === undefined ? settings : { ...settings, shared: true };
    for (const p of registry.perspectives.values()) {
      if (p.mode !== 'async') continue;
      const count =
        partitions[p.name] === undefined ? 1 : checkPartitions(p.name, partitions[p.name]);
      const runners =
        count === 1
          ? [new Projector(ledger, store, p, shared)]
          : Array.from(
              { length: count },
              (_, index) => new Projector(ledger, store, p, shared, { index, of: count }),
            );
      this.#byName.set(p.name, runners);
    }
    for (const projector of this.#all()) {
      if (coordinator === undefined) projector.start();
      else
        coordinator.add({
          name: `perspective:${projector.checkpoint}`,
          start: () => projector.start(),
          stop: () => projector.stop(),
        });
    }
  }

  #all(): Projector[] {
    return [...this.#byName.values()].flat();
  }

  /** Every runner's `[perspective name, checkpoint name]` (one per partition). */
  checkpoints(): [string, string][] {
    return this.#all().map((p) => [p.perspective.name, p.checkpoint]);
  }

  /** The runners of an async perspective (one per partition); empty for an inline one. */
  of(name: string): readonly Projector[] {
    return this.#byName.get(name) ?? [];
  }

  /** Waits until every async perspective has applied the ledger up to `position` (default: head). */
  async waitFor(position: number | undefined, timeoutMs: number): Promise<void> {
    if (this.#byName.size === 0) return;
    const target = position ?? (await this.#ledger.headPosition());
    const waits = this.#all().map((p) => p.waitFor(target));
    await within(
      Promise.all(waits),
      timeoutMs,
      () =>
        new WhizbangError(
          'SYNC_TIMEOUT',
          `Waiting for perspectives to reach position ${target} did not finish within ${timeoutMs} ms. An async perspective may be failing or slow; check its errors or raise timeoutMs.`,
        ),
    );
  }

  /** Stops every async perspective. */
  async stop(): Promise<void> {
    await Promise.all(this.#all().map((p) => p.stop()));
  }
}
