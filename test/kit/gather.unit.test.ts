import { describe, expect, it } from 'vitest';
import { Gatherer, type Settled } from '../../js/kit/mod.ts';

/** A flush that records its batches and answers each item doubled (odd items fail alone). */
function recording(): {
  batches: number[][];
  flush: (items: readonly number[]) => Promise<Settled<number>[]>;
} {
  const batches: number[][] = [];
  return {
    batches,
    flush: async (items) => {
      batches.push([...items]);
      await new Promise((resolve) => setTimeout(resolve, 5));
      return items.map((i) =>
        i % 2 === 1 ? { ok: false, error: new Error(`odd ${i}`) } : { ok: true, value: i * 2 },
      );
    },
  };
}

describe('Gatherer', () => {
  it('sends items made together as one batch, and those that wait as the next', async () => {
    const r = recording();
    const g = new Gatherer(r.flush);
    const first = [0, 2, 4].map((i) => g.push(i));
    await Promise.resolve();
    const later = [6, 8].map((i) => g.push(i));
    expect(await Promise.all([...first, ...later])).toEqual([0, 4, 8, 12, 16]);
    expect(r.batches).toEqual([
      [0, 2, 4],
      [6, 8],
    ]);
  });

  it('fails an item alone when its answer is a failure', async () => {
    const r = recording();
    const g = new Gatherer(r.flush);
    const settled = await Promise.allSettled([1, 2, 3].map((i) => g.push(i)));
    expect(settled.map((s) => s.status)).toEqual(['rejected', 'fulfilled', 'rejected']);
    expect(r.batches).toEqual([[1, 2, 3]]);
  });

  it('keeps batches under maxBatch and runs up to inFlight at once', async () => {
    const r = recording();
    const g = new Gatherer(r.flush, { maxBatch: 2, inFlight: 2 });
    await Promise.all([0, 2, 4, 6, 8, 10].map((i) => g.push(i)));
    expect(r.batches).toEqual([
      [0, 2],
      [4, 6],
      [8, 10],
    ]);
    expect(g.waiting).toBe(0);
  });

  it('rejects the whole batch when the flush throws, and goes on with the next', async () => {
    let calls = 0;
    const g = new Gatherer<number, number>(async (items) => {
      calls++;
      if (calls === 1) throw new Error('lost');
      return items.map((value) => ({ ok: true, value }));
    });
    const lost = await Promise.allSettled([g.push(1), g.push(2)]);
    expect(lost.map((s) => s.status)).toEqual(['rejected', 'rejected']);
    expect(await g.push(3)).toBe(3);
  });
});
