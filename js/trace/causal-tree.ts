/**
 * Links messages into the causal tree of one correlation, each under the message its
 * `causationId` names. The trace store builds its trees with it from the envelopes it recorded;
 * a tool that has only the log (the devtools page following a live log) builds them from events.
 */
import type { TraceNode, TraceTree } from './types.ts';

interface Draft {
  readonly node: TraceNode & { children: TraceNode[] };
  /** Its place in the input: ties are broken by it. */
  readonly order: number;
  parent: Draft | undefined;
  /** 1 while a walk up its causes is under way, 2 once walked. */
  walked: 0 | 1 | 2;
}

/**
 * The causal tree of `nodes` (one correlation), or `undefined` when there are none. Each node goes
 * under the node its `causationId` names, whatever `children` it came with: a command's events
 * first (by position), then the commands sent after it (by time, then in the order given). A node
 * that is its own cause, or whose cause is not among `nodes`, is a root: the one that began the
 * correlation (its own cause) is `root`, the others are `detached`. Causes that loop (ids that
 * claim to cause each other) are cut at the loop's earliest message (by time, then order given),
 * which becomes a root, so every node is in the tree once. The first node given for an id wins.
 *
 * @example
 * ```ts
 * import { causalTree, type TraceNode } from 'whizbang/trace';
 *
 * const node = (messageId: string, causationId: string, kind: TraceNode['kind']): TraceNode => ({
 *   kind, messageId, causationId, type: kind, tenant: 'default', timestamp: 0, streamId: null,
 *   version: null, position: null, durationMs: null, error: null, envelope: null, children: [],
 * });
 * const tree = causalTree('c1', [node('c1', 'c1', 'command'), node('e1', 'c1', 'event')]);
 * console.log(tree?.root.children[0]?.messageId); // 'e1'
 * ```
 */
export function causalTree(
  correlationId: string,
  nodes: Iterable<TraceNode>,
): TraceTree | undefined {
  const drafts = new Map<string, Draft>();
  for (const node of nodes) {
    if (drafts.has(node.messageId)) continue;
    const draft: Draft = {
      node: { ...node, children: [] },
      order: drafts.size,
      parent: undefined,
      walked: 0,
    };
    drafts.set(node.messageId, draft);
  }
  if (drafts.size === 0) return undefined;
  for (const draft of drafts.values()) {
    const { causationId, messageId } = draft.node;
    draft.parent = causationId === messageId ? undefined : drafts.get(causationId);
  }
  for (const draft of drafts.values()) cutLoop(draft);
  const roots: Draft[] = [];
  const byParent = new Map<Draft, Draft[]>();
  for (const draft of drafts.values()) {
    const parent = draft.parent;
    if (parent === undefined) roots.push(draft);
    else {
      const siblings = byParent.get(parent);
      if (siblings === undefined) byParent.set(parent, [draft]);
      else siblings.push(draft);
    }
  }
  for (const [parent, children] of byParent)
    for (const child of children.sort(compare)) parent.node.children.push(child.node);
  roots.sort(compareRoots);
  return {
    correlationId,
    root: roots[0]!.node,
    detached: roots.slice(1).map((d) => d.node),
    size: drafts.size,
  };
}

/** Walks up from `start` (once per node in all); a loop found is cut at its earliest message. */
function cutLoop(start: Draft): void {
  const path: Draft[] = [];
  let d: Draft | undefined = start;
  for (; d !== undefined && d.walked === 0; d = d.parent) {
    d.walked = 1;
    path.push(d);
  }
  if (d !== undefined && d.walked === 1) {
    const loop = path.slice(path.indexOf(d));
    loop.reduce((a, b) => (earlier(b, a) ? b : a)).parent = undefined;
  }
  for (const p of path) p.walked = 2;
}

function earlier(a: Draft, b: Draft): boolean {
  return (a.node.timestamp - b.node.timestamp || a.order - b.order) < 0;
}

/** Siblings: events first (by position: they were appended before anything cascaded), then commands as sent. */
function compare(a: Draft, b: Draft): number {
  const x = a.node;
  const y = b.node;
  if (x.kind !== y.kind) return x.kind === 'event' ? -1 : 1;
  const key =
    x.kind === 'event'
      ? (x.position ?? Number.MAX_SAFE_INTEGER) - (y.position ?? Number.MAX_SAFE_INTEGER)
      : x.timestamp - y.timestamp;
  return key || a.order - b.order;
}

/** Roots: an original (its own cause) before a message whose cause is elsewhere, then by time. */
function compareRoots(a: Draft, b: Draft): number {
  const original = (d: Draft): number => (d.node.causationId === d.node.messageId ? 0 : 1);
  return original(a) - original(b) || a.node.timestamp - b.node.timestamp || a.order - b.order;
}
