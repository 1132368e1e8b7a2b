/**
 * A Chromium tab as a replica of the chaos run: the same orders as a replica process, answered by
 * the page (`tab-page.ts`); killed by closing the tab at once, restarted by opening it again on the
 * same IndexedDB database.
 */
import type { Browser } from '../../support/browser.ts';
import type { Answer, Order } from './protocol.ts';

interface Page {
  evaluate<R, A>(fn: (arg: A) => R | Promise<R>, arg: A): Promise<R>;
  close(): Promise<void>;
}

type Tab = {
  open(o: unknown): Promise<void>;
  obey(order: Order): Promise<Answer>;
  dead(): boolean;
};

/** One tab replica, reopened on its database after each death. */
export class TabReplica {
  readonly #browser: Browser;
  readonly #context: unknown;
  readonly #site: string;
  readonly #open: { url: string; name: string; stream: string; prefix: string };
  #page: Page | undefined;
  /** How often it died (closed from outside, or at an armed point). */
  deaths = 0;

  constructor(
    browser: Browser,
    context: unknown,
    site: string,
    open: { url: string; name: string; stream: string; prefix: string },
  ) {
    this.#browser = browser;
    this.#context = context;
    this.#site = site;
    this.#open = open;
  }

  /** Whether the tab is open. */
  get alive(): boolean {
    return this.#page !== undefined;
  }

  /** Opens the tab and its replica. */
  async start(): Promise<void> {
    const { page } = await this.#browser.openPage(this.#context, this.#site);
    const p = page as unknown as Page;
    await p.evaluate(
      (o) => (globalThis as unknown as { chaosTab: Tab }).chaosTab.open(o),
      this.#open,
    );
    this.#page = p;
    // an armed point reached in the page: the tab is closed as soon as the run sees it
    const watch = async (): Promise<void> => {
      while (this.#page === p) {
        await new Promise((r) => setTimeout(r, 50));
        const dead = await p
          .evaluate(() => (globalThis as unknown as { chaosTab: Tab }).chaosTab.dead(), null)
          .catch(() => false);
        if (dead && this.#page === p) await this.kill();
      }
    };
    void watch();
  }

  /** Sends an order; its answer, or undefined when the tab died first. */
  async order(order: Order): Promise<Answer | undefined> {
    const page = this.#page;
    if (page === undefined) return undefined;
    let answer: Answer;
    try {
      answer = await page.evaluate(
        (o) => (globalThis as unknown as { chaosTab: Tab }).chaosTab.obey(o),
        order,
      );
    } catch (error) {
      if (this.#page === undefined) return undefined; // closed meanwhile
      throw error;
    }
    if (answer.re === 'dead') {
      await this.kill();
      return undefined;
    }
    if (answer.re === 'failed') throw new Error(`tab failed: ${String(answer.error)}`);
    return answer;
  }

  /** Closes the tab at once (no unload handlers). */
  async kill(): Promise<void> {
    const page = this.#page;
    if (page === undefined) return;
    this.#page = undefined;
    this.deaths++;
    await page.close().catch(() => undefined);
  }
}
