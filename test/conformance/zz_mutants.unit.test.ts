import type { Driver } from '../../js/driver.ts';
import type { Ledger } from '../../js/ledger.ts';
import type { PerspectiveStore } from '../../js/store.ts';
import { memoryDriver } from '../../js/memory/driver.ts';
import { ledgerConformance } from './ledger.ts';
import { storeConformance } from './store.ts';

const mutate = (l: Partial<Ledger> & ((d: Ledger) => Partial<Ledger>)) => l;
function ledgerMutant(name: string, change: (l: Ledger) => Partial<Ledger>) {
  ledgerConformance(`MUTANT ${name}`, () => {
    const d = memoryDriver();
    const ledger = { ...d.ledger, ...change(d.ledger) } as Ledger;
    return { ...d, ledger } as Driver;
  }, { numRuns: 20 });
}
function storeMutant(name: string, change: (s: PerspectiveStore) => Partial<PerspectiveStore>) {
  storeConformance(`MUTANT ${name}`, () => {
    const d = memoryDriver();
    const store = { ...d.store, ...change(d.store) } as PerspectiveStore;
    return { ...d, store } as Driver;
  });
}
void mutate;
ledgerMutant('to ignored', (l) => ({ readStream: (s, o = {}) => l.readStream(s, { ...o, to: undefined as never }) }));
ledgerMutant('tenant ignored in readAll', (l) => ({ readAll: (o = {}) => l.readAll({ ...o, tenant: undefined as never }) }));
ledgerMutant('no_stream as any', (l) => ({ append: (s, e, o = {}) => l.append(s, e, o.expectedVersion === 'no_stream' ? { ...o, expectedVersion: 'any' } : o) }));
ledgerMutant('readAll reversed', (l) => ({ readAll: (o) => (l.readAll(o) as any[]).slice().reverse() }));
ledgerMutant('drops metadata', (l) => ({ readStream: (s, o) => (l.readStream(s, o) as any[]).map((e) => ({ ...e, metadata: undefined })) }));
storeMutant('no rollback', (s) => ({ transaction: (fn) => fn({ get: s.get, put: (p, r) => s.transaction((t) => t.put(p, r)), delete: (p, t2, id) => s.transaction((t) => t.delete(p, t2, id)), setCheckpoint: (p, n) => s.transaction((t) => t.setCheckpoint(p, n)) }) }));
storeMutant('offset ignored', (s) => ({ query: (p, t, q) => s.query(p, t, { ...q, offset: undefined as never }) }));
storeMutant('clear all', (s) => ({ clear: (p) => { s.clear(p); s.clear('other'); } }));
