/**
 * `whizbang/ts-plugin`: a TypeScript language-service plugin, loaded by tsserver from
 * `compilerOptions.plugins` in `tsconfig.json` (`{ "name": "whizbang/ts-plugin" }`). On a command
 * or event definition, "Go to Implementations" lists the receptors, perspectives, handlers, sagas,
 * policies and routes that use it; quick info shows the message's flow; diagnostics 91001–91003
 * report an event nothing emits and a command nothing answers.
 *
 * The types of dist/ts-plugin.cjs (CommonJS: tsserver loads plugins with require()), kept equal
 * to ts-plugin/mod.ts's by test/ts-plugin/types.unit.test.ts.
 */
import type * as TS from 'typescript';

/** The plugin factory tsserver calls with its TypeScript module. */
declare function init(modules: { readonly typescript: typeof TS }): init.WhizbangPlugin;

declare namespace init {
  /** The plugin's options, given beside its name in `tsconfig.json`. */
  interface WhizbangPluginConfig {
    /** The plugin's name: `whizbang/ts-plugin`. */
    readonly name?: string;
    /** Report the plugin's diagnostics (default true). */
    readonly diagnostics?: boolean;
  }
  /** What `create` needs of tsserver's plugin info. */
  interface WhizbangPluginInfo {
    /** The language service the plugin decorates. */
    readonly languageService: TS.LanguageService;
    /** The plugin's options. */
    readonly config?: WhizbangPluginConfig;
    /** Where to log a failure of the plugin (tsserver's project). */
    readonly project?: { readonly projectService: { readonly logger: { info(s: string): void } } };
  }
  /** The plugin tsserver makes: `create(info)` returns the decorated language service. */
  interface WhizbangPlugin {
    /** Decorates `info.languageService` with Whizbang's navigation, quick info and diagnostics. */
    create(info: WhizbangPluginInfo): TS.LanguageService;
    /** Takes new options when the editor changes them. */
    onConfigurationChanged(config: WhizbangPluginConfig): void;
  }
}

export = init;
