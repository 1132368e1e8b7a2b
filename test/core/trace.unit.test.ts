// @runtimes node deno bun

import { describe, expect, it } from 'vitest';
import {
  createBank,
  Deposit,
  MoneyDeposited,
  OpenAccount,
  Transfer,
  Withdraw,
} from '../../examples/bank/domain.ts';
import {
  defineCommand,
  defineEvent,
  defineReceptor,
  payload,
  retry,
  whizbang,
} from '../../js/mod.ts';
import {
  type TraceNode,
  type TraceTree,
  toTraceJSON as toJSON,
  toMermaid,
  toText,
  traceStore,
} from '../../js/trace/mod.ts';

/** The tree's nodes in depth-first order, each with its parent. */
function flatten(tree: TraceTree): Array<{ node: TraceNode; parent: TraceNode | undefined }> {
  const out: Array<{ node: TraceNode; parent: TraceNode | undefined }> = [];
  const visit = (node: TraceNode, parent: TraceNode | undefined): void => {
    out.push({ node, parent });
    for (const child of node.children) visit(child, node);
  };
  visit(tree.root, undefined);
  for (const d of tree.detached) visit(d, undefined);
  return out;
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

async function openBank(trace = traceStore(), tenant?: string) {
  const bank = createBank({ observers: [trace] });
  const opts = tenant === undefined ? {} : { tenant };
  await bank.send(OpenAccount({ accountId: 'ada', owner: 'Ada', overdraftLimit: 100 }), opts);
  await bank.send(OpenAccount({ accountId: 'bob', owner: 'Bob' }), opts);
  await bank.send(Deposit({ accountId: 'bob', amount: 500 }), opts);
  return { bank, trace };
}

describe('traceStore: chain', () => {
  it('gives a transfer as its whole causal tree, in order, each node under its cause', async () => {
    const { bank, trace } = await openBank();
    const receipt = await bank.send(
      Transfer({ transferId: 't-1', from: 'bob', to: 'ada', amount: 120 }),
    );
    const tree = trace.chain(receipt.correlationId)!;
    expect(tree.correlationId).toBe(receipt.correlationId);
    expect(tree.detached).toEqual([]);
    const nodes = flatten(tree);
    expect(nodes.map(({ node }) => `${node.kind} ${node.type}`)).toEqual([
      'command Transfer',
      'event TransferRequested',
      'command Withdraw',
      'event MoneyWithdrawn',
      'command Deposit',
      'event MoneyDeposited',
      'command CompleteTransfer',
      'event TransferCompleted',
    ]);
    expect(tree.size).toBe(8);
    expect(tree.root.messageId).toBe(receipt.messageId);
    expect(tree.root.causationId).toBe(receipt.messageId);
    for (const { node, parent } of nodes.slice(1)) expect(node.causationId).toBe(parent!.messageId);

    // Events are the ledger's own: same ids, streams, versions and positions.
    const recorded = (await bank.ledger.readAll()).filter(
      (e) => e.correlationId === receipt.correlationId,
    );
    const events = nodes.map(({ node }) => node).filter((n) => n.kind === 'event');
    expect(events.map((n) => [n.messageId, n.streamId, n.version, n.position])).toEqual(
      recorded.map((e) => [e.messageId, e.streamId, e.version, e.position]),
    );
    expect(events.map((n) => `${n.streamId}@${n.version}`)).toEqual([
      'transfer-t-1@1',
      'account-bob@3',
      'account-ada@2',
      'transfer-t-1@2',
    ]);

    // Commands carry their envelope: hops with durations, no error.
    for (const { node } of nodes.filter(({ node }) => node.kind === 'command')) {
      expect(node.error).toBeNull();
      expect(node.envelope!.hops.map((h) => h.where)).toEqual([`receptor:${node.type}`]);
      expect(node.durationMs).toBeGreaterThanOrEqual(0);
      expect(node.durationMs).toBeLessThan(5_000);
      expect(node.envelope!.events.map((e) => e.messageId)).toEqual(
        node.children.filter((c) => c.kind === 'event').map((c) => c.messageId),
      );
    }
    expect(tree.root.envelope!.message).toEqual({
      kind: 'command',
      type: 'Transfer',
      data: { transferId: 't-1', from: 'bob', to: 'ada', amount: 120 },
    });
    await bank.close();
  });

  it('records a failed command with its error, and a failed cascade on every step', async () => {
    const { bank, trace } = await openBank();
    await expect(
      bank.send(Withdraw({ accountId: 'bob', amount: 10_000 }), { correlationId: 'c-refused' }),
    ).rejects.toThrow(/overdraft/);
    const refused = trace.chain('c-refused')!.root;
    expect(refused.type).toBe('Withdraw');
    expect(refused.error).toEqual({
      name: 'BankError',
      message: expect.stringMatching(/^Withdrawal refused: account bob/),
      code: null,
    });
    expect(refused.children).toEqual([]);
    // A step that failed is timed up to its failure, not from the process start.
    expect(refused.durationMs).toBeLessThan(5_000);

    // The deposit to a closed account fails inside the transfer's cascade.
    await expect(
      bank.send(Transfer({ transferId: 't-x', from: 'bob', to: 'nobody', amount: 5 }), {
        correlationId: 'c-cascade',
      }),
    ).rejects.toThrow(/not open/);
    const tree = trace.chain('c-cascade')!;
    const byType = new Map(flatten(tree).map(({ node }) => [node.type, node]));
    expect(tree.root.type).toBe('Transfer');
    for (const type of ['Transfer', 'Withdraw', 'Deposit'])
      expect(byType.get(type)?.error?.name).toBe('BankError');
    expect(byType.get('Deposit')!.error!.message).toMatch(/nobody is not open/);
    expect(toMermaid(tree)).toMatch(/:::error/);
    expect(toText(tree)).toMatch(/Deposit .*✗ BankError: Account nobody is not open\./);
    await bank.close();
  });

  it('records policy decisions on hops', async () => {
    const Flaky = defineCommand('Flaky', payload<{ id: string }>());
    const Done = defineEvent('Done', payload<{ id: string }>());
    let calls = 0;
    const trace = traceStore();
    const app = whizbang('flaky')
      .receptor(
        defineReceptor({
          command: Flaky,
          stream: (c) => `flaky-${c.data.id}`,
          handle: (c) => {
            if (++calls === 1) throw new Error('try again');
            return Done(c.data);
          },
        }),
      )
      .policy(retry({ maxAttempts: 2, initialDelayMs: 1, jitter: false }))
      .build({ observers: [trace] });
    const receipt = await app.send(Flaky({ id: '1' }));
    const hop = trace.chain(receipt.correlationId)!.root.envelope!.hops[0]!;
    expect(hop.decisions).toEqual([
      { policy: 'retry', decision: 'retry', detail: expect.stringContaining('try again') },
    ]);
    expect(hop.traceparent).toMatch(/^00-[0-9a-f]{32}-[0-9a-f]{16}-01$/);
    await app.close();
  });

  it('makes a published event one node: its envelope and its place in the stream', async () => {
    const { bank, trace } = await openBank();
    const receipt = await bank.publish(MoneyDeposited({ accountId: 'ada', amount: 7 }), {
      stream: 'account-ada',
    });
    const tree = trace.chain(receipt.correlationId)!;
    expect(tree.size).toBe(1);
    expect(tree.root).toMatchObject({
      kind: 'event',
      type: 'MoneyDeposited',
      streamId: 'account-ada',
      version: 2,
      position: receipt.position,
    });
    expect(tree.root.durationMs).toBeGreaterThanOrEqual(0);
    expect(tree.root.envelope!.hops.map((h) => h.where)).toEqual(['ledger']);
    await bank.close();
  });

  it('answers undefined for a correlation it never saw', () => {
    expect(traceStore().chain('nope')).toBeUndefined();
  });
});

describe('traceStore: byStream and between', () => {
  it('lists the messages that touched a stream, oldest first', async () => {
    const { bank, trace } = await openBank();
    await bank.send(Transfer({ transferId: 't-1', from: 'bob', to: 'ada', amount: 1 }));
    expect(trace.byStream('account-bob').map((m) => m.message.type)).toEqual([
      'OpenAccount',
      'Deposit',
      'Withdraw',
    ]);
    expect(trace.byStream('transfer-t-1').map((m) => m.message.type)).toEqual([
      'Transfer',
      'CompleteTransfer',
    ]);
    const withdraw = trace.byStream('account-bob')[2]!;
    expect(withdraw.events.map((e) => [e.type, e.streamId, e.version])).toEqual([
      ['MoneyWithdrawn', 'account-bob', 3],
    ]);
    expect(trace.byStream('account-nobody')).toEqual([]);
    await bank.close();
  });

  it('lists the messages of a time range', async () => {
    const { bank, trace } = await openBank();
    await sleep(5);
    const from = Date.now();
    await bank.send(Deposit({ accountId: 'ada', amount: 1 }));
    await bank.send(Deposit({ accountId: 'ada', amount: 2 }));
    const to = Date.now();
    const range = trace.between(from, to);
    expect(range.map((m) => m.message.data)).toEqual([
      { accountId: 'ada', amount: 1 },
      { accountId: 'ada', amount: 2 },
    ]);
    expect(trace.between(0, from - 1).map((m) => m.message.type)).toEqual([
      'OpenAccount',
      'OpenAccount',
      'Deposit',
    ]);
    expect(trace.between(to + 1, to + 1000)).toEqual([]);
    await bank.close();
  });
});

describe('traceStore: tenants and capacity', () => {
  it('never answers a query with a tenant with another tenant’s messages', async () => {
    const trace = traceStore();
    const { bank } = await openBank(trace, 'acme');
    await openBank(trace, 'globex');
    const acme = await bank.send(Deposit({ accountId: 'ada', amount: 3 }), { tenant: 'acme' });
    const tenants = (list: readonly { tenant: string }[]): string[] => [
      ...new Set(list.map((m) => m.tenant)),
    ];

    expect(trace.byStream('account-ada', 'acme').map((m) => m.message.type)).toEqual([
      'OpenAccount',
      'Deposit',
    ]);
    expect(tenants(trace.byStream('account-ada', 'acme'))).toEqual(['acme']);
    expect(tenants(trace.byStream('account-ada', 'globex'))).toEqual(['globex']);
    expect(trace.byStream('account-ada', 'initech')).toEqual([]);
    expect(tenants(trace.byStream('account-ada')).sort()).toEqual(['acme', 'globex']);

    expect(tenants(trace.between(0, Date.now(), 'globex'))).toEqual(['globex']);
    expect(trace.between(0, Date.now(), 'globex')).toHaveLength(3);

    expect(trace.chain(acme.correlationId, 'acme')!.root.tenant).toBe('acme');
    expect(trace.chain(acme.correlationId, 'globex')).toBeUndefined();

    // Even a correlation id reused across tenants is split by tenant.
    const { bank: other } = await openBank(trace, 'globex');
    await other.send(Deposit({ accountId: 'ada', amount: 4 }), {
      tenant: 'globex',
      correlationId: acme.correlationId,
    });
    const mixed = trace.chain(acme.correlationId)!;
    expect(mixed.size).toBe(4); // two deposits and their events
    const acmeOnly = trace.chain(acme.correlationId, 'acme')!;
    expect(flatten(acmeOnly).map(({ node }) => node.tenant)).toEqual(['acme', 'acme']);
    expect(flatten(acmeOnly).map(({ node }) => node.type)).toEqual(['Deposit', 'MoneyDeposited']);
  });

  it('keeps at most `capacity` correlations, dropping the least recently active', async () => {
    const trace = traceStore({ capacity: 2 });
    const bank = createBank({ observers: [trace] });
    const first = await bank.send(OpenAccount({ accountId: 'a', owner: 'A' }));
    const second = await bank.send(OpenAccount({ accountId: 'b', owner: 'B' }));
    // Activity in the first correlation makes it the newest again.
    await bank.send(Deposit({ accountId: 'a', amount: 1 }), {
      correlationId: first.correlationId,
    });
    const third = await bank.send(OpenAccount({ accountId: 'c', owner: 'C' }));
    expect(trace.chain(second.correlationId)).toBeUndefined();
    expect(trace.chain(first.correlationId)?.size).toBe(4);
    expect(trace.chain(third.correlationId)?.size).toBe(2);
    expect(trace.size).toBe(3);
    expect(trace.byStream('account-b')).toEqual([]);
    expect(trace.between(0, Date.now())).toHaveLength(3);

    trace.clear();
    expect(trace.size).toBe(0);
    expect(trace.chain(first.correlationId)).toBeUndefined();
    await bank.close();
  });

  it('bounds one endless correlation too, and refuses a nonsensical capacity', async () => {
    const trace = traceStore({ perCorrelation: 3 });
    const bank = createBank({ observers: [trace] });
    await bank.send(OpenAccount({ accountId: 'a', owner: 'A' }), { correlationId: 'saga' });
    for (let i = 1; i <= 5; i++)
      await bank.send(Deposit({ accountId: 'a', amount: i }), { correlationId: 'saga' });
    expect(trace.size).toBe(3);
    const kept = trace
      .between(0, Date.now())
      .map((m) => (m.message.data as { amount: number }).amount);
    expect(kept).toEqual([3, 4, 5]);
    expect(() => traceStore({ capacity: 0 })).toThrow(/capacity/);
    await bank.close();
  });
});

describe('exporters', () => {
  async function transferTree() {
    const { bank, trace } = await openBank();
    const receipt = await bank.send(
      Transfer({ transferId: 't-1', from: 'bob', to: 'ada', amount: 5 }),
    );
    await bank.close();
    return trace.chain(receipt.correlationId)!;
  }

  it('draws a Mermaid flowchart: one node per message, edges from cause to effect', async () => {
    const tree = await transferTree();
    const mermaid = toMermaid(tree);
    const lines = mermaid.split('\n');
    expect(lines[0]).toBe('flowchart TD');
    const defs = lines
      .map((l) => /^ {2}(n\d+)(\[|\(\[)"(.*)"(\]|\]\)):::(\w+)$/.exec(l))
      .filter((m) => m !== null);
    expect(defs).toHaveLength(tree.size);
    const nodes = flatten(tree);
    const idOf = new Map(nodes.map(({ node }, i) => [node, defs[i]![1]!]));
    expect(new Set(idOf.values()).size).toBe(tree.size);
    defs.forEach((d, i) => {
      const node = nodes[i]!.node;
      expect(d[3]).toContain(node.type);
      expect(d[2]).toBe(node.kind === 'event' ? '([' : '[');
      if (node.kind === 'event') expect(d[3]).toContain(`${node.streamId}@${node.version}`);
      else expect(d[3]).toMatch(/<br\/>\d+\.\d+ ms$/);
    });
    const edges = lines.filter((l) => l.includes('-->')).map((l) => l.trim());
    expect(edges).toEqual(
      nodes.slice(1).map(({ node, parent }) => `${idOf.get(parent!)} --> ${idOf.get(node)}`),
    );
    expect(mermaid).not.toMatch(/:::error/);
    expect(toMermaid(tree, { durations: false })).not.toMatch(/ ms/);
  });

  it('escapes hostile type names and stream ids in Mermaid labels', async () => {
    const hostileType = 'Evil"]; click n0 call alert(1) %%\n<img src=x onerror=alert(1)> `md` #x;';
    const hostileStream = 's"[1]{<b>}|x';
    const Evil = defineCommand(hostileType, payload<{ id: string }>());
    const Happened = defineEvent('Done"])-->n9[("', payload<{ id: string }>());
    const trace = traceStore();
    const app = whizbang('evil')
      .receptor(
        defineReceptor({
          command: Evil,
          stream: () => hostileStream,
          handle: (c) => Happened(c.data),
        }),
      )
      .build({ observers: [trace] });
    const receipt = await app.send(Evil({ id: '1' }));
    const tree = trace.chain(receipt.correlationId)!;
    const mermaid = toMermaid(tree);
    const lines = mermaid.split('\n');
    expect(lines).toHaveLength(1 + 2 + 1 + 3); // header, two nodes, one edge, three classes
    const labels = lines.slice(1, 3).map((l) => /^ {2}n\d+\(?\["(.*)"\]\)?:::\w+$/.exec(l)?.[1]);
    for (const label of labels) {
      // Nothing but letters, digits, a few safe signs, line breaks and Mermaid's own #NN; escapes.
      const bare = label!.replaceAll('<br/>', '').replace(/#\d+;/g, '');
      expect(bare).toMatch(/^[\p{L}\p{N} _.,@/+=~-]*$/u);
    }
    // What the labels say, once Mermaid decodes its #NN; escapes, is exactly the names.
    const decode = (s: string): string =>
      s.replace(/#(\d+);/g, (_, code: string) => String.fromCodePoint(Number(code)));
    expect(decode(labels[0]!).split('<br/>')[0]).toBe(hostileType);
    expect(decode(labels[1]!).split('<br/>')).toEqual(['Done"])-->n9[("', `${hostileStream}@1`]);
    expect(lines[3]).toBe('  n0 --> n1');
    // The text tree shows control characters as escapes: still one line per message.
    const text = toText(tree, { durations: false }).split('\n');
    expect(text).toHaveLength(2);
    expect(text[0]).toContain('%%\\u000a<img');
    await app.close();
  });

  it('gives a stable JSON graph that survives JSON.stringify and JSON.parse unchanged', async () => {
    const tree = await transferTree();
    const graph = toJSON(tree);
    expect(JSON.parse(JSON.stringify(graph))).toStrictEqual(graph);
    expect(graph.format).toBe('whizbang.trace');
    expect(graph.version).toBe(1);
    expect(graph.roots).toEqual([tree.root.messageId]);
    expect(graph.nodes.map((n) => n.type)).toEqual(flatten(tree).map(({ node }) => node.type));
    expect(graph.nodes.map((n) => n.depth)).toEqual([0, 1, 1, 2, 3, 4, 5, 6]);
    expect(graph.edges).toHaveLength(tree.size - 1);
    for (const n of graph.nodes) {
      expect(Object.keys(n).sort()).toEqual(
        [
          'causationId',
          'data',
          'depth',
          'durationMs',
          'error',
          'hops',
          'id',
          'kind',
          'parent',
          'position',
          'streamId',
          'tenant',
          'timestamp',
          'type',
          'version',
        ].sort(),
      );
      if (n.parent !== null) expect(graph.edges).toContainEqual({ from: n.parent, to: n.id });
    }
  });

  it('prints an indented text tree, one line per message', async () => {
    const tree = await transferTree();
    expect(toText(tree, { durations: false })).toBe(
      [
        'Transfer',
        '├─ TransferRequested  transfer-t-1@1',
        '└─ Withdraw',
        '   └─ MoneyWithdrawn  account-bob@3',
        '      └─ Deposit',
        '         └─ MoneyDeposited  account-ada@2',
        '            └─ CompleteTransfer',
        '               └─ TransferCompleted  transfer-t-1@2',
      ].join('\n'),
    );
    expect(toText(tree).split('\n')[0]).toMatch(/^Transfer {2}\d+\.\d+ ms$/);
  });
});
