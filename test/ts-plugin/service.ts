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
}

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
  const host: ts.LanguageServiceHost = {
    getCompilationSettings: () => parsed.options,
    getScriptFileNames: () => parsed.fileNames,
    getScriptVersion: () => '1',
    getScriptSnapshot: (file) =>
      ts.sys.fileExists(file)
        ? ts.ScriptSnapshot.fromString(ts.sys.readFile(file) ?? '')
        : undefined,
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
  return {
    service,
    plain,
    file,
    at(n, text, nth = 0, plus = 0) {
      const source = readFileSync(file(n), 'utf8');
      let offset = -1;
      for (let i = 0; i <= nth; i++) {
        offset = source.indexOf(text, offset + 1);
        if (offset < 0) throw new Error(`"${text}" #${nth} is not in ${n}`);
      }
      return offset + plus;
    },
  };
}
