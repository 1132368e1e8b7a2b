/** Builds the causal tree of one correlation from the envelopes recorded for it. */
import type { TracedEnvelope, TracedEvent, TraceNode, TraceTree } from './types.ts';

/** A recorded envelope and the order it arrived in. */
export interface Entry {
  readonly seq: number;
  readonly envelope: TracedEnvelope;
}

interface Draft {
  node: TraceNode & { children: TraceNode[] };
  parent: Draft | undefined;
  readonly seq: number;
  /** An event's index among its envelope's events (0 for the envelope itself). */
  readonly sub: number;
}

function fromEnvelope(env: TracedEnvelope): Draft['node'] {
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

function fromEvent(e: TracedEvent): Draft['node'] {
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

/** Siblings: events first (by position: they were appended before anything cascaded), then commands as sent. */
function compare(a: Draft, b: Draft): number {
  const x = a.node;
  const y = b.node;
  if (x.kind !== y.kind) return x.kind === 'event' ? -1 : 1;
  const key =
    x.kind === 'event'
      ? (x.position ?? Number.MAX_SAFE_INTEGER) - (y.position ?? Number.MAX_SAFE_INTEGER)
      : x.timestamp - y.timestamp;
  return key || a.seq - b.seq || a.sub - b.sub;
}

/** Roots: an original (its own cause) before a message whose cause is elsewhere, then by time. */
function compareRoots(a: Draft, b: Draft): number {
  const original = (d: Draft): number => (d.node.causationId === d.node.messageId ? 0 : 1);
  return original(a) - original(b) || a.node.timestamp - b.node.timestamp || a.seq - b.seq;
}

/** The tree of `entries` (one correlation, one tenant's view), or `undefined` when there are none. */
export function buildTree(correlationId: string, entries: readonly Entry[]): TraceTree | undefined {
  if (entries.length === 0) return undefined;
  const drafts = new Map<string, Draft>();
  for (const { seq, envelope } of entries) {
    drafts.set(envelope.messageId, {
      node: fromEnvelope(envelope),
      parent: undefined,
      seq,
      sub: 0,
    });
  }
  for (const { seq, envelope } of entries) {
    envelope.events.forEach((e, i) => {
      if (!drafts.has(e.messageId))
        drafts.set(e.messageId, { node: fromEvent(e), parent: undefined, seq, sub: i + 1 });
    });
  }
  const roots: Draft[] = [];
  const byParent = new Map<Draft, Draft[]>();
  for (const draft of drafts.values()) {
    const { causationId, messageId } = draft.node;
    const parent = causationId === messageId ? undefined : drafts.get(causationId);
    if (parent === undefined || isAncestor(draft, parent)) {
      roots.push(draft);
      continue;
    }
    draft.parent = parent;
    const siblings = byParent.get(parent);
    if (siblings === undefined) byParent.set(parent, [draft]);
    else siblings.push(draft);
  }
  for (const [parent, children] of byParent) {
    children.sort(compare);
    for (const child of children) parent.node.children.push(child.node);
  }
  roots.sort(compareRoots);
  return {
    correlationId,
    root: roots[0]!.node,
    detached: roots.slice(1).map((d) => d.node),
    size: drafts.size,
  };
}

/** Whether linking `draft` under `parent` would close a loop (ids that claim to cause each other). */
function isAncestor(draft: Draft, parent: Draft): boolean {
  for (let d: Draft | undefined = parent; d !== undefined; d = d.parent)
    if (d === draft) return true;
  return false;
}
