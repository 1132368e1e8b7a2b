/**
 * Flows rebuilt from a log alone (`whizbang devtools --live`): each correlation's events under the
 * command their `causationId` names (inferred: the log holds no commands), newest first.
 */
import { describe, expect, it } from 'vitest';
import type { RecordedEvent } from '../../js/mod.ts';
import { flowsOf, treeOf } from '../../playground/src/log-flows.ts';

let position = 0;
const event = (
  type: string,
  streamId: string,
  ids: { id: string; cause: string; correlation: string },
): RecordedEvent =>
  ({
    kind: 'event',
    type,
    data: {},
    streamId,
    version: 1,
    position: ++position,
    tenant: 'default',
    messageId: ids.id,
    correlationId: ids.correlation,
    causationId: ids.cause,
    timestamp: position,
  }) as RecordedEvent;

// a transfer: command t1 appended TransferRequested; the saga's Withdraw (w1, caused by that event)
// appended MoneyWithdrawn; and an account opened by command o1 in a correlation of its own
const log = [
  event('AccountOpened', 'account-ada', { id: 'e1', cause: 'o1', correlation: 'o1' }),
  event('TransferRequested', 'transfer-1', { id: 'e2', cause: 't1', correlation: 't1' }),
  event('MoneyWithdrawn', 'account-ada', { id: 'e3', cause: 'w1', correlation: 't1' }),
];

describe('flows rebuilt from the log', () => {
  it('lists the newest correlations first, with their first event and count', () => {
    expect(flowsOf(log)).toEqual([
      { id: 't1', label: 'TransferRequested on transfer-1 (2 events, from the log)' },
      { id: 'o1', label: 'AccountOpened on account-ada (1 event, from the log)' },
    ]);
    expect(flowsOf(log, 1).map((f) => f.id)).toEqual(['t1']);
  });

  it('puts each event under the command that caused it, the first command at the root', () => {
    const tree = treeOf('t1', log)!;
    expect(tree.root).toMatchObject({ kind: 'command', messageId: 't1', type: 'command' });
    expect(tree.root.children.map((c) => [c.kind, c.type, c.position])).toEqual([
      ['event', 'TransferRequested', 2],
    ]);
    // the saga's command is known by its events only: its own cause is not in the log
    expect(tree.detached.map((d) => [d.kind, d.messageId])).toEqual([['command', 'w1']]);
    expect(tree.detached[0]!.children.map((c) => c.type)).toEqual(['MoneyWithdrawn']);
    expect(tree.size).toBe(4);
    expect(treeOf('nobody', log)).toBeUndefined();
  });

  it('shows events whose causes loop, cut at the earliest, and one that is its own cause', () => {
    const loop = [
      event('Pinged', 'ping', { id: 'p1', cause: 'p2', correlation: 'loop' }),
      event('Ponged', 'ping', { id: 'p2', cause: 'p1', correlation: 'loop' }),
      event('Echoed', 'echo', { id: 'x1', cause: 'x1', correlation: 'self' }),
    ];
    const tree = treeOf('loop', loop)!;
    expect(tree.root).toMatchObject({ kind: 'event', messageId: 'p1' });
    expect(tree.root.children.map((c) => c.messageId)).toEqual(['p2']);
    expect(tree.detached).toEqual([]);
    expect(tree.size).toBe(2);
    const self = treeOf('self', loop)!;
    expect(self.root).toMatchObject({ messageId: 'x1', children: [] });
    expect(self.size).toBe(1);
  });
});
