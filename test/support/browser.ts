/** The Chromium harness of test/browser/chromium.mjs, typed for the vitest files that drive pages. */
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { reachable } from './services.ts';

/** What a test does with a page. */
export interface PageLike {
  evaluate<R, A>(fn: (arg: A) => R | Promise<R>, arg: A): Promise<R>;
  close(): Promise<void>;
}

/** test/browser/chromium.mjs: bundle a page, serve it, launch Chromium, open the page. */
export interface Browser {
  hasChromium(): boolean;
  bundle(entry: string): Promise<string>;
  serve(script: string): Promise<{ url: string; close(): Promise<void> }>;
  launch(): Promise<{ context: unknown; close(): Promise<void> }>;
  openPage(context: unknown, url: string): Promise<{ page: PageLike; errors: Error[] }>;
  CHROMIUM: string;
  INSTALL: string;
}

/** Loads the harness (a plain .mjs module of the repository). */
export async function loadBrowser(): Promise<Browser> {
  return (await import(
    pathToFileURL(join(process.cwd(), 'test', 'browser', 'chromium.mjs')).href
  )) as Browser;
}

/**
 * A caller of functions inside `page` on the object the page put at `globalThis.whizbangSync`:
 * `fn` goes over as source text, so it may use nothing but its two arguments.
 */
export function syncPageCaller<S>(
  page: PageLike,
): <R, A>(fn: (s: S, a: A) => Promise<R>, arg: A) => Promise<R> {
  return <R, A>(fn: (s: S, a: A) => Promise<R>, arg: A): Promise<R> =>
    page.evaluate(
      ([source, a]) => {
        const s = (globalThis as unknown as { whizbangSync: S }).whizbangSync;
        return (new Function('s', 'a', `return (${source})(s, a)`) as (s: S, a: A) => Promise<R>)(
          s,
          a,
        );
      },
      [fn.toString(), arg] as const,
    );
}

/**
 * Whether Chromium is there for `who` (a test file's Chromium part): fails under `CI` when it is
 * missing, and skips loudly elsewhere, as every service check does.
 */
export function chromiumReachable(browser: Browser, who: string): Promise<boolean> {
  return reachable(
    `Chromium (${who})`,
    async () => {
      if (!browser.hasChromium()) throw new Error(`no Chromium at ${browser.CHROMIUM}`);
    },
    `Install it: ${browser.INSTALL}`,
  );
}
