/**
 * Recognises Whizbang's definitions through the type checker: a message definition is a value
 * whose type is callable and has `kind` ('command' | 'event'), a literal `type`, `upcasters` and
 * `is` (what `defineCommand` and `defineEvent` return), however it is named, imported or passed
 * along; the library's functions and builder methods are recognised by their resolved symbols.
 */
import type * as TS from 'typescript';
import type { MessageKind, Site } from './model.ts';

/** The TypeScript module the host gave the plugin (tsserver's own copy, never imported). */
export type TypeScript = typeof TS;

/** The kind and type name of a message definition. */
export interface DefinitionType {
  /** Command or event. */
  readonly kind: MessageKind;
  /** Its type name. */
  readonly type: string;
}

/** The checker and module a scan works with. */
export interface Checker {
  /** The TypeScript module. */
  readonly ts: TypeScript;
  /** The program's type checker. */
  readonly checker: TS.TypeChecker;
}

function literalOf(c: Checker, type: TS.Type, name: string, at: TS.Node): string | undefined {
  const property = c.checker.getPropertyOfType(type, name);
  if (property === undefined) return undefined;
  const value = c.checker.getTypeOfSymbolAtLocation(property, at);
  return value.isStringLiteral() ? value.value : undefined;
}

/** The message type `type` defines, when it is a message definition's type. */
export function definitionOfType(
  c: Checker,
  type: TS.Type,
  at: TS.Node,
): DefinitionType | undefined {
  if (type.getCallSignatures().length === 0) return undefined;
  if (!c.checker.getPropertyOfType(type, 'upcasters') || !c.checker.getPropertyOfType(type, 'is'))
    return undefined;
  const kind = literalOf(c, type, 'kind', at);
  const name = literalOf(c, type, 'type', at);
  if ((kind !== 'command' && kind !== 'event') || name === undefined) return undefined;
  return { kind, type: name };
}

/** The message type an expression holds, when it is a message definition. */
export function definitionOf(c: Checker, node: TS.Node): DefinitionType | undefined {
  return definitionOfType(c, c.checker.getTypeAtLocation(node), node);
}

/**
 * Whether a call's callee may be a message definition, asked of its symbol before its type (most
 * calls are to functions and methods, whose declarations say so without inferring anything).
 */
export function mayCreate(c: Checker, callee: TS.Expression): boolean {
  const { ts, checker } = c;
  const at = ts.isPropertyAccessExpression(callee) ? callee.name : callee;
  if (!ts.isIdentifier(at)) return false;
  let symbol = checker.getSymbolAtLocation(at);
  if (symbol !== undefined && symbol.flags & ts.SymbolFlags.Alias)
    symbol = checker.getAliasedSymbol(symbol);
  const declaration = symbol?.valueDeclaration;
  // no symbol: nothing known to call; a symbol with no value declaration to judge by: ask its type
  if (declaration === undefined) return symbol !== undefined;
  if (ts.isFunctionLike(declaration) || ts.isClassLike(declaration)) return false;
  if (ts.isVariableDeclaration(declaration) || ts.isPropertyAssignment(declaration)) {
    const init = declaration.initializer;
    if (init !== undefined && (ts.isArrowFunction(init) || ts.isFunctionExpression(init)))
      return false;
  }
  return true;
}

/**
 * The message definitions an expression names: one definition, an array literal of them, or any
 * expression typed as a tuple or array of definitions. Each comes with the node that names it.
 */
export function definitionsIn(
  c: Checker,
  node: TS.Expression,
): Array<{ readonly definition: DefinitionType; readonly node: TS.Node }> {
  const { ts, checker } = c;
  if (ts.isArrayLiteralExpression(node))
    return node.elements.flatMap((element) =>
      ts.isSpreadElement(element)
        ? definitionsIn(c, element.expression)
        : definitionsIn(c, element),
    );
  const single = definitionOf(c, node);
  if (single !== undefined) return [{ definition: single, node }];
  const type = checker.getTypeAtLocation(node);
  if (!checker.isArrayType(type) && !checker.isTupleType(type)) return [];
  const found: Array<{ definition: DefinitionType; node: TS.Node }> = [];
  for (const element of checker.getTypeArguments(type as TS.TypeReference)) {
    for (const member of element.isUnion() ? element.types : [element]) {
      const definition = definitionOfType(c, member, node);
      if (definition !== undefined) found.push({ definition, node });
    }
  }
  return found;
}

