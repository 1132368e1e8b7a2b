/**
 * whizbang/ts-plugin from an installed package: tsserver (the TypeScript of this repository)
 * finds it in the consumer project's node_modules through the `ts-plugin/package.json` stub, as
 * an editor's tsserver does, and answers quick info with the message's flow.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { must, ROOT, run } from './projects.mjs';

const APP = `import { defineCommand, defineEvent, defineReceptor, payload } from 'whizbang';
export const Ping = defineCommand('Ping', payload<{ id: string }>());
export const Pinged = defineEvent('Pinged', payload<{ id: string }>());
export const ping = defineReceptor({ command: Ping, handle: (c) => Pinged(c.data) });
`;

/** Fails unless tsserver loads the plugin installed in `dir` and shows Ping's flow. */
export function tsPluginLoads(dir) {
  const compilerOptions = {
    target: 'ES2022',
    module: 'ESNext',
    moduleResolution: 'Bundler',
    strict: true,
    noEmit: true,
    skipLibCheck: true,
    types: [],
    plugins: [{ name: 'whizbang/ts-plugin' }],
  };
  writeFileSync(
    join(dir, 'tsconfig.json'),
    JSON.stringify({ compilerOptions, files: ['ping.ts'] }, null, 2),
  );
  const file = join(dir, 'ping.ts');
  writeFileSync(file, APP);
  const requests = [
    { command: 'open', arguments: { file } },
    // line 2, `Ping` of `export const Ping`
    { command: 'quickinfo', arguments: { file, line: 2, offset: 14 } },
  ].map((r, i) => JSON.stringify({ seq: i + 1, type: 'request', ...r }));
  // the project's node_modules as the place plugins are looked for: what a workspace TypeScript
  // installed there finds beside itself
  const result = must(
    run(
      process.execPath,
      [join(ROOT, 'node_modules/typescript/lib/tsserver.js'), '--pluginProbeLocations', dir],
      { cwd: dir, input: `${requests.join('\n')}\n` },
    ),
    'tsserver',
  );
  const info = result.stdout
    .split('\n')
    .filter((line) => line.startsWith('{'))
    .map((line) => JSON.parse(line))
    .find((m) => m.type === 'response' && m.request_seq === 2);
  if (!/- command `Ping` → receptor `ping`/.test(info?.body?.documentation ?? '')) {
    throw new Error(`tsserver's quick info on Ping has no flow: ${JSON.stringify(info)}`);
  }
}
