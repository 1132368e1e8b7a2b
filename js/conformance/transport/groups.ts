/** Queue groups: competing consumers get each envelope exactly once between them. */
import { describe, expect, it } from 'vitest';
import { range } from '../helpers.ts';
import type { TransportContext } from './context.ts';
import { live, publishNumbers, quiet, type Recorder, recorder, topicRoot, until } from './kit.ts';

const sorted = (inboxes: readonly Recorder[]): number[] =>
  inboxes.flatMap((i) => i.numbers()).sort((a, b) => a - b);

const total = (inboxes: readonly Recorder[]): number =>
  inboxes.reduce((sum, i) => sum + i.received.length, 0);

/** Registers the queue group tests. */
export function groupSuite({ transport, options }: TransportContext): void {
  describe('queue groups', () => {
    it('gives each envelope to exactly one member, and spreads the work', async () => {
      const t = transport.current;
      const topic = `${topicRoot()}.jobs`;
      const members = [recorder(), recorder(), recorder()];
      for (const m of members) await live(t, options, topic, m.handler, { queue: 'workers' });
      await publishNumbers(t, topic, 1, 90);
      await until(
        options,
        () => total(members) >= 90,
        () => `90 envelopes, got ${total(members)}`,
      );
      await quiet(options);
      expect(sorted(members)).toEqual(range(1, 90));
      for (const m of members) expect(m.received.length).toBeGreaterThan(0);
      // each member still sees its share in publish order
      for (const m of members) expect(m.numbers()).toEqual([...m.numbers()].sort((a, b) => a - b));
    });

    it('serves plain subscribers and several groups side by side', async () => {
      const t = transport.current;
      const topic = `${topicRoot()}.mixed`;
      const plain = [recorder(), recorder()];
      const billing = [recorder(), recorder()];
      const audit = [recorder(), recorder(), recorder()];
      for (const p of plain) await live(t, options, topic, p.handler);
      for (const b of billing) await live(t, options, topic, b.handler, { queue: 'billing' });
      for (const a of audit) await live(t, options, topic, a.handler, { queue: 'audit' });
      await publishNumbers(t, topic, 1, 30);
      const done = (): boolean =>
        plain.every((p) => p.received.length === 30) &&
        total(billing) === 30 &&
        total(audit) === 30;
      await until(options, done, () => 'every plain subscriber and each group to get all 30');
      await quiet(options);
      for (const p of plain) expect(p.numbers()).toEqual(range(1, 30));
      expect(sorted(billing)).toEqual(range(1, 30));
      expect(sorted(audit)).toEqual(range(1, 30));
    });

    it('keeps groups of the same name on different topics apart', async () => {
      const t = transport.current;
      const root = topicRoot();
      const a = recorder();
      const b = recorder();
      await live(t, options, `${root}.a`, a.handler, { queue: 'workers' });
      await live(t, options, `${root}.b`, b.handler, { queue: 'workers' });
      await publishNumbers(t, `${root}.a`, 1, 10);
      await publishNumbers(t, `${root}.b`, 11, 20);
      await until(
        options,
        () => a.received.length + b.received.length >= 20,
        () => '20 envelopes',
      );
      await quiet(options);
      expect(a.numbers()).toEqual(range(1, 10));
      expect(b.numbers()).toEqual(range(11, 20));
    });

    it("hands a closed member's share to the members still there", async () => {
      const t = transport.current;
      const topic = `${topicRoot()}.leaving`;
      const stays = recorder();
      const leaves = recorder();
      await live(t, options, topic, stays.handler, { queue: 'workers' });
      const sub = await live(t, options, topic, leaves.handler, { queue: 'workers' });
      await sub.close();
      await quiet(options);
      await publishNumbers(t, topic, 1, 20);
      await until(
        options,
        () => stays.received.length === 20,
        () => `20 envelopes, got ${stays.received.length}`,
      );
      expect(stays.numbers()).toEqual(range(1, 20));
      expect(leaves.received).toEqual([]);
    });
  });
}
