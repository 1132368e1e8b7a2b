/**
 * Foreign or malformed messages on the JetStream ledger's subjects (published by something else,
 * or damaged) are skipped with a report by every read, and never change how positions are given
 * out: the head stays, later appends go on from the last real commit, reads never stall, and a
 * forged commit for another tenant is not read as one.
 */
import { jetstreamManager } from '@nats-io/jetstream';
import { headers } from '@nats-io/nats-core';
import { afterAll, describe, expect, it } from 'vitest';
import { type JetStreamLedger, jetstreamLedger } from '../../adapters/nats/node.ts';
import type { WhizbangError } from '../../js/util/errors.ts';
import { NATS_URL, natsReachable } from '../support/services.ts';

const up = await natsReachable('NATS JetStream ledger (foreign messages)');
const run = `${process.pid}_${Date.now().toString(36)}`;
let made = 0;
const cleanup: Array<() => Promise<void>> = [];
afterAll(async () => {
  for (const c of cleanup) await c();
});

async function fresh(): Promise<{
  ledger: JetStreamLedger;
  prefix: string;
  reports: WhizbangError[];
}> {
  const n = made++;
  const stream = `WB_FOREIGN_${run}_${n}`;
  const prefix = `wbf.${run}.${n}`;
  const reports: WhizbangError[] = [];
  const ledger = await jetstreamLedger({
    servers: NATS_URL,
    stream,
    prefix,
    onError: (e) => reports.push(e),
  });
  cleanup.push(async () => {
    const jsm = await jetstreamManager(ledger.connection as never);
    await jsm.streams.delete(stream).catch(() => undefined);
    await ledger.close();
  });
  return { ledger, prefix, reports };
}

/** Publishes raw bytes with the given headers on a ledger subject, as a foreign process would. */
async function publishRaw(
  ledger: JetStreamLedger,
  subject: string,
  body: unknown,
  hdrs: Record<string, string> = {},
): Promise<void> {
  const { jetstream } = await import('@nats-io/jetstream');
  const js = jetstream(ledger.connection as never);
  const h = headers();
  for (const [k, v] of Object.entries(hdrs)) h.set(k, v);
  const data = new TextEncoder().encode(typeof body === 'string' ? body : JSON.stringify(body));
  await js.publish(subject, data, Object.keys(hdrs).length > 0 ? { headers: h } : {});
}

const commitBody = (tenant: string, stream: string, ids: string[]) => ({
  v: 1,
  stream,
  tenant,
  events: ids.map((id) => ({ type: 'Forged', data: { id }, id, at: Date.now() })),
});

describe.skipIf(!up)('JetStream ledger: foreign messages', () => {
  it('a header-less message leaves the head, later positions and reads as they were, and is reported', async () => {
    const { ledger, prefix, reports } = await fresh();
    await ledger.append('acct', [{ type: 'Opened', data: 1 }]);
    await ledger.append('acct', [{ type: 'Deposited', data: 2 }]);
    await publishRaw(ledger, `${prefix}.default.acct`, 'hello');
    await publishRaw(ledger, `${prefix}.default.other`, { not: 'a commit' });
    // a fresh ledger reads the tails from the server
    const other = await jetstreamLedger({
      connection: ledger.connection,
      stream: `WB_FOREIGN_${run}_${made - 1}`,
      prefix,
      onError: (e) => reports.push(e),
    });
    expect(await other.headPosition()).toBe(2);
    expect(await other.streamVersion('acct')).toBe(2);
    const r = await other.append('acct', [{ type: 'Deposited', data: 3 }], { expectedVersion: 2 });
    expect(r.position).toBe(3);
    expect(r.version).toBe(3);
    const b = await other.append('b', [{ type: 'Opened', data: 4 }]);
    expect(b.position).toBe(4);
    const all = await other.readAll();
    expect(all.map((e) => e.position)).toEqual([1, 2, 3, 4]);
    expect((await other.readStream('acct')).map((e) => e.version)).toEqual([1, 2, 3]);
    const batches: number[] = [];
    for await (const page of other.readAllBatches({ batch: 2 }))
      batches.push(...page.map((e) => e.position));
    expect(batches).toEqual([1, 2, 3, 4]);
    expect(reports.length).toBeGreaterThan(0);
    expect(reports.every((e) => e.code === 'MALFORMED_MESSAGE')).toBe(true);
    await other.close();
  });

  it('placement headers that are not whole numbers, or a payload of another count, are not commits', async () => {
    const { ledger, prefix, reports } = await fresh();
    await ledger.append('acct', [{ type: 'Opened', data: 1 }]);
    const subject = `${prefix}.default.acct`;
    const h = (p: string, v: string, c: string) => ({
      'Nats-Msg-Id': `x-${p}-${v}-${c}`,
      'Whizbang-Position': p,
      'Whizbang-Version': v,
      'Whizbang-Count': c,
    });
    await publishRaw(ledger, subject, commitBody('default', 'acct', ['a']), h('', '', ''));
    await publishRaw(ledger, subject, commitBody('default', 'acct', ['a']), h('-1', '2', '1'));
    await publishRaw(ledger, subject, commitBody('default', 'acct', ['a', 'b']), h('2', '2', '1'));
    await publishRaw(ledger, subject, 'not json', h('2', '2', '1'));
    const other = await jetstreamLedger({
      connection: ledger.connection,
      stream: `WB_FOREIGN_${run}_${made - 1}`,
      prefix,
      onError: (e) => reports.push(e),
    });
    expect(await other.headPosition()).toBe(1);
    expect(await other.streamVersion('acct')).toBe(1);
    const r = await other.append('acct', [{ type: 'Deposited', data: 2 }], { expectedVersion: 1 });
    expect([r.position, r.version]).toEqual([2, 2]);
    expect((await other.readAll()).map((e) => e.data)).toEqual([1, 2]);
    expect(reports.length).toBeGreaterThan(0);
    await other.close();
  });

  it('a forged commit for another tenant is not read as that tenant’s, nor one reusing positions', async () => {
    const { ledger, prefix } = await fresh();
    await ledger.append('acct', [{ type: 'Opened', data: 1 }], { tenant: 'alice' });
    // on alice's subject, a payload claiming bob's stream, with headers that would go on the log
    await publishRaw(ledger, `${prefix}.alice.acct`, commitBody('bob', 'acct', ['f1']), {
      'Nats-Msg-Id': 'forged-1',
      'Whizbang-Position': '2',
      'Whizbang-Version': '1',
      'Whizbang-Count': '1',
    });
    // on bob's own subject, well-formed, but reusing position 1
    await publishRaw(ledger, `${prefix}.bob.acct`, commitBody('bob', 'acct', ['f2']), {
      'Nats-Msg-Id': 'forged-2',
      'Whizbang-Position': '1',
      'Whizbang-Version': '1',
      'Whizbang-Count': '1',
    });
    const other = await jetstreamLedger({
      connection: ledger.connection,
      stream: `WB_FOREIGN_${run}_${made - 1}`,
      prefix,
    });
    expect(await other.readAll({ tenant: 'bob' })).toEqual([]);
    expect((await other.readStream('acct', { tenant: 'alice' })).map((e) => e.data)).toEqual([1]);
    expect(await other.headPosition()).toBe(1);
    const r = await other.append('savings', [{ type: 'Opened', data: 2 }], {
      tenant: 'bob',
      expectedVersion: 0,
    });
    expect([r.position, r.version]).toEqual([2, 1]);
    expect((await other.readAll()).map((e) => [e.tenant, e.position])).toEqual([
      ['alice', 1],
      ['bob', 2],
    ]);
    await other.close();
  });
});
