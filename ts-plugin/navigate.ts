/**
 * From a position in a file to the message definition named there, and from a message to the
 * places that use it: its receptor, the perspectives, handlers and sagas that listen to it, the
 * parts that create it, the policies and routes that name it.
 */
import type * as TS from 'typescript';
import { keyOf, type MessageIndex, type MessageNode, type Part, type Site } from './model.ts';
import { type Checker, definitionOf, type TypeScript } from './recognize.ts';

/** The innermost identifier at `position`, if any. */
export function identifierAt(
  ts: TypeScript,
  file: TS.SourceFile,
  position: number,
): TS.Identifier | undefined {
  let found: TS.Identifier | undefined;
  const visit = (node: TS.Node): void => {
    if (position < node.getStart(file) || position > node.getEnd()) return;
    if (ts.isIdentifier(node)) found = node;
    ts.forEachChild(node, visit);
  };
  visit(file);
  return found;
}

/** The message definition named at `position` (its key), if the identifier there is one. */
export function messageAt(
  c: Checker,
  file: TS.SourceFile,
  position: number,
): { readonly key: string; readonly identifier: TS.Identifier } | undefined {
  const identifier = identifierAt(c.ts, file, position);
  if (identifier === undefined) return undefined;
  const definition = definitionOf(c, identifier);
  return definition && { key: keyOf(definition.kind, definition.type), identifier };
}

/** A place that uses a message, as navigation lists it. */
export interface Target {
  /** The part's site. */
  readonly site: Site;
  /** What it is, for display: `receptor deposit`. */
  readonly text: string;
}

/** Every part that uses `node`, each place once, in the order: answers, listens, creates, rules. */
export function targetsOf(index: MessageIndex, node: MessageNode): Target[] {
  const parts: Array<{ part: Part; site: Site; verb: string }> = [
    ...node.receptors.map((part) => ({ part, site: part.site, verb: 'answers' })),
    ...node.listeners.map(({ part }) => ({ part, site: part.site, verb: 'listens to' })),
    ...node.creators.map((part) => ({
      part,
      site: part.site,
      verb: node.kind === 'command' ? 'sends' : 'emits',
    })),
    ...node.policies.map((part) => ({ part, site: part.site, verb: 'applies to' })),
    ...(node.kind === 'command' ? index.globalPolicies : []).map((part) => ({
      part,
      site: part.site,
      verb: 'applies to',
    })),
    ...node.routes.map(({ part }) => ({ part, site: part.site, verb: 'routes' })),
  ];
  const seen = new Set<string>();
  const out: Target[] = [];
  for (const { part, site, verb } of parts) {
    const id = `${site.fileName}:${site.start}`;
    if (seen.has(id)) continue;
    seen.add(id);
    out.push({ site, text: `${part.role} ${part.name} ${verb} ${node.kind} ${node.type}` });
  }
  return out;
}

/** Targets as the language service's implementation locations. */
export function implementations(
  ts: TypeScript,
  targets: readonly Target[],
): TS.ImplementationLocation[] {
  return targets.map((t) => ({
    fileName: t.site.fileName,
    textSpan: { start: t.site.start, length: t.site.length },
    kind: ts.ScriptElementKind.constElement,
    displayParts: [{ text: t.text, kind: 'text' }],
  }));
}

/** Targets as the language service's definitions. */
export function definitions(ts: TypeScript, targets: readonly Target[]): TS.DefinitionInfo[] {
  return targets.map((t) => ({
    fileName: t.site.fileName,
    textSpan: { start: t.site.start, length: t.site.length },
    kind: ts.ScriptElementKind.constElement,
    name: t.text,
    containerKind: ts.ScriptElementKind.unknown,
    containerName: '',
  }));
}
