// @runtimes node deno bun
/** The memory driver runs the Ledger and perspective store conformance suites. */
import { memoryDriver } from '../../js/memory/driver.ts';
import { ledgerConformance } from './ledger.ts';
import { storeConformance } from './store.ts';

ledgerConformance('memory', () => memoryDriver());
storeConformance('memory', () => memoryDriver());
