/** The turn-taking of local appends and a sync round's critical sections on one replica. */
import { describe, expect, it } from 'vitest';
import { Gate } from '../../js/sync/gate.ts';

const tick = () => new Promise((r) => setTimeout(r, 5));

describe('sync gate', () => {
  it('runs a local append at once (synchronously) when no critical section holds', () => {
    const gate = new Gate();
    expect(gate.local(() => 42)).toBe(42);
  });

  it('holds local appends while a critical section runs, and the section waits for appends under way', async () => {
    const gate = new Gate();
    const seen: string[] = [];
    let finishAppend!: () => void;
    const inFlight = gate.local(
      () =>
        new Promise<void>((resolve) => {
          finishAppend = () => {
            seen.push('append 1 done');
            resolve();
          };
        }),
    );
    const section = gate.exclusive(async () => {
      seen.push('section starts');
      await tick();
      seen.push('section ends');
    });
    await tick();
    const later = gate.local(() => seen.push('append 2'));
    await tick();
    expect(seen).toEqual([]); // the section waits for append 1; append 2 waits for the section
    finishAppend();
    await Promise.all([inFlight, section, later]);
    expect(seen).toEqual(['append 1 done', 'section starts', 'section ends', 'append 2']);
  });

  it('a failing append or section releases its turn', async () => {
    const gate = new Gate();
    expect(() =>
      gate.local(() => {
        throw new Error('refused');
      }),
    ).toThrow('refused');
    await expect(gate.exclusive(async () => Promise.reject(new Error('no')))).rejects.toThrow('no');
    expect(gate.local(() => 'free')).toBe('free');
  });
});
