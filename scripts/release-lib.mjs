// What `npm run release` changes, as pure functions of the files' text (tested in
// test/package/release.unit.test.ts).

const SEMVER = /^(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)(?:-([0-9A-Za-z.-]+))?$/;

/** Whether `next` is a version after `current` (semantic versioning, pre-releases before releases). */
export function isNewer(next, current) {
  const a = SEMVER.exec(next);
  const b = SEMVER.exec(current);
  if (a === null || b === null) return false;
  for (let i = 1; i <= 3; i++) {
    if (Number(a[i]) !== Number(b[i])) return Number(a[i]) > Number(b[i]);
  }
  if (a[4] === b[4]) return false;
  if (a[4] === undefined) return true;
  if (b[4] === undefined) return false;
  return a[4].localeCompare(b[4], 'en', { numeric: true }) > 0;
}

/** A manifest's JSON text (package.json, jsr.json) with its version set, formatting kept. */
export function withVersion(text, version) {
  let replaced = 0;
  const out = text.replace(/^(\s*"version":\s*)"[^"]*"/m, (_, head) => {
    replaced++;
    return `${head}"${version}"`;
  });
  if (replaced !== 1) throw new Error('the manifest has no "version" field');
  return out;
}

/**
 * The changelog with its Unreleased section moved under `version` (dated `date`), and a new empty
 * Unreleased section above it. Refuses an empty Unreleased section: a release says what changed.
 */
export function withRelease(text, version, date) {
  const heading = /^## \[Unreleased\]\s*$/m;
  const match = heading.exec(text);
  if (match === null) throw new Error('CHANGELOG.md has no "## [Unreleased]" section');
  const rest = text.slice(match.index + match[0].length);
  const next = /^## \[/m.exec(rest);
  const body = next === null ? rest : rest.slice(0, next.index);
  if (body.trim() === '') throw new Error('the Unreleased section of CHANGELOG.md is empty');
  return `${text.slice(0, match.index)}## [Unreleased]\n\n## [${version}] - ${date}\n${rest}`;
}
