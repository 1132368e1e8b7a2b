// @runtimes node deno bun
/** The memory driver runs the Ledger, perspective store and outbox conformance suites. */
import { memoryDriver } from '../../js/memory/driver.ts';
import { ledgerConformance } from './ledger.ts';
import { outboxConformance } from './outbox.ts';
import { storeConformance } from './store.ts';

ledgerConformance('memory', () => memoryDriver());
storeConformance('memory', () => memoryDriver());
outboxConformance('memory', () => memoryDriver());
