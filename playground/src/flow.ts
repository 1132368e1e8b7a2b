/**
 * The message flow: one correlation's causal tree (from the trace store, via `toTraceJSON`) drawn
 * as a layered SVG, top to bottom by depth, with the perspectives each event fed. A hand-made
 * layout of ~100 lines: no graph library is installed, and a tree needs no more. Nodes are buttons:
 * clicking one (or Enter on it) shows its envelope and hops.
 */

import type { Perspective } from '../../js/mod.ts';
import {
  type TraceGraphNode,
  type TraceNode,
  type TraceTree,
  toTraceJSON,
} from '../../js/trace/mod.ts';
import { h, table } from './dom.ts';

const SVG = 'http://www.w3.org/2000/svg';
const W = 168;
const H = 40;
const GAP_X = 14;
const GAP_Y = 22;

interface Box {
  readonly id: string;
  readonly kind: 'command' | 'event' | 'perspective';
  readonly label: string;
  readonly sub: string;
  readonly failed: boolean;
  readonly depth: number;
  readonly parent: string | null;
  readonly node: TraceGraphNode | undefined;
}

function svg(tag: string, attrs: Record<string, string | number>, ...kids: Node[]): SVGElement {
  const el = document.createElementNS(SVG, tag);
  for (const [k, v] of Object.entries(attrs)) el.setAttribute(k, String(v));
  for (const kid of kids) el.appendChild(kid);
  return el;
}

const text = (s: string): Text => document.createTextNode(s);

/** Boxes of the tree: its messages, and a perspective box under each event a perspective applies. */
function boxesOf(tree: TraceTree, perspectives: readonly Perspective<any, any>[]): Box[] {
  const boxes: Box[] = [];
  for (const node of toTraceJSON(tree).nodes) {
    const sub =
      node.kind === 'event'
        ? `${node.streamId ?? ''}@${node.version ?? '?'} · #${node.position ?? '?'}`
        : node.durationMs === null
          ? (node.streamId ?? '')
          : `${node.durationMs.toFixed(2)} ms`;
    boxes.push({
      id: node.id,
      kind: node.kind,
      label: node.type,
      sub,
      failed: node.error !== null,
      depth: node.depth,
      parent: node.parent,
      node,
    });
    if (node.kind !== 'event') continue;
    for (const p of perspectives) {
      if (!p.types.has(node.type)) continue;
      boxes.push({
        id: `${node.id}:${p.name}`,
        kind: 'perspective',
        label: p.name,
        sub: `perspective (${p.mode})`,
        failed: false,
        depth: node.depth + 1,
        parent: node.id,
        node: undefined,
      });
    }
  }
  return boxes;
}

/** Every message of the tree by id, for its envelope. */
function messages(tree: TraceTree): Map<string, TraceNode> {
  const byId = new Map<string, TraceNode>();
  const visit = (n: TraceNode): void => {
    byId.set(n.messageId, n);
    for (const c of n.children) visit(c);
  };
  visit(tree.root);
  for (const d of tree.detached) visit(d);
  return byId;
}

/** Draws `tree` into `host`, and node details into `details` when a node is chosen. */
export function drawFlow(
  host: HTMLElement,
  details: HTMLElement,
  tree: TraceTree,
  perspectives: readonly Perspective<any, any>[],
): void {
  const boxes = boxesOf(tree, perspectives);
  const byId = messages(tree);
  // one layer per depth, top to bottom; within a layer, left to right in depth-first order
  const slotsAt: number[] = [];
  const place = new Map<string, { x: number; y: number }>();
  for (const b of boxes) {
    const next = slotsAt[b.depth] ?? 0;
    // a child sits no further left than its parent, so edges run down and right
    const parentSlot = b.parent === null ? 0 : ((place.get(b.parent)?.x ?? 8) - 8) / (W + GAP_X);
    const slot = Math.max(next, parentSlot);
    slotsAt[b.depth] = slot + 1;
    place.set(b.id, { x: 8 + slot * (W + GAP_X), y: 8 + b.depth * (H + GAP_Y) });
  }
  const width = 16 + Math.max(...slotsAt) * (W + GAP_X);
  const height = 16 + slotsAt.length * (H + GAP_Y);
  const root = svg('svg', {
    width,
    height,
    viewBox: `0 0 ${width} ${height}`,
    role: 'group',
    'aria-label': `Message flow of ${tree.root.type}`,
  }) as SVGSVGElement;
  for (const b of boxes) {
    if (b.parent === null) continue;
    const from = place.get(b.parent);
    const to = place.get(b.id)!;
    if (from === undefined) continue;
    const x1 = from.x + W / 2;
    const y1 = from.y + H;
    const x2 = to.x + W / 2;
    const y2 = to.y;
    const my = (y1 + y2) / 2;
    root.appendChild(
      svg('path', { d: `M${x1},${y1} C${x1},${my} ${x2},${my} ${x2},${y2}`, class: 'edge' }),
    );
  }
  for (const b of boxes) {
    const { x, y } = place.get(b.id)!;
    const g = svg(
      'g',
      {
        class: `node ${b.kind}${b.failed ? ' failed' : ''}`,
        transform: `translate(${x},${y})`,
        tabindex: 0,
        role: 'button',
        'data-type': b.label,
        'aria-label': `${b.kind} ${b.label}, ${b.sub}${b.failed ? ', failed' : ''}`,
      },
      svg('rect', { width: W, height: H, rx: 6 }),
      svg('text', { x: 8, y: 16, class: 'label' }, text(b.label)),
      svg('text', { x: 8, y: 31, class: 'sub' }, text(b.sub)),
    );
    const choose = (): void => {
      root.querySelector('.node.chosen')?.classList.remove('chosen');
      g.classList.add('chosen');
      showDetails(details, b, byId.get(b.node?.id ?? ''));
    };
    g.addEventListener('click', choose);
    g.addEventListener('keydown', (event: Event) => {
      const key = (event as KeyboardEvent).key;
      if (key === 'Enter' || key === ' ') {
        event.preventDefault();
        choose();
      }
    });
    root.appendChild(g);
  }
  host.replaceChildren(root);
}

function showDetails(details: HTMLElement, box: Box, message: TraceNode | undefined): void {
  if (box.node === undefined) {
    details.replaceChildren(
      h('h3', {}, `Perspective ${box.label}`),
      h(
        'p',
        {},
        `Applied the event above it (${box.sub}), in the append's transaction when inline.`,
      ),
    );
    return;
  }
  const n = box.node;
  const hops = n.hops.map((hop) => [
    hop.where,
    hop.service,
    hop.streamId ?? '',
    `${hop.durationMs.toFixed(2)} ms`,
    hop.decisions
      .map((d) => `${d.policy}: ${d.decision}${d.detail ? ` (${d.detail})` : ''}`)
      .join('; ') || 'none',
  ]);
  details.replaceChildren(
    h('h3', {}, `${n.kind === 'command' ? 'Command' : 'Event'} ${n.type}`),
    ...(n.error ? [h('p', { class: 'error' }, `${n.error.name}: ${n.error.message}`)] : []),
    table(
      'Hops',
      ['where', 'service', 'stream', 'took', 'policy decisions'],
      hops,
      'none here (an event a command appended travels in its envelope)',
    ),
    h('h4', {}, 'Envelope'),
    h('pre', { class: 'json' }, JSON.stringify(message?.envelope ?? n, null, 2)),
  );
}
