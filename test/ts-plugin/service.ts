/**
 * A TypeScript language service over a fixture project with the plugin applied, as tsserver
 * applies it: the plugin factory gets the TypeScript module, `create(info)` the language service.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';
import init from '../../ts-plugin/mod.ts';

/** The folder of a fixture project. */
export const fixture = (name: string): string =>
  fileURLToPath(new URL(`./fixtures/${name}/`, import.meta.url));

/** A fixture project's language service, decorated by the plugin, and helpers to find positions. */
export interface Fixture {
  readonly service: ts.LanguageService;
  /** The plain language service, without the plugin. */
  readonly plain: ts.LanguageService;
  /** The absolute name of a fixture file. */
  file(name: string): string;
  /** The offset of the `nth` (0-based) occurrence of `text` in a fixture file (+ `plus`). */
  at(name: string, text: string, nth?: number, plus?: number): number;
  /** Edits a fixture file in the service's view (the file on disk stays as it is). */
  edit(name: string, from: string, to: string): void;
}

/** Opens a fixture project (its tsconfig.json) in a language service, with and without the plugin. */
export function openFixture(name: string): Fixture {
  const dir = fixture(name);
  const configFile = join(dir, 'tsconfig.json');
  const parsed = ts.getParsedCommandLineOfConfigFile(
    configFile,
    {},
    {
      ...ts.sys,
      onUnRecoverableConfigFileDiagnostic: (d) => {
        throw new Error(ts.flattenDiagnosticMessageText(d.messageText, '\n'));
      },
    },
  );
  if (parsed === undefined) throw new Error(`cannot read ${configFile}`);
  // edited files, as an editor holds them: text and version
  const edited = new Map<string, { text: string; version: number }>();
  const host: ts.LanguageServiceHost = {
    getCompilationSettings: () => parsed.options,
    getScriptFileNames: () => parsed.fileNames,
    getScriptVersion: (file) => String(edited.get(file)?.version ?? 1),
    getScriptSnapshot: (file) => {
      const text =
        edited.get(file)?.text ?? (ts.sys.fileExists(file) ? ts.sys.readFile(file) : undefined);
      return text === undefined ? undefined : ts.ScriptSnapshot.fromString(text);
    },
    getCurrentDirectory: () => dir,
    getDefaultLibFileName: (options) => ts.getDefaultLibFilePath(options),
    fileExists: ts.sys.fileExists,
    readFile: ts.sys.readFile,
    readDirectory: ts.sys.readDirectory,
    directoryExists: ts.sys.directoryExists,
    getDirectories: ts.sys.getDirectories,
  };
  const plain = ts.createLanguageService(host, ts.createDocumentRegistry());
  const service = init({ typescript: ts }).create({ languageService: plain, config: {} });
  const file = (n: string): string => join(dir, n).replaceAll('\\', '/');
  const textOf = (n: string): string => edited.get(file(n))?.text ?? readFileSync(file(n), 'utf8');
  return {
    service,
    plain,
    file,
    edit(n, from, to) {
      const text = textOf(n);
      if (!text.includes(from)) throw new Error(`"${from}" is not in ${n}`);
      edited.set(file(n), {
        text: text.replace(from, to),
        version: (edited.get(file(n))?.version ?? 1) + 1,
      });
    },
    at(n, text, nth = 0, plus = 0) {
      const source = textOf(n);
      let offset = -1;
      for (let i = 0; i <= nth; i++) {
        offset = source.indexOf(text, offset + 1);
        if (offset < 0) throw new Error(`"${text}" #${nth} is not in ${n}`);
      }
      return offset + plus;
    },
  };
}
