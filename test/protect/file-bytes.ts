/** What the raw-bytes checks of `whizbang/protect` read of a SQLite file. */
import { existsSync, readFileSync } from 'node:fs';

/** The bytes of a SQLite file and of its WAL, as one latin1 text to search for values in clear. */
export const bytesOf = (path: string): string =>
  [path, `${path}-wal`]
    .filter((p) => existsSync(p))
    .map((p) => readFileSync(p).toString('latin1'))
    .join('');
