// The ledger, store and outbox conformance suites, unchanged, on drivers encrypted at rest.
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll } from 'vitest';
import { sqliteDriver } from '../../adapters/sqlite/mod.ts';
import {
  ledgerConformance,
  outboxConformance,
  storeConformance,
  syncConformance,
} from '../../js/conformance/mod.ts';
import { memoryLedger } from '../../js/memory/ledger.ts';
import { memoryDriver } from '../../js/mod.ts';
import { encryptAtRest } from '../../js/protect/at-rest.ts';
import { nodeCipher } from '../../js/protect/node.ts';

const key = await crypto.subtle.generateKey({ name: 'AES-GCM', length: 256 }, false, [
  'encrypt',
  'decrypt',
]);
const dir = mkdtempSync(join(tmpdir(), 'atrest-conformance-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const memory = () => encryptAtRest(memoryDriver(), { key });
const sqlite = () =>
  encryptAtRest(sqliteDriver({ path: join(dir, `${randomUUID()}.db`) }), {
    key,
    cipher: nodeCipher(),
  });

ledgerConformance('memory encrypted at rest (WebCrypto)', memory, { numRuns: 10 });
storeConformance('memory encrypted at rest (WebCrypto)', memory);
outboxConformance('memory encrypted at rest (WebCrypto)', memory);
ledgerConformance('SQLite encrypted at rest (node:crypto)', sqlite, { numRuns: 10 });
storeConformance('SQLite encrypted at rest (node:crypto)', sqlite);
outboxConformance('SQLite encrypted at rest (node:crypto)', sqlite);
// offline sync on encrypted replicas: reopened after a close with the same key
let n = 0;
syncConformance('SQLite replicas encrypted at rest, memory shared log', {
  replica: () => {
    const path = join(dir, `replica-${++n}.db`);
    return () => encryptAtRest(sqliteDriver({ path }), { key, cipher: nodeCipher() });
  },
  remote: () => memoryLedger(),
});
