/**
 * Background sync rounds: one after another while something asks for them — a local commit, a
 * commit on the shared log, or a timer — and never two at once.
 */
import type { Ledger } from '../contracts/ledger.ts';
import { platform, type Timer, unref } from '../util/platform.ts';

/** Runs rounds in the background until stopped. */
export class Background {
  readonly #round: () => Promise<unknown>;
  readonly #onError: (error: unknown) => void;
  readonly #intervalMs: number;
  #started = false;
  #wanted = false;
  #timer: Timer | undefined;
  #unwatch: Array<() => void> = [];
  #loop: Promise<void> | undefined;

  constructor(
    round: () => Promise<unknown>,
    onError: (error: unknown) => void,
    intervalMs: number,
  ) {
    this.#round = round;
    this.#onError = onError;
    this.#intervalMs = intervalMs;
  }

  /** Starts: a round now, then on commits to either ledger and every `intervalMs`. */
  start(ledgers: readonly Ledger[]): void {
    if (this.#started) return;
    this.#started = true;
    const kick = (): void => this.#kick();
    this.#unwatch = ledgers.map((l) => l.watch(kick));
    this.#tick();
  }

  /** Stops asking for rounds and waits for the one under way. */
  async stop(): Promise<void> {
    this.#started = false;
    if (this.#timer !== undefined) platform.clearTimeout(this.#timer);
    this.#timer = undefined;
    for (const u of this.#unwatch) u();
    this.#unwatch = [];
    await this.#loop;
  }

  #tick(): void {
    this.#kick();
    const timer = platform.setTimeout(() => this.#tick(), this.#intervalMs);
    unref(timer);
    this.#timer = timer;
  }

  #kick(): void {
    if (!this.#started) return;
    this.#wanted = true;
    this.#loop ??= this.#rounds().finally(() => {
      this.#loop = undefined;
    });
  }

  async #rounds(): Promise<void> {
    while (this.#started && this.#wanted) {
      this.#wanted = false;
      try {
        await this.#round();
      } catch (error) {
        this.#onError(error);
      }
    }
  }
}
