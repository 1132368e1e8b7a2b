/**
 * `npm run test:jsr` (and a step of `npm test`): what JSR scores, checked here. `deno publish
 * --dry-run` must pass with no warning (slow types, unanalyzable imports, excluded modules), and
 * `deno doc --lint` must find nothing on any entry of jsr.json (every public symbol documented,
 * no private type in a public signature). Exits 1 and prints the findings otherwise.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { DENO, ROOT, run } from './projects.mjs';

// run() sets NO_COLOR: Deno prints no escape sequences
const strip = (text) => text;
const { exports } = JSON.parse(readFileSync(join(ROOT, 'jsr.json'), 'utf8'));
let failed = 0;

const publish = run(DENO, ['publish', '--dry-run', '--allow-dirty'], { cwd: ROOT });
const publishOut = strip(`${publish.stderr}\n${publish.stdout}`);
const warnings = [...publishOut.matchAll(/^(warning|error)\[[\w-]+\][^\n]*(?:\n(?!\n)[^\n]*)*/gm)];
if (!publish.ok || warnings.length > 0) {
  failed++;
  console.log(`deno publish --dry-run: ${publish.ok ? `${warnings.length} warnings` : 'failed'}`);
  console.log(warnings.map((w) => w[0]).join('\n\n') || publishOut);
} else console.log('deno publish --dry-run: no warnings');

const lint = run(DENO, ['doc', '--lint', ...Object.values(exports)], { cwd: ROOT });
if (!lint.ok) {
  failed++;
  const out = strip(`${lint.stderr}\n${lint.stdout}`);
  const found = [...out.matchAll(/^error\[([\w-]+)\]/gm)].length;
  console.log(`deno doc --lint: ${found} findings`);
  // deno doc's own warnings (types of @types/node it does not follow) are not findings
  const findings = [...out.matchAll(/^error\[[\w-]+\][^\n]*(?:\n(?!\n)[^\n]*)*/gm)];
  console.log(
    findings
      .slice(0, 60)
      .map((f) => f[0])
      .join('\n\n'),
  );
} else console.log(`deno doc --lint: clean on ${Object.keys(exports).length} entries`);

process.exitCode = failed > 0 ? 1 : 0;
