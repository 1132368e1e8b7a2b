/**
 * `localInvoke` across processes over a real nats-server: apps on connections of their own, two
 * competing responders (each request answered once), errors crossing the wire typed, no
 * responders, a timeout and its retry handled once, and a responder in a child process.
 */
import type { ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { type NatsTransport, natsTransport } from '../../adapters/nats/node.ts';
import { caught, range } from '../../js/conformance/helpers.ts';
import { isRemoteError } from '../../js/contracts/remote.ts';
import { isValidationError, isWhizbangError, whizbang } from '../../js/mod.ts';
import { startReady } from '../support/child.ts';
import { type Balance, bank, Deposit } from '../support/invoke-bank.ts';
import { NATS_URL, natsReachable } from '../support/services.ts';

const up = await natsReachable('NATS remote invoke');
const prefix = `wbi_${process.pid}_${Date.now().toString(36)}`;
const open: NatsTransport[] = [];
const children: ChildProcess[] = [];

afterEach(async () => {
  for (const child of children.splice(0)) {
    child.stdin?.end();
    if (child.exitCode === null) child.kill();
  }
  await Promise.all(open.splice(0).map((t) => t.close()));
});

/** A transport on a connection of its own, under this file's prefix. */
async function connection(): Promise<NatsTransport> {
  const transport = await natsTransport({ servers: NATS_URL, prefix });
  open.push(transport);
  return transport;
}

const teller = (timeoutMs?: number) =>
  whizbang('teller')
    .route<typeof Deposit, Balance>(Deposit, {
      to: 'remote',
      ...(timeoutMs === undefined ? {} : { timeoutMs }),
    })
    .build();

const codeOf = (error: unknown): string => (isWhizbangError(error) ? error.code : String(error));

describe.skipIf(!up)('localInvoke across processes over NATS', () => {
  it("resolves with the remote receptor's value; errors cross the wire typed", async () => {
    const remote = bank('bank');
    const caller = teller();
    await remote.app.listen(await connection());
    await caller.listen(await connection());
    const balance = await caller.localInvoke(Deposit({ accountId: 'a1', amount: 40 }));
    expect(balance).toEqual({ balance: 40, by: 'bank' });
    const receipt = await caller.send(Deposit({ accountId: 'a1', amount: 2 }));
    const events = await remote.app.ledger.readStream('account-a1');
    expect(events.map((e) => (e.data as { amount: number }).amount)).toEqual([40, 2]);
    expect(events[1]?.correlationId).toBe(receipt.correlationId);

    const refused = await caught(() =>
      caller.localInvoke(Deposit({ accountId: 'a1', amount: 5000 })),
    );
    expect(isRemoteError(refused)).toBe(true);
    expect(refused).toMatchObject({
      code: 'REMOTE_FAILED',
      message: 'Insufficient funds',
      remoteName: 'RangeError',
    });
    const invalid = await caught(() =>
      caller.localInvoke(Deposit({ accountId: 'a1', amount: -1 })),
    );
    expect(isValidationError(invalid)).toBe(true);
    expect(invalid).toMatchObject({ issues: [{ message: 'must be positive', path: ['amount'] }] });
    expect(await remote.app.ledger.streamVersion('account-a1')).toBe(2);
  });

  it('has one of two competing responders answer each request, exactly once', async () => {
    const one = bank('one');
    const two = bank('two');
    const caller = teller();
    await one.app.listen(await connection());
    await two.app.listen(await connection());
    await caller.listen(await connection());
    const total = 40;
    const answers = await Promise.all(
      range(1, total).map((n) => caller.localInvoke(Deposit({ accountId: `c${n}`, amount: n }))),
    );
    expect(answers.map((a) => a.balance)).toEqual(range(1, total));
    const byOne = answers.filter((a) => a.by === 'one').length;
    expect(byOne).toBe(one.handled.length);
    expect(total - byOne).toBe(two.handled.length);
    expect(new Set([...one.handled, ...two.handled]).size).toBe(total);
    // NATS picks a member at random: both take part (all 40 to one: odds 2 in 2^40)
    expect(byOne).toBeGreaterThan(0);
    expect(byOne).toBeLessThan(total);
  });

  it('says NO_RESPONDER when nobody answers, REQUEST_TIMEOUT when the answer is late; a retry is handled once', async () => {
    const caller = teller(100);
    await caller.listen(await connection());
    const nobody = await caught(() => caller.localInvoke(Deposit({ accountId: 'n', amount: 1 })));
    expect(codeOf(nobody)).toBe('NO_RESPONDER');
    expect((nobody as Error).message).toContain('whizbang.invoke.Deposit');

    let release!: () => void;
    const held = new Promise<void>((resolve) => {
      release = resolve;
    });
    const slow = bank('slow', { hold: () => held });
    await slow.app.listen(await connection());
    const messageId = crypto.randomUUID();
    const late = await caught(() =>
      caller.localInvoke(Deposit({ accountId: 's', amount: 3 }), { messageId }),
    );
    expect(codeOf(late)).toBe('REQUEST_TIMEOUT');
    release();
    // the retry waits for the first handling, then hears it was handled already
    const retried = await caught(() =>
      caller.localInvoke(Deposit({ accountId: 's', amount: 3 }), { messageId }),
    );
    expect(codeOf(retried)).toBe('DUPLICATE_MESSAGE');
    expect(slow.handled).toEqual([messageId]);
    expect(await slow.app.ledger.streamVersion('account-s')).toBe(1);
  });

  it("refuses a request over the server's max_payload before sending it", async () => {
    const remote = bank('bank');
    const caller = teller();
    await remote.app.listen(await connection());
    await caller.listen(await connection());
    const huge = 'x'.repeat(2 * 1024 * 1024);
    const refused = await caught(() => caller.localInvoke(Deposit({ accountId: huge, amount: 1 })));
    expect(codeOf(refused)).toBe('INVALID_ARGUMENT');
    expect((refused as Error).message).toMatch(/over the server's max_payload/);
    expect(remote.handled).toEqual([]);
  });

  it('invokes a receptor in another process', async () => {
    const worker = fileURLToPath(new URL('./nats-invoke/responder.ts', import.meta.url));
    const child = await startReady(worker, [NATS_URL, prefix]);
    children.push(child);
    const caller = teller();
    await caller.listen(await connection());
    const first = await caller.localInvoke(Deposit({ accountId: 'p', amount: 5 }));
    const second = await caller.localInvoke(Deposit({ accountId: 'p', amount: 6 }));
    expect(first).toEqual({ balance: 5, by: `process-${child.pid}` });
    expect(second).toEqual({ balance: 11, by: `process-${child.pid}` });
    const refused = await caught(() =>
      caller.localInvoke(Deposit({ accountId: 'p', amount: 5000 })),
    );
    expect(refused).toMatchObject({ code: 'REMOTE_FAILED', message: 'Insufficient funds' });
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.stdin!.end();
    expect(await exited).toBe(0);
    // its listen closed with it: nobody answers any more
    const gone = await caught(() => caller.localInvoke(Deposit({ accountId: 'p', amount: 1 })));
    expect(codeOf(gone)).toBe('NO_RESPONDER');
  });
});
