/**
 * Fresh consumer projects, as users make them: the npm tarball installed with npm (offline: the
 * package has no dependencies, and optional peers are linked from this repository's node_modules
 * instead of downloaded), and the files JSR would publish, laid out as JSR serves them.
 */
import { spawnSync } from 'node:child_process';
import {
  cpSync,
  existsSync,
  mkdirSync,
  readFileSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
export const DENO = join(ROOT, 'node_modules', '.bin', 'deno');
export const BUN = join(ROOT, 'node_modules', '.bin', 'bun');

/** Runs a command; resolves its exit status and output (never throws for a failure of the command). */
export function run(cmd, args, { cwd, env, timeout = 120_000, input } = {}) {
  const r = spawnSync(cmd, args, {
    cwd,
    input,
    env: { ...process.env, NO_COLOR: '1', ...env },
    encoding: 'utf8',
    timeout,
    maxBuffer: 64 * 1024 * 1024,
  });
  return {
    ok: r.status === 0,
    status: r.status ?? r.signal,
    stdout: r.stdout ?? '',
    stderr: r.stderr ?? String(r.error ?? ''),
  };
}

/** Fails with the command's output when it did not exit 0. */
export function must(result, what) {
  if (!result.ok) {
    throw new Error(`${what} failed (exit ${result.status}):\n${result.stderr}\n${result.stdout}`);
  }
  return result;
}

/** `npm pack` of the package in `dir` into `into`; returns the tarball's path and its file list. */
export function pack(dir, into) {
  const r = must(
    run(npm, ['pack', '--json', '--pack-destination', into], { cwd: dir }),
    'npm pack',
  );
  const [info] = JSON.parse(r.stdout.slice(r.stdout.indexOf('[')));
  return { tarball: join(into, info.filename), files: info.files.map((f) => f.path) };
}

/** Peers linked into consumer projects (from this repository's node_modules, not downloaded). */
export const PEERS = [
  'better-sqlite3',
  '@opentelemetry/api',
  '@faker-js/faker',
  '@nats-io/nats-core',
  '@nats-io/jetstream',
  '@nats-io/kv',
  '@nats-io/transport-node',
  '@types/node',
  'react',
  '@types/react',
];

/**
 * A fresh project in `dir` (`type` "module" or "commonjs") with `tarball` installed by npm, and
 * the `peers` linked in.
 */
export function npmProject(dir, tarball, { type = 'module', peers = PEERS } = {}) {
  mkdirSync(dir, { recursive: true });
  writeFileSync(
    join(dir, 'package.json'),
    `${JSON.stringify({ name: 'consumer', private: true, type }, null, 2)}\n`,
  );
  must(
    run(
      npm,
      [
        'install',
        '--offline',
        '--no-audit',
        '--no-fund',
        '--ignore-scripts',
        '--no-package-lock',
        tarball,
      ],
      { cwd: dir },
    ),
    `npm install ${tarball}`,
  );
  for (const peer of peers) {
    const target = join(dir, 'node_modules', peer);
    if (existsSync(target)) continue;
    mkdirSync(dirname(target), { recursive: true });
    symlinkSync(join(ROOT, 'node_modules', peer), target, 'dir');
  }
  return dir;
}

/** The files `deno publish` would upload, as it lists them in a dry run (relative paths). */
export function jsrFiles(dir = ROOT) {
  const r = must(
    run(DENO, ['publish', '--dry-run', '--allow-dirty', '--no-check'], { cwd: dir }),
    'deno publish --dry-run',
  );
  const prefix = `file://${dir.endsWith('/') ? dir : `${dir}/`}`;
  return [...`${r.stdout}\n${r.stderr}`.matchAll(/(file:\/\/\S+) \(/g)]
    .map((m) => m[1])
    .filter((url) => url.startsWith(prefix))
    .map((url) => decodeURIComponent(url.slice(prefix.length)));
}

/**
 * The package as JSR serves it: the published files under `dir`, with its config as `deno.json`
 * (a `links` member of a Deno project must have one; JSR reads the same fields from jsr.json).
 */
export function jsrLayout(dir, files, from = ROOT) {
  rmSync(dir, { recursive: true, force: true });
  for (const file of files) {
    mkdirSync(dirname(join(dir, file)), { recursive: true });
    cpSync(join(from, file), join(dir, file));
  }
  writeFileSync(join(dir, 'deno.json'), readFileSync(join(dir, 'jsr.json')));
  return dir;
}

/** A Deno project that imports `whizbang` from JSR (`deno add --unscoped`), linked to `layout`. */
export function denoJsrProject(dir, layout) {
  const { name, version } = JSON.parse(readFileSync(join(layout, 'jsr.json'), 'utf8'));
  mkdirSync(dir, { recursive: true });
  const config = { imports: { whizbang: `jsr:${name}@^${version}` }, links: [layout] };
  writeFileSync(join(dir, 'deno.json'), `${JSON.stringify(config, null, 2)}\n`);
  return dir;
}
