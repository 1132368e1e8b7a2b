/** The async perspectives of one app: each runs from its checkpoint on a subscription of its own. */
import type { Ledger } from '../contracts/ledger.ts';
import type { PerspectiveStore } from '../contracts/store.ts';
import { WhizbangError } from '../util/errors.ts';
import { platform, type Timer } from '../util/platform.ts';
import { Projector, type ProjectorSettings } from './projector.ts';
import type { Registry } from './registry.ts';

function withTimeout<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: Timer | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = platform.setTimeout(
      () =>
        reject(
          new WhizbangError(
            'SYNC_TIMEOUT',
            `${what} did not finish within ${ms} ms. An async perspective may be failing or slow; check its errors or raise timeoutMs.`,
          ),
        ),
      ms,
    );
  });
  return Promise.race([promise, timeout]).finally(() => platform.clearTimeout(timer));
}

/** Starts and stops an app's async perspectives, and waits for them. */
export class Projectors {
  readonly #byName = new Map<string, Projector>();
  readonly #ledger: Ledger;

  /** Starts a projector for each async perspective in `registry`. */
  constructor(
    registry: Registry,
    ledger: Ledger,
    store: PerspectiveStore,
    settings: ProjectorSettings,
  ) {
    this.#ledger = ledger;
    for (const p of registry.perspectives.values()) {
      if (p.mode === 'async') this.#byName.set(p.name, new Projector(ledger, store, p, settings));
    }
    for (const projector of this.#byName.values()) projector.start();
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
    await withTimeout(
      Promise.all(waits),
      timeoutMs,
      `Waiting for perspectives to reach position ${target}`,
    );
  }

  /** Stops every async perspective. */
  async stop(): Promise<void> {
    await Promise.all([...this.#byName.values()].map((p) => p.stop()));
  }
}
