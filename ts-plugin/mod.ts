/**
 * `whizbang/ts-plugin`: a TypeScript language-service plugin, loaded by tsserver (VS Code and
 * every editor that uses it) from `compilerOptions.plugins` in `tsconfig.json`. On a command or
 * event definition, "Go to Implementations" (and "Go to Definition" on its declaration) lists the
 * receptors, perspectives, handlers, sagas, policies and routes that use it; its quick info shows
 * the message's flow; and diagnostics (codes 91001–91003) report an event that perspectives or
 * handlers listen to but nothing emits, and a routed or sent command that nothing answers.
 *
 * It uses the TypeScript module that tsserver hands it, never one of its own, and is CommonJS
 * (`dist/ts-plugin.cjs`) because tsserver loads plugins with `require()`.
 *
 * @example
 * ```jsonc
 * // tsconfig.json
 * { "compilerOptions": { "plugins": [{ "name": "whizbang/ts-plugin" }] } }
 * ```
 * @module
 */
import type * as TS from 'typescript';
import { diagnosticsOf } from './diagnostics.ts';
import { flowOf } from './flow.ts';
import { definitions, implementations, messageAt, targetsOf } from './navigate.ts';
import type { Checker, TypeScript } from './recognize.ts';
import { Indexer, isUserFile } from './scan.ts';

/** The plugin's options, given beside its name in `tsconfig.json`. */
export interface WhizbangPluginConfig {
  /** The plugin's name: `whizbang/ts-plugin`. */
  readonly name?: string;
  /** Report the plugin's diagnostics (default true). */
  readonly diagnostics?: boolean;
}

/** What `create` needs of tsserver's plugin info (tests pass a language service of their own). */
export interface WhizbangPluginInfo {
  /** The language service the plugin decorates. */
  readonly languageService: TS.LanguageService;
  /** The plugin's options. */
  readonly config?: WhizbangPluginConfig;
  /** Where to log a failure of the plugin (tsserver's project). */
  readonly project?: { readonly projectService: { readonly logger: { info(s: string): void } } };
}

/** The plugin tsserver makes: `create(info)` returns the decorated language service. */
export interface WhizbangPlugin {
  /** Decorates `info.languageService` with Whizbang's navigation, quick info and diagnostics. */
  create(info: WhizbangPluginInfo): TS.LanguageService;
  /** Takes new options when the editor changes them. */
  onConfigurationChanged(config: WhizbangPluginConfig): void;
}

/**
 * The plugin factory tsserver calls with its TypeScript module.
 * @example
 * ```ts
 * const plugin = init({ typescript: ts }).create({ languageService, config: {} });
 * ```
 */
export default function init(modules: { readonly typescript: TypeScript }): WhizbangPlugin {
  const ts = modules.typescript;
  let options: WhizbangPluginConfig = {};
  return {
    create(info) {
      options = info.config ?? {};
      return decorate(ts, info, () => options);
    },
    onConfigurationChanged(config) {
      options = config ?? {};
    },
  };
}

function decorate(
  ts: TypeScript,
  info: WhizbangPluginInfo,
  config: () => WhizbangPluginConfig,
): TS.LanguageService {
  const ls = info.languageService;
  const indexer = new Indexer(ts);
  const proxy = Object.create(null) as TS.LanguageService;
  for (const name of Object.keys(ls) as Array<keyof TS.LanguageService>) {
    const member = ls[name];
    (proxy as unknown as Record<string, unknown>)[name] =
      typeof member === 'function' ? (member as (...a: unknown[]) => unknown).bind(ls) : member;
  }

  /** Runs `extra` over the prior answer; a failure of the plugin leaves the answer as it was. */
  const guarded = <T>(prior: T, extra: () => T): T => {
    try {
      return extra();
    } catch (error) {
      info.project?.projectService.logger.info(
        `whizbang/ts-plugin: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`,
      );
      return prior;
    }
  };

  /** The program, its index and the message named at a position, when there is one. */
  const at = (fileName: string, position: number) => {
    const program = ls.getProgram();
    const file = program?.getSourceFile(fileName);
    if (program === undefined || file === undefined) return undefined;
    const c: Checker = { ts, checker: program.getTypeChecker() };
    const found = messageAt(c, file, position);
    if (found === undefined) return undefined;
    const index = indexer.indexOf(program);
    const node = index.messages.get(found.key);
    return node && { index, node, identifier: found.identifier };
  };

  proxy.getQuickInfoAtPosition = (fileName, position, ...rest) => {
    const prior = ls.getQuickInfoAtPosition(fileName, position, ...rest);
    if (prior === undefined) return prior;
    return guarded(prior, () => {
      const found = at(fileName, position);
      const flow = found && flowOf(found.index, found.node.key);
      if (flow === undefined) return prior;
      const documentation = [...(prior.documentation ?? [])];
      if (documentation.length > 0) documentation.push({ kind: 'lineBreak', text: '\n\n' });
      documentation.push({ kind: 'text', text: flow });
      return { ...prior, documentation };
    });
  };

  proxy.getImplementationAtPosition = (fileName, position) => {
    const prior = ls.getImplementationAtPosition(fileName, position);
    return guarded(prior, () => {
      const found = at(fileName, position);
      if (found === undefined) return prior;
      return [...(prior ?? []), ...implementations(ts, targetsOf(found.index, found.node))];
    });
  };

  proxy.getDefinitionAndBoundSpan = (fileName, position) => {
    const prior = ls.getDefinitionAndBoundSpan(fileName, position);
    if (prior?.definitions === undefined) return prior;
    return guarded(prior, () => {
      // on the definition's own name, "Go to Definition" lists what uses it (as a peek)
      const own = prior.definitions?.some(
        (d) =>
          d.fileName === fileName &&
          d.textSpan.start <= position &&
          position <= d.textSpan.start + d.textSpan.length,
      );
      const found = own ? at(fileName, position) : undefined;
      if (found === undefined) return prior;
      const more = definitions(ts, targetsOf(found.index, found.node));
      return { ...prior, definitions: [...(prior.definitions ?? []), ...more] };
    });
  };

  proxy.getSemanticDiagnostics = (fileName) => {
    const prior = ls.getSemanticDiagnostics(fileName);
    if (config().diagnostics === false) return prior;
    return guarded(prior, () => {
      const program = ls.getProgram();
      const file = program?.getSourceFile(fileName);
      if (program === undefined || file === undefined || !isUserFile(program, file)) return prior;
      return [...prior, ...diagnosticsOf(ts, indexer.indexOf(program), file)];
    });
  };

  return proxy;
}
