/**
 * The stage of a segment file read once (stdin): the checked segments spooled to a temporary
 * file, appended from it once the whole input has passed, and the file removed either way — so
 * memory stays flat and a damaged or cut-short input writes nothing.
 */
import { once } from 'node:events';
import {
  createReadStream,
  createWriteStream,
  mkdtempSync,
  rmSync,
  type WriteStream,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { SegmentStage } from '../../js/wasm/mod.ts';

/** A stage in a temporary folder of its own, made on the first write. */
export function fileStage(root: string = tmpdir()): SegmentStage {
  let dir: string | undefined;
  let sink: WriteStream | undefined;
  const path = (): string => {
    dir ??= mkdtempSync(join(root, 'whizbang-import-'));
    return join(dir, 'staged.seg');
  };
  const opened = (): WriteStream => {
    if (sink === undefined) {
      sink = createWriteStream(path());
      // a failure is thrown by the next write or read (events.once rejects on 'error')
      sink.on('error', () => undefined);
    }
    return sink;
  };
  return {
    write: async (segment) => {
      const to = opened();
      if (to.errored !== null) throw to.errored;
      // the caller reuses the bytes once this settles: the stream gets its own copy
      if (!to.write(segment.slice())) await once(to, 'drain');
    },
    read: async () => {
      if (sink === undefined) return [];
      sink.end();
      if (!sink.writableFinished) await once(sink, 'finish');
      return createReadStream(path(), { highWaterMark: 1 << 20 });
    },
    drop: async () => {
      if (sink !== undefined && !sink.closed) {
        const closed = once(sink, 'close');
        sink.destroy();
        await closed;
      }
      if (dir !== undefined) rmSync(dir, { recursive: true, force: true });
    },
  };
}
