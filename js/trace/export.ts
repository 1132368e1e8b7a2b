/**
 * Ways to show a causal tree: a Mermaid flowchart (for Markdown, GitHub, the Mermaid live editor),
 * a stable JSON graph (what the playground draws), and an indented text tree (for a terminal).
 *
 * @example
 * ```ts
 * const tree = trace.chain(receipt.correlationId);
 * if (tree) console.log(toText(tree));
 * ```
 * @module
 */
import type { TracedError, TracedHop, TraceNode, TraceTree } from './types.ts';

/** A node of {@link TraceGraph}: one message. Every key is always present (`null` when absent). */
export interface TraceGraphNode {
  /** The message id. */
  readonly id: string;
  /** The id of the node this one hangs under; `null` for a root. */
  readonly parent: string | null;
  /** 0 for a root. */
  readonly depth: number;
  /** `'command'` or `'event'`. */
  readonly kind: 'command' | 'event';
  /** The message type's name. */
  readonly type: string;
  /** The id of the message that caused it. */
  readonly causationId: string;
  /** Its tenant. */
  readonly tenant: string;
  /** When it was created, epoch ms. */
  readonly timestamp: number;
  /** The stream of an event (`null` for a command). */
  readonly streamId: string | null;
  /** An event's version in its stream. */
  readonly version: number | null;
  /** An event's global position. */
  readonly position: number | null;
  /** How long handling took, ms. */
  readonly durationMs: number | null;
  /** The error, when handling failed. */
  readonly error: TracedError | null;
  /** The message's data, for messages handled here (commands, published events). */
  readonly data: unknown;
  /** Where it went, in order. */
  readonly hops: readonly TracedHop[];
}

/** A causal tree as a flat, JSON-safe graph: nodes in depth-first order, edges from cause to effect. */
export interface TraceGraph {
  /** Always `'whizbang.trace'`. */
  readonly format: 'whizbang.trace';
  /** The version of this shape. */
  readonly version: 1;
  /** The chain's id. */
  readonly correlationId: string;
  /** Ids of the root, then of each detached subtree's root. */
  readonly roots: readonly string[];
  /** Every message of the tree, depth first. */
  readonly nodes: readonly TraceGraphNode[];
  /** From cause to effect, by message id. */
  readonly edges: ReadonlyArray<{ readonly from: string; readonly to: string }>;
}

/** Options of {@link toText} and {@link toMermaid}. */
export interface TraceFormatOptions {
  /** Show how long each handled message took (default true). */
  readonly durations?: boolean;
}

/** Milliseconds, with as many decimals as are worth reading. */
export function formatMs(ms: number): string {
  if (ms < 10) return `${ms.toFixed(2)} ms`;
  return ms < 100 ? `${ms.toFixed(1)} ms` : `${Math.round(ms)} ms`;
}

function* walk(
  tree: TraceTree,
): Generator<{ node: TraceNode; parent: TraceNode | undefined; depth: number; last: boolean[] }> {
  function* visit(
    node: TraceNode,
    parent: TraceNode | undefined,
    last: boolean[],
  ): Generator<{ node: TraceNode; parent: TraceNode | undefined; depth: number; last: boolean[] }> {
    yield { node, parent, depth: last.length, last };
    const n = node.children.length;
    for (let i = 0; i < n; i++) yield* visit(node.children[i]!, node, [...last, i === n - 1]);
  }
  yield* visit(tree.root, undefined, []);
  for (const d of tree.detached) yield* visit(d, undefined, []);
}

