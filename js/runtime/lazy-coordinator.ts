/**
 * The coordinator's stand-in: an app built with `coordinate` gets it at once, and it loads the
 * coordinator's module, passing on the work added meanwhile. A module that fails to load is
 * reported as a background failure (`source: 'coordinator'`); the work it held back never starts.
 */
import type { LeaseStore } from '../contracts/lease.ts';
import type { BackgroundFailure } from '../contracts/observer.ts';
import { WhizbangError } from '../util/errors.ts';
import type { CoordinateSettings, Work, WorkSharing } from './coordinate.ts';
import type { Coordinator } from './coordinator.ts';

/** Loads the coordinator's module (a test hands in one that fails). */
export type LoadCoordinator = () => Promise<{ Coordinator: typeof Coordinator }>;

/** Shares work through the coordinator once its module has loaded. */
export class LazyCoordinator implements WorkSharing {
  /** This instance's name. */
  readonly instance: string;
  readonly #waiting = new Map<string, Work>();
  readonly #ready: Promise<Coordinator | undefined>;
  #real: Coordinator | undefined;
  #failure: unknown;
  #stopped = false;

  /** Starts loading the coordinator over `leases` with checked `settings`. */
  constructor(
    leases: LeaseStore,
    settings: CoordinateSettings,
    report: (failure: BackgroundFailure) => void,
    load: LoadCoordinator = () => import('./coordinator.ts'),
  ) {
    this.instance = settings.instance;
    this.#ready = load().then(
      ({ Coordinator }) => {
        if (this.#stopped) return undefined;
        const real = new Coordinator(leases, settings, report);
        for (const work of this.#waiting.values()) real.add(work);
        this.#waiting.clear();
        this.#real = real;
        return real;
      },
      (error: unknown) => {
        this.#failure = error;
        report({ source: 'coordinator', name: this.instance, error, outcome: 'stopped' });
        return undefined;
      },
    );
  }

  /** The names of the work this instance runs now (none before the module has loaded). */
  get held(): readonly string[] {
    return this.#real?.held ?? [];
  }

  /** Adds work to share, held back until the module has loaded. */
  add(work: Work): void {
    if (this.#real === undefined) this.#waiting.set(work.name, work);
    else this.#real.add(work);
  }

  /** Stops sharing `name`. */
  async remove(name: string): Promise<void> {
    if (this.#real === undefined) this.#waiting.delete(name);
    else await this.#real.remove(name);
  }

  /** Runs one heartbeat once the module has loaded; refuses with `UNAVAILABLE` if it failed to. */
  async beat(): Promise<void> {
    const real = await this.#ready;
    if (real !== undefined) return real.beat();
    if (this.#failure !== undefined)
      throw new WhizbangError(
        'UNAVAILABLE',
        `The coordinator's module did not load (${String(this.#failure)}); check how the app is bundled and served.`,
        { cause: this.#failure },
      );
  }

  /** Waits for a load in flight, then stops every piece of work here and releases the leases. */
  async stop(): Promise<void> {
    this.#stopped = true;
    await (await this.#ready)?.stop();
  }
}
