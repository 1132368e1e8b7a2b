/**
 * A program's message index, kept up to date across edits: the language service makes a new
 * program per edit, and most files come back as the same source file objects, so each file's
 * fragment (ts-plugin/walk.ts) is walked again only when its file changed, a file it depends on
 * changed, or a file that defines messages changed (a definition's type name is every file's key).
 */
import type * as TS from 'typescript';
import { type MessageIndex, nodeOf } from './model.ts';
import type { Checker, TypeScript } from './recognize.ts';
import { type Fragment, walkFile } from './walk.ts';

/** Whether a file is the user's own source (not a declaration file or a library's). */
export function isUserFile(program: TS.Program, file: TS.SourceFile): boolean {
  return (
    !file.isDeclarationFile &&
    !program.isSourceFileFromExternalLibrary(file) &&
    !file.fileName.includes('/node_modules/')
  );
}

/** Builds and keeps the index of one project's programs. */
export class Indexer {
  readonly #ts: TypeScript;
  #files = new Map<string, { readonly file: TS.SourceFile; readonly fragment: Fragment }>();
  readonly #indexes = new WeakMap<TS.Program, MessageIndex>();
  /** How many files the last new index walked (the others' fragments were reused). */
  walked = 0;

  constructor(ts: TypeScript) {
    this.#ts = ts;
  }

  /** The index of `program`, built once per program. */
  indexOf(program: TS.Program): MessageIndex {
    let index = this.#indexes.get(program);
    if (index === undefined) {
      index = this.#build(program);
      this.#indexes.set(program, index);
    }
    return index;
  }

  #build(program: TS.Program): MessageIndex {
    const c: Checker = { ts: this.#ts, checker: program.getTypeChecker() };
    const files = program.getSourceFiles().filter((file) => isUserFile(program, file));
    const changed = new Set(this.#files.keys());
    for (const file of files) {
      if (this.#files.get(file.fileName)?.file === file) changed.delete(file.fileName);
      else changed.add(file.fileName);
    }
    const fresh = new Map<string, Fragment>();
    for (const file of files)
      if (changed.has(file.fileName)) fresh.set(file.fileName, walkFile(c, file));
    const everything = [...changed].some(
      (name) => this.#files.get(name)?.fragment.declares || fresh.get(name)?.declares,
    );
    const next = new Map<string, { file: TS.SourceFile; fragment: Fragment }>();
    for (const file of files) {
      let fragment = fresh.get(file.fileName);
      if (fragment === undefined) {
        const kept = this.#files.get(file.fileName)!.fragment;
        const stale = everything || [...kept.dependsOn].some((name) => changed.has(name));
        fragment = stale ? walkFile(c, file) : kept;
        if (stale) fresh.set(file.fileName, fragment);
      }
      next.set(file.fileName, { file, fragment });
    }
    this.#files = next;
    this.walked = fresh.size;
    return merge([...next.values()].map((entry) => entry.fragment));
  }
}

/** One index from the files' fragments. */
function merge(fragments: readonly Fragment[]): MessageIndex {
  const index: MessageIndex = { messages: new Map(), globalPolicies: [] };
  for (const { index: part } of fragments) {
    index.globalPolicies.push(...part.globalPolicies);
    for (const node of part.messages.values()) {
      const into = nodeOf(index, node.kind, node.type);
      into.declarations.push(...node.declarations);
      into.receptors.push(...node.receptors);
      into.listeners.push(...node.listeners);
      into.policies.push(...node.policies);
      into.routes.push(...node.routes);
      into.creators.push(...node.creators);
      into.createdElsewhere.push(...node.createdElsewhere);
    }
  }
  return index;
}
