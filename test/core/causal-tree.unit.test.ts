/**
 * `causalTree` of `whizbang/trace`, the builder the trace store and the devtools page share: each
 * node under its cause, and causes that loop (a cycle, a message its own cause) cut without
 * throwing or looping, every node in the tree exactly once.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { causalTree, type TraceNode, type TraceTree } from '../../js/trace/mod.ts';

const node = (
  messageId: string,
  causationId: string,
  timestamp: number,
  kind: TraceNode['kind'] = 'event',
): TraceNode => ({
  kind,
  messageId,
  causationId,
  type: `T-${messageId}`,
  tenant: 'default',
  timestamp,
  streamId: null,
  version: null,
  position: kind === 'event' ? timestamp : null,
  durationMs: null,
  error: null,
  envelope: null,
  children: [],
});

/** Every node's id with its parent's, depth first (root, then detached). */
function edges(tree: TraceTree): Array<[string, string | null]> {
  const out: Array<[string, string | null]> = [];
  const visit = (n: TraceNode, parent: string | null): void => {
    out.push([n.messageId, parent]);
    for (const child of n.children) visit(child, n.messageId);
  };
  for (const root of [tree.root, ...tree.detached]) visit(root, null);
  return out;
}

describe('causalTree', () => {
  it('puts events under their command, commands after events, and the original at the root', () => {
    const tree = causalTree('c1', [
      node('c2', 'e1', 3, 'command'),
      node('e2', 'c1', 2),
      node('e1', 'c1', 1),
      node('c1', 'c1', 0, 'command'),
      node('e3', 'c2', 4),
    ])!;
    expect(edges(tree)).toEqual([
      ['c1', null],
      ['e1', 'c1'],
      ['c2', 'e1'],
      ['e3', 'c2'],
      ['e2', 'c1'],
    ]);
    expect(tree).toMatchObject({ correlationId: 'c1', detached: [], size: 5 });
    expect(causalTree('c1', [])).toBeUndefined();
  });

  it('cuts a causation cycle at its earliest message, keeping every member', () => {
    // a -> b -> c -> a, none its own cause; d hangs below the loop, c1 began the correlation
    const loop = [node('b', 'a', 5), node('c', 'b', 6), node('a', 'c', 2), node('d', 'c', 7)];
    const alone = causalTree('x', loop)!;
    expect(edges(alone)).toEqual([
      ['a', null],
      ['b', 'a'],
      ['c', 'b'],
      ['d', 'c'],
    ]);
    expect(alone.size).toBe(4);
    const beside = causalTree('c1', [node('c1', 'c1', 9, 'command'), ...loop])!;
    expect(beside.root.messageId).toBe('c1');
    expect(beside.detached.map((d) => d.messageId)).toEqual(['a']);
    expect(edges(beside)).toHaveLength(5);
  });

  it('takes a message that is its own cause as a root, and a pair naming each other as one tree', () => {
    const self = causalTree('s', [node('s', 's', 1)])!;
    expect(edges(self)).toEqual([['s', null]]);
    // two events each the other's cause, at the same time: the first given is the root
    const pair = causalTree('p', [node('q', 'p', 1), node('p', 'q', 1)])!;
    expect(edges(pair)).toEqual([
      ['q', null],
      ['p', 'q'],
    ]);
  });

  it('places every node once whatever the causes (no throw, no endless loop)', () => {
    const ids = ['a', 'b', 'c', 'd', 'e', 'f'];
    const nodes = fc.array(
      fc.record({
        id: fc.constantFrom(...ids),
        cause: fc.constantFrom(...ids, 'elsewhere'),
        at: fc.integer({ min: 0, max: 5 }),
        command: fc.boolean(),
      }),
      { maxLength: 12 },
    );
    fc.assert(
      fc.property(nodes, (list) => {
        const tree = causalTree(
          'a',
          list.map((n) => node(n.id, n.cause, n.at, n.command ? 'command' : 'event')),
        );
        const unique = new Set(list.map((n) => n.id));
        if (unique.size === 0) expect(tree).toBeUndefined();
        else {
          const placed = edges(tree!).map(([id]) => id);
          expect(placed.sort()).toEqual([...unique].sort());
          expect(tree!.size).toBe(unique.size);
        }
      }),
    );
  });
});
