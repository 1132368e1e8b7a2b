// `npm run release -- <version> [--no-test]`: prepares a release and rehearses it, publishing
// nothing. Sets the version in package.json and jsr.json, moves CHANGELOG.md's Unreleased section
// under it, builds, runs `npm test` (unless --no-test), then `npm publish --dry-run` and
// `deno publish --dry-run`. What is left to do by hand (commit, tag, publish) is printed at the end.
import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { isNewer, withRelease, withVersion } from './release-lib.mjs';

const root = fileURLToPath(new URL('..', import.meta.url));
const args = process.argv.slice(2);
const version = args.find((a) => !a.startsWith('--'));
const file = (name) => join(root, name);
const current = JSON.parse(readFileSync(file('package.json'), 'utf8')).version;

if (version === undefined || !isNewer(version, current)) {
  console.error(`usage: npm run release -- <version>   (a semantic version after ${current})`);
  process.exit(2);
}

function step(label, cmd, cmdArgs) {
  console.log(`\n── ${label}`);
  const r = spawnSync(cmd, cmdArgs, { cwd: root, stdio: 'inherit' });
  if (r.status !== 0) {
    console.error(
      `── ${label}: failed (exit ${r.status ?? r.signal}); the version bump is left for you to fix or revert`,
    );
    process.exit(1);
  }
}

const date = new Date().toISOString().slice(0, 10);
const changelog = withRelease(readFileSync(file('CHANGELOG.md'), 'utf8'), version, date);
for (const manifest of ['package.json', 'jsr.json']) {
  writeFileSync(file(manifest), withVersion(readFileSync(file(manifest), 'utf8'), version));
}
writeFileSync(file('CHANGELOG.md'), changelog);
console.log(`${current} -> ${version} in package.json, jsr.json and CHANGELOG.md (${date})`);

const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
step('build', npm, ['run', 'build']);
if (!args.includes('--no-test')) step('npm test', npm, ['test']);
step('npm publish --dry-run', npm, ['publish', '--dry-run']);
step('deno publish --dry-run', join(root, 'node_modules', '.bin', 'deno'), [
  'publish',
  '--dry-run',
  '--allow-dirty',
]);

console.log(`
Rehearsed ${version}; nothing was published. To release it:
  git commit -am "Release ${version}" && git tag v${version}
  npm publish            # from this tree, built as above
  deno publish           # or npx jsr publish`);
