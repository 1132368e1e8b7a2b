/**
 * The walk over one source file: finds message definitions, the receptors, perspectives, sagas,
 * event handlers, policies and routes that name them, and the messages each part creates, into
 * the file's own fragment of the index.
 */
import type * as TS from 'typescript';
import { type MessageIndex, nodeOf, type Part, type Role } from './model.ts';
import {
  boundName,
  builderMethod,
  type Checker,
  calleeName,
  definitionOf,
  definitionsIn,
  mayCreate,
  property,
  returns,
  siteOf,
  stringOf,
  type TypeScript,
} from './recognize.ts';

/** What one file says about messages, and what that depends on besides the file itself. */
export interface Fragment {
  /** The file's part of the index. */
  readonly index: MessageIndex;
  /** Whether the file defines messages (`defineCommand`, `defineEvent`). */
  readonly declares: boolean;
  /** Other files walked for this one's parts (a `handle` imported from another module). */
  readonly dependsOn: ReadonlySet<string>;
}

/** Walks `file` with the program's checker. */
export function walkFile(c: Checker, file: TS.SourceFile): Fragment {
  const index: MessageIndex = { messages: new Map(), globalPolicies: [] };
  const walker = new Walker(c, index, file.fileName);
  walker.visit(file, undefined);
  let declares = false;
  for (const node of index.messages.values()) if (node.declarations.length > 0) declares = true;
  return { index, declares, dependsOn: walker.dependsOn };
}

class Walker {
  readonly #c: Checker;
  readonly #index: MessageIndex;
  /** Nodes whose walk belongs to a part of their own (a saga's handler for one event). */
  readonly #owners = new Map<TS.Node, Part>();
  /** Functions already walked for a part (a `handle` named by identifier), once per part. */
  readonly #followed = new Set<string>();
  readonly #fileName: string;
  /** Files other than this one that were walked for its parts. */
  readonly dependsOn: Set<string> = new Set();

  constructor(c: Checker, index: MessageIndex, fileName: string) {
    this.#c = c;
    this.#index = index;
    this.#fileName = fileName;
  }

  visit(node: TS.Node, owner: Part | undefined): void {
    const { ts } = this.#c;
    owner = this.#owners.get(node) ?? owner;
    if (ts.isCallExpression(node)) {
      const part = this.#call(node, owner);
      if (part !== undefined && part !== owner) {
        // the builder chain before `.on(…)` is not the handler's: only the arguments are
        this.visit(node.expression, owner);
        for (const argument of node.arguments) this.visit(argument, part);
        return;
      }
    }
    ts.forEachChild(node, (child) => this.visit(child, owner));
  }

  /** Records what a call means; returns the part its arguments belong to, when it makes one. */
  #call(call: TS.CallExpression, owner: Part | undefined): Part | undefined {
    const c = this.#c;
    const created = mayCreate(c, call.expression) ? definitionOf(c, call.expression) : undefined;
    if (created !== undefined) {
      const node = nodeOf(this.#index, created.kind, created.type);
      if (owner !== undefined && owner.role !== 'perspective' && owner.role !== 'policy') {
        owner.creates.add(node.key);
        if (!node.creators.includes(owner)) node.creators.push(owner);
      } else node.createdElsewhere.push(siteOf(call));
      return undefined;
    }
    const method = builderMethod(c, call);
    if (method !== undefined) return this.#builderCall(method, call);
    const name = calleeName(c, call);
    const arg = call.arguments[0];
    switch (name) {
      case 'defineCommand':
      case 'defineEvent': {
        const defined = definitionOf(c, call);
        if (defined !== undefined)
          nodeOf(this.#index, defined.kind, defined.type).declarations.push(
            siteOf(boundName(c.ts, call) ?? call),
          );
        return undefined;
      }
      case 'defineReceptor':
        return returns(c, call, ['command', 'decide', 'maxRetries']) ? this.#receptor(call) : owner;
      case 'definePerspective':
        return returns(c, call, ['apply', 'events', 'types']) ? this.#perspective(call) : owner;
      case 'defineSaga':
        return returns(c, call, ['streamId', 'runTimeouts']) && arg !== undefined
          ? this.#saga(call, arg)
          : owner;
      default:
        return undefined;
    }
  }

