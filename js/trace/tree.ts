/** Builds the causal tree of one correlation from the envelopes recorded for it. */
import { causalTree } from './causal-tree.ts';
import type { TracedEnvelope, TracedEvent, TraceNode, TraceTree } from './types.ts';

/** A recorded envelope and the order it arrived in. */
export interface Entry {
  readonly seq: number;
  readonly envelope: TracedEnvelope;
}

function fromEnvelope(env: TracedEnvelope): TraceNode {
  // A published event is its own envelope: the two are one message, one node.
  const own = env.events.find((e) => e.messageId === env.messageId);
  const wrote = own ?? env.events[0];
  return {
    kind: env.message.kind,
    messageId: env.messageId,
    causationId: env.causationId,
    type: env.message.type,
    tenant: env.tenant,
    timestamp: env.timestamp,
    streamId:
      env.streamId ??
      env.hops.find((h) => h.streamId !== null)?.streamId ??
      wrote?.streamId ??
      null,
    version: own?.version ?? null,
    position: own?.position ?? null,
    durationMs: env.durationMs,
    error: env.error,
    envelope: env,
    children: [],
  };
}

function fromEvent(e: TracedEvent): TraceNode {
  return {
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
  };
}

/** The tree of `entries` (one correlation, one tenant's view), or `undefined` when there are none. */
export function buildTree(correlationId: string, entries: readonly Entry[]): TraceTree | undefined {
  // an envelope is its message's node; an event it appended is one only when not dispatched itself
  const nodes = new Map<string, { node: TraceNode; seq: number; sub: number }>();
  for (const { seq, envelope } of entries)
    nodes.set(envelope.messageId, { node: fromEnvelope(envelope), seq, sub: 0 });
  for (const { seq, envelope } of entries) {
    envelope.events.forEach((e, i) => {
      if (!nodes.has(e.messageId)) nodes.set(e.messageId, { node: fromEvent(e), seq, sub: i + 1 });
    });
  }
  const ordered = [...nodes.values()].sort((a, b) => a.seq - b.seq || a.sub - b.sub);
  return causalTree(
    correlationId,
    ordered.map((n) => n.node),
  );
}
