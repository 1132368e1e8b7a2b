// `npm run build:component`: the core as a WebAssembly Component (core-wasm/wit/whizbang.wit) for
// hosts that are not JavaScript, made offline with jco's JS API (its `embed` CLI is broken in
// 1.35): AssemblyScript builds the canonical-ABI module, its exports are renamed to the WIT names
// in the text format, then the WIT is embedded and the component made.
import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { componentEmbed, componentNew, componentWit, parse, print } from '@bytecodealliance/jco';

const here = (path) => fileURLToPath(new URL(path, import.meta.url));
const NAMES = {
  c_crc32c: 'crc32c',
  c_fnv1a: 'fnv1a',
  c_check_segment: 'check-segment',
  c_seal_record: 'seal-record',
  c_seal_segment: 'seal-segment',
};

/** Builds the component; returns its bytes (also written to core-wasm/build/). */
export async function buildComponent() {
  const asc = spawnSync(
    here('../node_modules/.bin/asc'),
    [
      here('assembly/component.ts'),
      '--outFile',
      here('build/component-core.wasm'),
      '-O3',
      '--noAssert',
      '--runtime',
      'stub',
      '--enable',
      'simd',
      '--maximumMemory',
      '16384',
      '--use',
      'abort=',
    ],
    { stdio: 'inherit' },
  );
  if (asc.status !== 0) throw new Error('asc failed');
  let wat = await print(readFileSync(here('build/component-core.wasm')));
  // keep only the canonical-ABI exports, under their WIT names
  wat = wat.replace(/^\s*\(export "(\w+)" \((func|memory) [^)]*\)\)\n/gm, (line, name) => {
    if (name in NAMES)
      return line.replace(`"${name}"`, `"whizbang:core/envelopes@1.0.0#${NAMES[name]}"`);
    return name === 'memory' || name === 'cabi_realloc' ? line : '';
  });
  const core = await parse(wat);
  const embedded = await componentEmbed({
    binary: core,
    witSource: readFileSync(here('wit/whizbang.wit'), 'utf8'),
    world: 'core',
    stringEncoding: 'utf8',
  });
  const component = await componentNew(embedded);
  writeFileSync(here('build/whizbang-component.wasm'), component);
  return component;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const component = await buildComponent();
  console.log(`core-wasm/build/whizbang-component.wasm: ${component.length} bytes`);
  console.log(await componentWit(component));
}
