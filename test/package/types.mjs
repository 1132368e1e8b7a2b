/**
 * Type-checks of a consumer project against the installed package, with `skipLibCheck: false`
 * (every .d.ts of the package is checked too): the README's examples and an import of every
 * entry, under `moduleResolution: bundler` (DOM, no Node types: a browser app) and `nodenext`
 * (Node types, no DOM: a server), the latter with a CommonJS file that imports the package too.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT } from './projects.mjs';

const TSC = join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc');
const STRICT = {
  target: 'ES2022',
  strict: true,
  exactOptionalPropertyTypes: true,
  noUncheckedIndexedAccess: true,
  skipLibCheck: false,
  noEmit: true,
};

/** Every subpath of the package, as `import * as` lines. */
function everyEntry() {
  const { exports } = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8'));
  const names = Object.keys(exports).map((s) => `whizbang${s.slice(1)}`);
  return `${names.map((n, i) => `import * as e${i} from '${n}';`).join('\n')}\nexport const entries: readonly object[] = [${names.map((_, i) => `e${i}`).join(', ')}];\n`;
}

/** Writes the two projects into `app`; returns { name, dir, tsc } for each. */
export function typeProjects(app, examples) {
  const projects = [
    {
      name: 'bundler',
      options: {
        ...STRICT,
        module: 'ESNext',
        moduleResolution: 'Bundler',
        lib: ['ES2023', 'DOM'],
        types: [],
      },
      examples: ['first-app', 'sqlite-node', 'indexeddb', 'wasm'],
      extra: {},
    },
    {
      name: 'nodenext',
      options: {
        ...STRICT,
        module: 'NodeNext',
        moduleResolution: 'NodeNext',
        lib: ['ES2023'],
        types: ['node'],
      },
      examples: ['first-app', 'sqlite-node', 'sqlite-bun-deno', 'wasm'],
      extra: {
        // require(esm): a CommonJS module of the consumer imports the package (Node >= 20.19)
        'required.cts':
          "import { whizbang } from 'whizbang';\nexport const app = whizbang('cjs').build();\n",
      },
    },
  ];
  return projects.map((p) => {
    const dir = join(app, `types-${p.name}`);
    mkdirSync(dir, { recursive: true });
    writeFileSync(
      join(dir, 'tsconfig.json'),
      `${JSON.stringify({ compilerOptions: p.options, include: ['*.ts', '*.cts'] }, null, 2)}\n`,
    );
    for (const name of p.examples) writeFileSync(join(dir, `${name}.ts`), examples.get(name).code);
    writeFileSync(join(dir, 'every-entry.ts'), everyEntry());
    for (const [file, text] of Object.entries(p.extra)) writeFileSync(join(dir, file), text);
    return { name: p.name, dir, tsc: TSC };
  });
}