const DEFINERS = new Set([
  'defineCommand',
  'defineEvent',
  'defineReceptor',
  'definePerspective',
  'defineSaga',
]);

/** The declaration a call resolves to: a function's name (`defineReceptor`) after aliases. */
export function calleeName(c: Checker, call: TS.CallExpression): string | undefined {
  const { ts, checker } = c;
  const callee = call.expression;
  // `wb.defineReceptor(…)` keeps its name; an identifier may be a renamed import, so it is resolved
  if (ts.isPropertyAccessExpression(callee) && !DEFINERS.has(callee.name.text)) return undefined;
  const at = ts.isPropertyAccessExpression(callee) ? callee.name : callee;
  let symbol = checker.getSymbolAtLocation(at);
  if (symbol === undefined) return undefined;
  if (symbol.flags & ts.SymbolFlags.Alias) symbol = checker.getAliasedSymbol(symbol);
  return symbol.getName();
}

const BUILDER_METHODS = new Set(['on', 'policy', 'route']);

/** The method of Whizbang's app builder a call makes (`on`, `policy`, `route`), if it is one. */
export function builderMethod(c: Checker, call: TS.CallExpression): string | undefined {
  const { ts, checker } = c;
  if (!ts.isPropertyAccessExpression(call.expression)) return undefined;
  // a method's name cannot be renamed: resolve the signatures of these three only
  if (!BUILDER_METHODS.has(call.expression.name.text)) return undefined;
  const declaration = checker.getResolvedSignature(call)?.declaration;
  if (declaration === undefined || !ts.isMethodSignature(declaration)) return undefined;
  const owner = declaration.parent;
  if (!ts.isInterfaceDeclaration(owner) || owner.name.text !== 'WhizbangBuilder') return undefined;
  return call.expression.name.text;
}

/** Whether the value a call returns has all of `properties` (a Receptor, a Perspective, a Saga). */
export function returns(c: Checker, call: TS.CallExpression, properties: string[]): boolean {
  const type = c.checker.getTypeAtLocation(call);
  return properties.every((p) => c.checker.getPropertyOfType(type, p) !== undefined);
}

/** An object literal's property initialiser by name (`command: Deposit`, shorthand included). */
export function property(
  ts: TypeScript,
  object: TS.Expression | undefined,
  name: string,
): TS.Expression | undefined {
  if (object === undefined || !ts.isObjectLiteralExpression(object)) return undefined;
  for (const p of object.properties) {
    if (p.name === undefined || !ts.isIdentifier(p.name) || p.name.text !== name) continue;
    if (ts.isPropertyAssignment(p)) return p.initializer;
    if (ts.isShorthandPropertyAssignment(p)) return p.name;
    if (ts.isMethodDeclaration(p)) return p as unknown as TS.Expression;
  }
  return undefined;
}

/** The span of `node` in its file (or from `node` to the end of `to`). */
export function siteOf(node: TS.Node, to: TS.Node = node): Site {
  const file = node.getSourceFile();
  const start = node.getStart(file);
  return {
    fileName: file.fileName,
    start,
    length: to.getEnd() - start,
    line: file.getLineAndCharacterOfPosition(start).line + 1,
  };
}

/** The name a value is kept under: `const deposit = defineReceptor(…)` -> the `deposit` node. */
export function boundName(ts: TypeScript, node: TS.Node): TS.Identifier | undefined {
  let at: TS.Node = node;
  while (ts.isParenthesizedExpression(at.parent) || ts.isAsExpression(at.parent)) at = at.parent;
  const parent = at.parent;
  if (ts.isVariableDeclaration(parent) && ts.isIdentifier(parent.name)) return parent.name;
  if (ts.isPropertyAssignment(parent) && ts.isIdentifier(parent.name)) return parent.name;
  return undefined;
}

/** A string literal's text, if `node` is one. */
export function stringOf(ts: TypeScript, node: TS.Node | undefined): string | undefined {
  return node !== undefined &&
    (ts.isStringLiteral(node) || ts.isNoSubstitutionTemplateLiteral(node))
    ? node.text
    : undefined;
}
