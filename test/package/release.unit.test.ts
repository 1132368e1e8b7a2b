/**
 * `npm run release`: the version bump in both manifests and the changelog's roll, as the release
 * script makes them (it publishes nothing; these are its pure parts).
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
// @ts-expect-error a script of the repository, plain JavaScript without declarations
import { isNewer, withRelease, withVersion } from '../../scripts/release-lib.mjs';

const root = new URL('../../', import.meta.url);

describe('the release script', () => {
  it('takes only a version after the current one', () => {
    expect(isNewer('0.2.0', '0.1.0')).toBe(true);
    expect(isNewer('0.1.1', '0.1.0')).toBe(true);
    expect(isNewer('1.0.0', '0.9.9')).toBe(true);
    expect(isNewer('0.1.0', '0.1.0-rc.1')).toBe(true);
    expect(isNewer('0.1.0-rc.2', '0.1.0-rc.1')).toBe(true);
    expect(isNewer('0.1.0-rc.10', '0.1.0-rc.9')).toBe(true);
    expect(isNewer('0.1.0', '0.1.0')).toBe(false);
    expect(isNewer('0.0.9', '0.1.0')).toBe(false);
    expect(isNewer('0.1.0-rc.1', '0.1.0')).toBe(false);
    expect(isNewer('v0.2.0', '0.1.0')).toBe(false);
    expect(isNewer('0.2', '0.1.0')).toBe(false);
  });

  it('sets the version of both manifests, and nothing else', () => {
    for (const name of ['package.json', 'jsr.json']) {
      const text = readFileSync(new URL(name, root), 'utf8');
      const bumped = withVersion(text, '9.8.7') as string;
      expect(JSON.parse(bumped).version).toBe('9.8.7');
      expect({ ...JSON.parse(bumped), version: undefined }).toEqual({
        ...JSON.parse(text),
        version: undefined,
      });
      expect(bumped.split('\n').length).toBe(text.split('\n').length);
    }
    expect(() => withVersion('{ "name": "x" }', '1.0.0')).toThrow(/no "version"/);
  });

  it('moves the Unreleased section under the version, and refuses an empty one', () => {
    const text =
      '# Changelog\n\n## [Unreleased]\n\n- a fix\n\n## [0.1.0] - 2026-01-01\n\n- first\n';
    expect(withRelease(text, '0.2.0', '2026-02-03')).toBe(
      '# Changelog\n\n## [Unreleased]\n\n## [0.2.0] - 2026-02-03\n\n- a fix\n\n## [0.1.0] - 2026-01-01\n\n- first\n',
    );
    expect(() =>
      withRelease('# Changelog\n\n## [Unreleased]\n\n## [0.1.0]\n', '0.2.0', 'd'),
    ).toThrow(/empty/);
    expect(() => withRelease('# Changelog\n', '0.2.0', 'd')).toThrow(/no "## \[Unreleased\]"/);
    // the repository's changelog can be released as it is
    const changelog = readFileSync(new URL('CHANGELOG.md', root), 'utf8');
    expect(withRelease(changelog, '0.1.0', '2026-01-01')).toContain('## [0.1.0] - 2026-01-01');
  });
});
