/**
 * Real tsserver (node_modules/typescript/lib/tsserver.js, spoken to over stdio) loads the plugin
 * the way an editor's does: from `compilerOptions.plugins` in the fixture's tsconfig, resolved as
 * `whizbang/ts-plugin` in a node_modules folder laid out as the npm package is (the
 * `ts-plugin/package.json` stub pointing at the CommonJS build), and its quick info and
 * diagnostics come back through the protocol.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build, type Options } from 'tsup';
import { afterAll, beforeAll, expect, it } from 'vitest';
import tsupConfig from '../../tsup.config.ts';
import { fixture } from './service.ts';

const root = fileURLToPath(new URL('../../', import.meta.url));
let probe: string;
let server: ChildProcess;
const answers = new Map<number, (body: unknown) => void>();
let seq = 0;

/** Sends a request and resolves with its response's body. */
function request(command: string, args: unknown): Promise<any> {
  const id = ++seq;
  const answered = new Promise((resolve) => answers.set(id, resolve));
  server.stdin!.write(
    `${JSON.stringify({ seq: id, type: 'request', command, arguments: args })}\n`,
  );
  return answered;
}

beforeAll(async () => {
  // the package as npm installs it: package.json, the stub tsserver resolves, the CommonJS build
  probe = mkdtempSync(join(tmpdir(), 'whizbang-tsserver-'));
  const pkg = join(probe, 'node_modules', 'whizbang');
  mkdirSync(join(pkg, 'ts-plugin'), { recursive: true });
  copyFileSync(join(root, 'package.json'), join(pkg, 'package.json'));
  for (const file of ['package.json', 'index.d.cts'])
    copyFileSync(join(root, 'ts-plugin', file), join(pkg, 'ts-plugin', file));
  const options = (tsupConfig as Options[]).find(
    (o) => typeof o.entry === 'object' && 'ts-plugin' in (o.entry as object),
  );
  await build({ ...options, config: false, dts: false, silent: true, outDir: join(pkg, 'dist') });

  server = spawn(
    process.execPath,
    [join(root, 'node_modules/typescript/lib/tsserver.js'), '--pluginProbeLocations', probe],
    { stdio: ['pipe', 'pipe', 'inherit'] },
  );
  let buffer = '';
  server.stdout!.setEncoding('utf8');
  server.stdout!.on('data', (chunk: string) => {
    buffer += chunk;
    for (;;) {
      const header = /Content-Length: (\d+)\r\n\r\n/.exec(buffer);
      if (header === null) return;
      const start = header.index + header[0].length;
      const body = Buffer.from(buffer.slice(start), 'utf8');
      const length = Number(header[1]);
      if (body.length < length) return;
      const message = JSON.parse(body.subarray(0, length).toString('utf8'));
      buffer = body.subarray(length).toString('utf8');
      if (message.type === 'response') answers.get(message.request_seq)?.(message.body);
    }
  });
}, 120_000);

afterAll(() => {
  server?.kill();
  rmSync(probe, { recursive: true, force: true });
});

it('tsserver loads whizbang/ts-plugin from tsconfig.json and answers with its quick info', async () => {
  const messages = join(fixture('bank'), 'messages.ts');
  const app = join(fixture('bank'), 'app.ts');
  await request('open', { file: messages });
  await request('open', { file: app });
  // `export const Deposit = …`: line and 1-based offset of `Deposit`
  const lines = readFileSync(messages, 'utf8').split('\n');
  const line = lines.findIndex((l) => l.includes('const Deposit ='));
  const offset = lines[line]!.indexOf('Deposit') + 1;
  const info = await request('quickinfo', { file: messages, line: line + 1, offset });
  expect(info.displayString).toMatch(/^const Deposit: CommandDefinition<"Deposit"/);
  expect(info.documentation).toMatch(/- command `Deposit` → receptor `deposit` \(app\.ts:\d+\)/);
  const diagnostics = await request('semanticDiagnosticsSync', { file: app });
  expect(diagnostics.map((d: { code: number }) => d.code).sort()).toEqual([91001, 91002, 91003]);
}, 120_000);

// tsserver resolves without package exports, Node resolves with them: both reach the same files
it("the stub tsserver resolves names the files of package.json's ./ts-plugin export", () => {
  const stub = JSON.parse(readFileSync(join(root, 'ts-plugin/package.json'), 'utf8'));
  const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
  const exported = pkg.exports['./ts-plugin'];
  expect(stub.main).toBe(exported.default.replace(/^\./, '..'));
  expect(stub.types).toBe(exported.types.replace(/^\.\/ts-plugin/, '.'));
  expect(pkg.files).toEqual(
    expect.arrayContaining(['dist', 'ts-plugin/package.json', 'ts-plugin/index.d.cts']),
  );
});
