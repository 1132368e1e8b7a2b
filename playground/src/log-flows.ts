/**
 * Message flows rebuilt from the log alone, for a log the page follows (no command was dispatched
 * here, so the trace store has none): one correlation's events as a causal tree, each under the
 * message its `causationId` names. A command never lands in the log; each one is inferred from the
 * events it caused (their common `causationId`), without its type or data. The tree is linked by
 * `causalTree` of `whizbang/trace`, as the trace store's are (causes that loop are cut there).
 */
import type { RecordedEvent } from '../../js/mod.ts';
import { causalTree, type TraceNode, type TraceTree } from '../../js/trace/mod.ts';

/** The newest correlations of `events`, at most `max`, each with a label. */
export function flowsOf(
  events: readonly RecordedEvent[],
  max = 30,
): Array<{ id: string; label: string }> {
  const seen = new Map<string, RecordedEvent[]>();
  for (let i = events.length - 1; i >= 0 && seen.size <= max; i--) {
    const e = events[i]!;
    const list = seen.get(e.correlationId);
    if (list) list.unshift(e);
    else seen.set(e.correlationId, [e]);
  }
  return [...seen.entries()].slice(0, max).map(([id, list]) => ({
    id,
    label: `${list[0]!.type} on ${list[0]!.streamId} (${list.length} event${list.length === 1 ? '' : 's'}, from the log)`,
  }));
}

const eventNode = (e: RecordedEvent): TraceNode => ({
  kind: 'event',
  messageId: e.messageId,
  causationId: e.causationId,
  type: e.type,
  tenant: e.tenant,
  timestamp: e.timestamp,
  streamId: e.streamId,
  version: e.version,
  position: e.position,
  durationMs: null,
  error: null,
  envelope: null,
  children: [],
});

/** The causal tree of one correlation, from its events; `undefined` when it has none. */
export function treeOf(
  correlationId: string,
  events: readonly RecordedEvent[],
): TraceTree | undefined {
  const mine = events.filter((e) => e.correlationId === correlationId);
  if (mine.length === 0) return undefined;
  const nodes = new Map<string, TraceNode>(mine.map((e) => [e.messageId, eventNode(e)]));
  // the commands: what caused events without being an event of the log
  for (const e of mine) {
    if (nodes.has(e.causationId)) continue;
    nodes.set(e.causationId, {
      ...eventNode(e),
      kind: 'command',
      messageId: e.causationId,
      // a command that began the correlation is its own cause; one sent by a reaction is not known
      causationId: e.causationId === correlationId ? correlationId : '',
      type: 'command',
      version: null,
      position: null,
    });
  }
  return causalTree(correlationId, nodes.values());
}
