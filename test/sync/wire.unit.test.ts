/**
 * The sync server's wire: push requests and answers as they arrive (parsed JSON, anything at all)
 * are either taken, well formed, or refused with `MALFORMED_MESSAGE` — never another error.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { isWhizbangError } from '../../js/mod.ts';
import { parsePushAnswer, parsePushRequest } from '../../js/sync/mod.ts';
import { hostileRuns } from '../support/hostile.ts';

const decoder = new TextDecoder();

/** What a hostile client can make JSON.parse give: any JSON value, or a near-miss of a request. */
const request = fc.record(
  {
    id: fc.oneof(fc.uuid(), fc.string(), fc.integer()),
    tenant: fc.oneof(fc.constant('default'), fc.string({ maxLength: 300 }), fc.constant(null)),
    streamId: fc.string(),
    command: fc.oneof(
      fc.record(
        {
          type: fc.string(),
          data: fc.jsonValue(),
          messageId: fc.uuid(),
          correlationId: fc.uuid(),
          causationId: fc.string(),
        },
        { requiredKeys: [] },
      ),
      fc.jsonValue(),
    ),
    events: fc.oneof(
      fc.array(
        fc.record(
          { messageId: fc.uuid(), type: fc.string(), data: fc.jsonValue() },
          {
            requiredKeys: [],
          },
        ),
        { maxLength: 3 },
      ),
      fc.jsonValue(),
    ),
  },
  { requiredKeys: [] },
);

function takenOrMalformed(parse: (v: unknown) => unknown, value: unknown): void {
  try {
    parse(value);
  } catch (error) {
    expect(isWhizbangError(error, 'MALFORMED_MESSAGE')).toBe(true);
  }
}

describe('the sync server wire', () => {
  it('takes a well-formed request and keeps nothing it does not know', () => {
    const id = crypto.randomUUID();
    const taken = parsePushRequest({
      id,
      tenant: 'default',
      streamId: 's',
      command: { type: 'T', data: { a: 1 }, messageId: id, correlationId: id, causationId: id },
      events: [{ messageId: id, type: 'E', data: null, extra: 1 }],
      principal: { userId: 'admin' },
    });
    expect(taken).toEqual({
      id,
      tenant: 'default',
      streamId: 's',
      command: { type: 'T', data: { a: 1 }, messageId: id, correlationId: id, causationId: id },
      events: [{ messageId: id, type: 'E', data: null }],
    });
  });

  it('refuses any other request or answer with MALFORMED_MESSAGE only', () => {
    fc.assert(
      fc.property(fc.oneof(request, fc.jsonValue()), (value) => {
        takenOrMalformed(parsePushRequest, value);
        takenOrMalformed(parsePushAnswer, value);
      }),
      hostileRuns(200),
    );
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 200 }), (bytes) => {
        let value: unknown;
        try {
          value = JSON.parse(decoder.decode(bytes));
        } catch {
          return; // not JSON: the server answers MALFORMED_MESSAGE before parsing
        }
        takenOrMalformed(parsePushRequest, value);
      }),
      hostileRuns(200),
    );
    expect(() => parsePushRequest({ id: 'x' })).toThrow(/nothing was done/);
  });
});
