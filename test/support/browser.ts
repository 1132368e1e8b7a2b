/** The Chromium harness of test/browser/chromium.mjs, typed for the vitest files that drive pages. */
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';

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
