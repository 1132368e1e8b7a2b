/**
 * The plugin's diagnostics, each with a stable code (91001–91099, reserved for Whizbang) and a
 * message that says what to do:
 *
 * - 91001: a perspective, handler or saga listens to an event that no receptor emits and nothing
 *   in the program creates;
 * - 91002: a command is routed (`.route(Command, …)`) but no receptor in the program answers it;
 * - 91003: a receptor, handler or saga sends a command that no receptor answers and no route
 *   sends out (it would fail at run time with no handler).
 */
import type * as TS from 'typescript';
import type { MessageIndex, Site } from './model.ts';
import type { TypeScript } from './recognize.ts';

/** The codes of the plugin's diagnostics. */
export const CODES = {
  /** A perspective, handler or saga listens to an event nothing emits. */
  unemittedEvent: 91001,
  /** A routed command nothing answers. */
  unansweredRoute: 91002,
  /** A command sent by a part that nothing answers and nothing routes. */
  unansweredCommand: 91003,
} as const;

interface Finding {
  readonly site: Site;
  readonly code: number;
  readonly text: string;
}

function findings(index: MessageIndex): Finding[] {
  const out: Finding[] = [];
  for (const node of index.messages.values()) {
    if (node.kind === 'event' && node.creators.length === 0 && node.createdElsewhere.length === 0) {
      for (const { part, ref } of node.listeners) {
        out.push({
          site: ref,
          code: CODES.unemittedEvent,
          text: `${part.role} '${part.name}' listens to event '${node.type}', which no receptor emits and nothing in this program publishes: return ${node.type}(…) from a receptor (or publish it), or stop listening to it.`,
        });
      }
    }
    if (node.kind !== 'command' || node.receptors.length > 0) continue;
    for (const { part, to } of node.routes) {
      out.push({
        site: part.site,
        code: CODES.unansweredRoute,
        text: `Command '${node.type}' is routed to '${to}' but no receptor in this program answers it: define one with defineReceptor({ command: ${node.type}, … }) in the app that receives the route, or remove the route.`,
      });
    }
    if (node.routes.length > 0) continue;
    for (const part of node.creators) {
      out.push({
        site: part.site,
        code: CODES.unansweredCommand,
        text: `${part.role} '${part.name}' sends command '${node.type}', which no receptor answers and no route sends out: define a receptor for it, or route it with .route(${node.type}, { to: 'outbox' }).`,
      });
    }
  }
  return out;
}

const cache = new WeakMap<MessageIndex, Finding[]>();

/** The plugin's diagnostics located in `file`. */
export function diagnosticsOf(
  ts: TypeScript,
  index: MessageIndex,
  file: TS.SourceFile,
): TS.Diagnostic[] {
  let all = cache.get(index);
  if (all === undefined) {
    all = findings(index);
    cache.set(index, all);
  }
  return all
    .filter((f) => f.site.fileName === file.fileName)
    .map((f) => ({
      file,
      start: f.site.start,
      length: f.site.length,
      messageText: f.text,
      category: ts.DiagnosticCategory.Warning,
      code: f.code,
      source: 'whizbang',
    }));
}