/** The tree as a flat graph whose `JSON.stringify` is its exact copy. */
export function toJSON(tree: TraceTree): TraceGraph {
  const nodes: TraceGraphNode[] = [];
  const edges: Array<{ from: string; to: string }> = [];
  for (const { node, parent, depth } of walk(tree)) {
    const parentId = parent === undefined ? null : parent.messageId;
    if (parentId !== null) edges.push({ from: parentId, to: node.messageId });
    nodes.push({
      id: node.messageId,
      parent: parentId,
      depth,
      kind: node.kind,
      type: node.type,
      causationId: node.causationId,
      tenant: node.tenant,
      timestamp: node.timestamp,
      streamId: node.streamId,
      version: node.version,
      position: node.position,
      durationMs: node.durationMs,
      error: node.error,
      data: node.envelope === null ? null : (node.envelope.message.data ?? null),
      hops: node.envelope === null ? [] : node.envelope.hops,
    });
  }
  return {
    format: 'whizbang.trace',
    version: 1,
    correlationId: tree.correlationId,
    roots: [tree.root.messageId, ...tree.detached.map((d) => d.messageId)],
    nodes,
    edges,
  };
}

const clip = (text: string, max = 120): string =>
  text.length > max ? `${text.slice(0, max - 1)}…` : text;

const errorText = (e: TracedError): string => clip(`${e.name}: ${e.message}`);

/** Control characters shown as escapes, so a hostile type cannot drive the terminal. */
const printable = (text: string): string =>
  text.replace(/\p{Cc}/gu, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);

function describe(node: TraceNode, durations: boolean): string[] {
  const parts = [node.type];
  if (node.kind === 'event' && node.streamId !== null)
    parts.push(node.version === null ? node.streamId : `${node.streamId}@${node.version}`);
  if (durations && node.durationMs !== null) parts.push(formatMs(node.durationMs));
  if (node.error !== null) parts.push(`✗ ${errorText(node.error)}`);
  return parts;
}

/**
 * The tree as indented text, one line per message: a command's type and duration, an event's type
 * and `stream@version`, and `✗ Name: message` for a failure.
 */
export function toText(tree: TraceTree, options: TraceFormatOptions = {}): string {
  const durations = options.durations ?? true;
  const lines: string[] = [];
  for (const { node, depth, last } of walk(tree)) {
    if (depth === 0 && node !== tree.root)
      lines.push(`(cause ${printable(node.causationId)} not recorded)`);
    let indent = '';
    for (let i = 0; i < depth - 1; i++) indent += last[i] ? '   ' : '│  ';
    if (depth > 0) indent += last[depth - 1] ? '└─ ' : '├─ ';
    lines.push(indent + printable(describe(node, durations).join('  ')));
  }
  return lines.join('\n');
}

/**
 * Mermaid's own escapes (`#34;` is `"`), for everything but letters, digits and a few safe signs:
 * a label can then hold neither quotes, brackets, HTML nor statement breaks.
 */
export function mermaidEscape(text: string): string {
  let out = '';
  for (const ch of clip(text, 200)) {
    out += /^[\p{L}\p{N} _.,@/+=~-]$/u.test(ch) ? ch : `#${ch.codePointAt(0)};`;
  }
  return out;
}

/**
 * The tree as a Mermaid `flowchart TD`: one node per message (commands as boxes, events as
 * rounded), edges from cause to effect, failures styled with the `error` class. Node ids are
 * `n0`, `n1`, … in depth-first order; labels are escaped.
 */
export function toMermaid(tree: TraceTree, options: TraceFormatOptions = {}): string {
  const durations = options.durations ?? true;
  const lines = ['flowchart TD'];
  const ids = new Map<TraceNode, string>();
  const edges: string[] = [];
  for (const { node, parent } of walk(tree)) {
    const id = `n${ids.size}`;
    ids.set(node, id);
    const label = describe(node, durations).map(mermaidEscape).join('<br/>');
    const [open, close] = node.kind === 'event' ? ['(["', '"])'] : ['["', '"]'];
    const style = node.error !== null ? 'error' : node.kind;
    lines.push(`  ${id}${open}${label}${close}:::${style}`);
    if (parent !== undefined) edges.push(`  ${ids.get(parent)} --> ${id}`);
  }
  lines.push(
    ...edges,
    '  classDef command fill:#eef3ff,stroke:#4a6fd1,color:#1b2a4e',
    '  classDef event fill:#eefaf1,stroke:#3a9a5b,color:#173d24',
    '  classDef error fill:#fdecec,stroke:#c62828,stroke-width:2px,color:#7f1d1d',
  );
  return lines.join('\n');
}
