/**
 * A message's flow as quick info shows it (Markdown): what creates it, then what follows from it —
 * command → receptor → events → perspectives, handlers and sagas → the commands they send — a few
 * levels deep, each message once.
 */
import { describePart, type MessageIndex, type MessageNode, type Part } from './model.ts';

/** How many levels below the hovered message the flow goes. */
const DEPTH = 4;

const label = (node: MessageNode): string => `${node.kind} \`${node.type}\``;

const list = (parts: readonly Part[]): string => parts.map(describePart).join(', ');

function unique(parts: readonly Part[]): Part[] {
  return [...new Set(parts)];
}

/** What a message goes to: its receptor (commands) or its listeners (events). */
function targets(node: MessageNode): Part[] {
  return node.kind === 'command'
    ? node.receptors
    : unique(node.listeners.map((listener) => listener.part));
}

function line(index: MessageIndex, node: MessageNode): string {
  const to = targets(node);
  let text = label(node);
  if (to.length > 0) text += ` → ${list(to)}`;
  else if (node.kind === 'command' && node.routes.length > 0)
    text += ` → routed to ${node.routes.map((r) => `'${r.to}'`).join(', ')}`;
  else text += node.kind === 'command' ? ' → no receptor' : ' → nothing listens';
  if (node.kind === 'command') {
    const policies = unique([...node.policies, ...index.globalPolicies]);
    if (policies.length > 0) text += ` · policies: ${policies.map((p) => p.name).join(', ')}`;
  }
  return text;
}

function below(
  index: MessageIndex,
  node: MessageNode,
  depth: number,
  seen: Set<string>,
  out: string[],
): void {
  const indent = '  '.repeat(depth);
  if (seen.has(node.key)) {
    out.push(`${indent}- ${label(node)} (above)`);
    return;
  }
  seen.add(node.key);
  out.push(`${indent}- ${line(index, node)}`);
  if (depth >= DEPTH) return;
  const next = new Set<string>();
  for (const part of targets(node)) for (const key of part.creates) next.add(key);
  for (const key of next) {
    const child = index.messages.get(key);
    if (child !== undefined) below(index, child, depth + 1, seen, out);
  }
}

/** The flow of the message `key` as Markdown, or undefined when the index does not know it. */
export function flowOf(index: MessageIndex, key: string): string | undefined {
  const node = index.messages.get(key);
  if (node === undefined) return undefined;
  const out = ['**Whizbang flow**', ''];
  if (node.creators.length > 0) {
    const verb = node.kind === 'command' ? 'sent by' : 'emitted by';
    out.push(`${verb} ${list(node.creators)}`, '');
  }
  below(index, node, 0, new Set(), out);
  return out.join('\n');
}
