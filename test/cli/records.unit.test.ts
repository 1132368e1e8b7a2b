/**
 * The JSON-lines form `export` writes and `import` reads: every event comes back as it was, and
 * any other line — mutated, cut, or arbitrary text — is refused with `MALFORMED_LINE` and its line
 * number, never taken half-read.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { CliError } from '../../cli/fail.ts';
import { fromLine, toLine } from '../../cli/records.ts';
import type { RecordedEvent } from '../../js/mod.ts';

const json = fc.jsonValue();
const event = fc.record({
  position: fc.integer({ min: 1, max: 2 ** 40 }),
  version: fc.integer({ min: 1, max: 2 ** 30 }),
  tenant: fc.string({ minLength: 1 }),
  streamId: fc.string({ minLength: 1 }),
  type: fc.string({ minLength: 1 }),
  messageId: fc.uuid(),
  correlationId: fc.uuid(),
  causationId: fc.uuid(),
  timestamp: fc.integer({ min: 0, max: 4_000_000_000_000 }),
  data: json,
  metadata: fc.option(fc.dictionary(fc.string(), json), { nil: undefined }),
});

const refusedOrRead = (line: string): void => {
  try {
    const read = fromLine(line, 7);
    expect(read.position).toBeGreaterThan(0);
    expect(read.version).toBeGreaterThan(0);
  } catch (error) {
    expect(error).toBeInstanceOf(CliError);
    expect(error).toMatchObject({ code: 'MALFORMED_LINE', line: 7 });
  }
};

describe('event lines', () => {
  it('an event comes back as it was written', () => {
    fc.assert(
      fc.property(event, (e) => {
        const recorded = { kind: 'event', ...e } as RecordedEvent;
        const read = fromLine(toLine(recorded), 1);
        expect(read).toEqual({
          position: e.position,
          tenant: e.tenant,
          streamId: e.streamId,
          version: e.version,
          event: {
            type: e.type,
            data: JSON.parse(JSON.stringify(e.data)),
            messageId: e.messageId,
            correlationId: e.correlationId,
            causationId: e.causationId,
            timestamp: e.timestamp,
            ...(e.metadata === undefined
              ? {}
              : { metadata: JSON.parse(JSON.stringify(e.metadata)) }),
          },
        });
      }),
    );
  });

  it('a mutated or cut line is read whole or refused with MALFORMED_LINE', () => {
    fc.assert(
      fc.property(event, fc.nat(), fc.string(), fc.boolean(), (e, at, insert, cut) => {
        const line = toLine({ kind: 'event', ...e } as RecordedEvent);
        const i = at % (line.length + 1);
        refusedOrRead(cut ? line.slice(0, i) : line.slice(0, i) + insert + line.slice(i + 1));
      }),
      { numRuns: 500 },
    );
  });

  it('arbitrary text and JSON are refused with MALFORMED_LINE', () => {
    fc.assert(fc.property(fc.string(), refusedOrRead));
    fc.assert(fc.property(fc.jsonValue(), (v) => refusedOrRead(JSON.stringify(v))));
    for (const field of ['position', 'version', 'timestamp', 'streamId', 'data']) {
      const line = JSON.parse(
        toLine({
          kind: 'event',
          position: 1,
          version: 1,
          tenant: 't',
          streamId: 's',
          type: 'T',
          messageId: 'm',
          correlationId: 'c',
          causationId: 'c',
          timestamp: 0,
          data: {},
          metadata: undefined,
        } as RecordedEvent),
      );
      delete line[field];
      expect(() => fromLine(JSON.stringify(line), 3)).toThrow(
        expect.objectContaining({ code: 'MALFORMED_LINE', line: 3 }),
      );
    }
  });
});
