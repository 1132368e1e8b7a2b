// A sync conflict is stored and shown: its text must not quote the clear values of the protected
// fields of the command that was refused when decided again on the shared log's state.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { sqliteDriver } from '../../adapters/sqlite/mod.ts';
import { memoryLedger } from '../../js/memory/ledger.ts';
import {
  defineCommand,
  defineEvent,
  defineReceptor,
  defineState,
  payload,
  whizbang,
} from '../../js/mod.ts';
import { REDACTED } from '../../js/protect/mod.ts';
import { offlineDriver } from '../../js/sync/driver.ts';
import { type SyncConflict, startSync } from '../../js/sync/mod.ts';

const dir = mkdtempSync(join(tmpdir(), 'whizbang-redact-sync-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

type Claim = { seat: string; email: string };
const protect = { subject: (m: { data: Claim }) => m.data.email, fields: ['email'] };
const Claim = defineCommand('redactSync.Claim', payload<Claim>(), { protect });
const Claimed = defineEvent('redactSync.Claimed', payload<Claim>(), { protect });
const seat = defineState<{ by: string }, ReturnType<typeof Claimed>>({
  initial: () => ({ by: '' }),
  evolve: (_s, e) => ({ by: e.data.email }),
});
const claim = defineReceptor({
  command: Claim,
  stream: (c) => `seat-${c.data.seat}`,
  state: seat,
  decide: (c, s) => {
    if (s.by !== '') throw new Error(`seat ${c.data.seat} is taken; ${c.data.email} was refused`);
    return Claimed(c.data);
  },
});
const replica = (name: string) =>
  whizbang('redact-sync')
    .receptor(claim)
    .build({ driver: offlineDriver(sqliteDriver({ path: join(dir, `${name}.db`) })) });

describe('a sync conflict of a protected command', () => {
  it('is stored and reported with the clear values masked in its text', async () => {
    const remote = memoryLedger();
    const a = replica('a');
    const b = replica('b');
    await a.send(Claim({ seat: '1A', email: 'first.claimant@example.org' }));
    await b.send(Claim({ seat: '1A', email: 'second.claimant@example.org' }));
    const told: SyncConflict[] = [];
    const syncA = startSync(a, { remote });
    const syncB = startSync(b, { remote, onConflict: (c) => told.push(c) });
    await syncA.run();
    const report = await syncB.run();
    expect(report.conflicts).toBe(1);
    const [stored] = await syncB.conflicts.query();
    expect(stored!.code).toBe('COMMAND_REFUSED');
    expect(stored!.message).toBe(`seat 1A is taken; ${REDACTED} was refused`);
    expect(told.map((c) => c.message)).toEqual([stored!.message]);
    await Promise.all([syncA.stop(), syncB.stop()]);
    await Promise.all([a.close(), b.close()]);
  });
});
