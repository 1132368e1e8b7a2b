/**
 * The README's examples as programs a user would save: each block marked
 * `<!-- consumer: name -->` above its fence, with what it should print (the `// comment` after each
 * `console.log(…);`), and the same program as plain JavaScript for Node (ES module or CommonJS).
 */
import { readFileSync } from 'node:fs';
import ts from 'typescript';

/** The marked examples of `readmePath`: name -> { code, expected }. */
export function readmeExamples(readmePath) {
  const text = readFileSync(readmePath, 'utf8');
  const examples = new Map();
  for (const m of text.matchAll(/<!-- consumer: ([\w-]+) -->\s*```\w+\n([\s\S]*?)```/g)) {
    const code = m[2];
    const expected = [...code.matchAll(/console\.log\(.*\); \/\/ (.+)$/gm)].map((e) => e[1]);
    examples.set(m[1], { code, expected });
  }
  return examples;
}

/** Text as compared: no quotes, no whitespace, no trailing commas (Bun prints them, Node not). */
export const normalise = (text) =>
  text
    .replaceAll(/["'\s]/g, '')
    .replaceAll(/,([}\]])/g, '$1')
    .replaceAll('[Object]', '{…}');

/** Whether `printed` (the program's stdout) says what the comments say, in order. */
export function printsExpected(printed, expected) {
  return normalise(printed) === normalise(expected.join(''));
}

/** Every `'whizbang…'` specifier as `npm:whizbang…` (Deno's npm: specifiers). */
export const npmSpecifiers = (code) =>
  code.replaceAll(/from 'whizbang([/'])/g, "from 'npm:whizbang$1");

/** The TypeScript example as an ES module of JavaScript. */
export function toModule(code) {
  return ts.transpileModule(code, {
    compilerOptions: { module: ts.ModuleKind.ESNext, target: ts.ScriptTarget.ES2022 },
  }).outputText;
}

/**
 * The example as CommonJS, with `require('whizbang')`: its imports first, the rest in an async
 * function (CommonJS has no top-level await), a failure printed and turned into exit code 1.
 */
export function toCommonJs(code) {
  const imports = /^(?:import[\s\S]*?from '[^']+';\n)+/.exec(code)?.[0] ?? '';
  const body = code.slice(imports.length);
  const wrapped = `${imports}\n(async () => {\n${body}\n})().catch((error) => {\n  console.error(error);\n  process.exitCode = 1;\n});\n`;
  return ts.transpileModule(wrapped, {
    compilerOptions: { module: ts.ModuleKind.CommonJS, target: ts.ScriptTarget.ES2022 },
  }).outputText;
}