  #part(role: Role, name: string, at: TS.Node, to: TS.Node = at): Part {
    return { role, name, site: siteOf(at, to), creates: new Set() };
  }

  /** A function named by identifier (`handle: decideDeposit`) is walked for the part too. */
  #follow(part: Part, fn: TS.Expression | undefined): void {
    const { ts, checker } = this.#c;
    if (fn === undefined || !ts.isIdentifier(fn)) return;
    let symbol = checker.getSymbolAtLocation(fn);
    if (symbol !== undefined && symbol.flags & ts.SymbolFlags.Alias)
      symbol = checker.getAliasedSymbol(symbol);
    const declaration = symbol?.valueDeclaration;
    if (declaration === undefined) return;
    const id = `${part.site.fileName}:${part.site.start}:${declaration.pos}`;
    if (this.#followed.has(id)) return;
    this.#followed.add(id);
    const from = declaration.getSourceFile().fileName;
    if (from !== this.#fileName) this.dependsOn.add(from);
    this.visit(declaration, part);
  }

  #receptor(call: TS.CallExpression): Part | undefined {
    const { ts } = this.#c;
    const options = call.arguments[0];
    const command = property(ts, options, 'command');
    const definition = command && definitionOf(this.#c, command);
    const name = boundName(ts, call)?.text ?? `${definition?.type ?? 'a command'}'s receptor`;
    const part = this.#part('receptor', name, boundName(ts, call) ?? call.expression);
    if (definition?.kind === 'command')
      nodeOf(this.#index, 'command', definition.type).receptors.push(part);
    this.#follow(part, property(ts, options, 'handle'));
    this.#follow(part, property(ts, options, 'decide'));
    return part;
  }

  /** Records the events `expression` names as listened to by `part` (or the part for each type). */
  #listen(part: Part | ((type: string) => Part), expression: TS.Expression | undefined): void {
    if (expression === undefined) return;
    for (const { definition, node } of definitionsIn(this.#c, expression)) {
      if (definition.kind !== 'event') continue;
      const listener = typeof part === 'function' ? part(definition.type) : part;
      nodeOf(this.#index, 'event', definition.type).listeners.push({
        part: listener,
        ref: siteOf(node),
      });
    }
  }

  #perspective(call: TS.CallExpression): Part {
    const { ts } = this.#c;
    const options = call.arguments[0];
    const name =
      stringOf(ts, property(ts, options, 'name')) ?? boundName(ts, call)?.text ?? 'perspective';
    const part = this.#part('perspective', name, boundName(ts, call) ?? call.expression);
    this.#listen(part, property(ts, options, 'events'));
    return part;
  }

  /**
   * A saga, with a part per handler in `on` (named for the saga, located at the handler): an
   * event's listener is the handler of that event, and what a handler sends is its own.
   */
  #saga(call: TS.CallExpression, options: TS.Expression): Part {
    const { ts } = this.#c;
    const name = stringOf(ts, property(ts, options, 'name')) ?? boundName(ts, call)?.text ?? 'saga';
    const saga = this.#part('saga', name, boundName(ts, call) ?? call.expression);
    const handlers = new Map<string, Part>();
    const on = property(ts, options, 'on');
    if (on !== undefined && ts.isObjectLiteralExpression(on)) {
      for (const handler of on.properties) {
        const key = handler.name;
        if (key === undefined || !(ts.isIdentifier(key) || ts.isStringLiteral(key))) continue;
        const part = this.#part('saga', name, key);
        handlers.set(key.text, part);
        this.#owners.set(handler, part);
      }
    }
    const partFor = (type: string): Part => handlers.get(type) ?? saga;
    this.#listen(partFor, property(ts, options, 'startedBy'));
    this.#listen(partFor, property(ts, options, 'handles'));
    return saga;
  }

  #builderCall(method: string, call: TS.CallExpression): Part | undefined {
    const c = this.#c;
    const { ts } = c;
    const [first, second] = call.arguments;
    if (first === undefined || !ts.isPropertyAccessExpression(call.expression)) return undefined;
    // `.on(…)` in a chain: the method's name to the call's end, not the chain before it
    const at = call.expression.name;
    if (method === 'on') {
      const event = definitionOf(c, first);
      if (event === undefined) return undefined;
      const named = second !== undefined && ts.isIdentifier(second) ? second.text : undefined;
      const part = this.#part('handler', named ?? `on(${event.type})`, at, call);
      this.#listen(part, first);
      // the handler's own body is walked with this part as its owner; a named one is followed
      this.#follow(part, second);
      return part;
    }
    if (method === 'policy') {
      const part = this.#part('policy', policyName(ts, first), at, call);
      const only = second !== undefined ? property(ts, second, 'for') : undefined;
      if (only === undefined) this.#index.globalPolicies.push(part);
      else
        for (const { definition } of definitionsIn(c, only))
          nodeOf(this.#index, definition.kind, definition.type).policies.push(part);
      return part;
    }
    if (method === 'route') {
      const definition = definitionOf(c, first);
      if (definition === undefined) return undefined;
      const to = stringOf(ts, property(ts, second, 'to')) ?? 'outbox';
      const part = this.#part('route', `route to '${to}'`, at, call);
      nodeOf(this.#index, definition.kind, definition.type).routes.push({ part, to });
      return undefined;
    }
    return undefined;
  }
}

/** `retry({ … })` -> `retry`; `prices` -> `prices`. */
function policyName(ts: TypeScript, expression: TS.Expression): string {
  if (ts.isCallExpression(expression)) return policyName(ts, expression.expression);
  if (ts.isIdentifier(expression)) return expression.text;
  if (ts.isPropertyAccessExpression(expression)) return expression.name.text;
  return 'policy';
}
