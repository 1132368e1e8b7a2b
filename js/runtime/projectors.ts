/** The async perspectives of one app: each runs from its checkpoint on a subscription of its own. */
import type { Ledger } from '../contracts/ledger.ts';
import type { PerspectiveStore } from '../contracts/store.ts';
import { WhizbangError } from '../util/errors.ts';
import { within } from '../util/timers.ts';
import type { Coordinator } from './coordinator.ts';
import { Projector, type ProjectorSettings } from './projector.ts';
import type { Registry } from './registry.ts';

/** Starts and stops an app's async perspectives, and waits for them. */
export class Projectors {
  readonly #byName = new Map<string, Projector>();
  readonly #ledger: Ledger;

  /**
   * Starts a projector for each async perspective in `registry`; with a coordinator, each starts
   * only in the instance that holds its lease (`perspective:<name>`).
   */
  constructor(
    registry: Registry,
    ledger: Ledger,
    store: PerspectiveStore,
    settings: ProjectorSettings,
    coordinator?: Coordinator,
  ) {
    this.#ledger = ledger;
    const shared = coordinator === undefined ? settings : { ...settings, shared: true };
    for (const p of registry.perspectives.values()) {
      if (p.mode === 'async') this.#byName.set(p.name, new Projector(ledger, store, p, shared));
    }
    for (const projector of this.#byName.values()) {
      if (coordinator === undefined) projector.start();
      else
        coordinator.add({
          name: `perspective:${projector.perspective.name}`,
          start: () => projector.start(),
          stop: () => projector.stop(),
        });
    }
  }

  /** The projector of an async perspective; undefined for an inline one. */
  get(name: string): Projector | undefined {
    return this.#byName.get(name);
  }

  /** Waits until every async perspective has applied the ledger up to `position` (default: head). */
  async waitFor(position: number | undefined, timeoutMs: number): Promise<void> {
    if (this.#byName.size === 0) return;
    const target = position ?? (await this.#ledger.headPosition());
    const waits = [...this.#byName.values()].map((p) => p.waitFor(target));
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
    await Promise.all([...this.#byName.values()].map((p) => p.stop()));
  }
}
