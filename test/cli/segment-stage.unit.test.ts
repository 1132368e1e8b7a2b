/**
 * The CLI's stage for a segment file read once (stdin): what is written is read back in order from
 * a temporary file, and dropping it removes the file's folder, whether it was read or not.
 */
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { fileStage } from '../../cli/commands/segment-stage.ts';

const root = mkdtempSync(join(tmpdir(), 'segimport-stage-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

async function readBack(source: unknown): Promise<number[]> {
  const out: number[] = [];
  for await (const chunk of source as AsyncIterable<Uint8Array>) out.push(...chunk);
  return out;
}

describe('fileStage', () => {
  it('keeps copies of what is written, in order, on disk until dropped', async () => {
    const stage = fileStage(root);
    const reused = new Uint8Array([1, 2, 3]);
    await stage.write(reused);
    reused.fill(9); // the caller reuses its bytes: the stage kept a copy
    await stage.write(new Uint8Array([4, 5]));
    expect(readdirSync(root)).toHaveLength(1);
    expect(await readBack(await stage.read())).toEqual([1, 2, 3, 4, 5]);
    await stage.drop();
    expect(readdirSync(root)).toEqual([]);
  });

  it('is dropped without a read (a damaged input), and makes nothing when nothing was written', async () => {
    const stage = fileStage(root);
    await stage.write(new Uint8Array(70_000));
    await stage.drop();
    expect(readdirSync(root)).toEqual([]);
    const empty = fileStage(root);
    expect(await readBack(await empty.read())).toEqual([]);
    await empty.drop();
    expect(readdirSync(root)).toEqual([]);
  });
});
