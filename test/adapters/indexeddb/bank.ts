/**
 * The whole runtime on IndexedDB: what the memory driver does, the database does too,
 * asynchronously at every step. Node runs it on fake-indexeddb, test/browser/ in Chromium.
 * Imports nothing of Node, so that it bundles for the browser.
 */
import { describe, it } from 'vitest';
import type { IndexedDbDriver } from '../../../adapters/indexeddb/mod.ts';
import { bankAcrossReopen, bankInboxOnce, bankRefusalKeepsNothing } from '../bank-scenario.ts';

/** Registers the bank's tests; `open` opens a driver on a database name, `name` gives a new one. */
export function bankOnIndexedDb(
  label: string,
  open: (name: string) => Promise<IndexedDbDriver>,
  name: () => string,
): void {
  describe(`${label}: the bank`, () => {
    it('runs commands, cascades and perspectives, and keeps them across a reopen', async () => {
      const db = name();
      await bankAcrossReopen(() => open(db));
    });

    it('rolls back a refused command: nothing in the database', () =>
      bankRefusalKeepsNothing(() => open(name())));

    it('handles a message delivered twice once, through the inbox', () =>
      bankInboxOnce(() => open(name())));
  });
}
