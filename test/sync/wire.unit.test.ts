/**
 * The sync server's wire: push requests and answers as they arrive (parsed JSON, anything at all)
 * are either taken, well formed, or refused with `MALFORMED_MESSAGE` — never another error.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { isWhizbangError } from '../../js/mod.ts';
import {
  encodePullAnswer,
  parsePullAnswer,
  parsePullRequest,
  parsePushAnswer,
  parsePushRequest,
} from '../../js/sync/mod.ts';
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

/** Near-misses of a pull request and of a pull's answer. */
const pull = fc.record(
  {
    pull: fc.oneof(fc.constantFrom('scope', 'groups', 'stream'), fc.string()),
    groups: fc.oneof(fc.array(fc.string({ maxLength: 210 }), { maxLength: 4 }), fc.jsonValue()),
    from: fc.oneof(fc.integer(), fc.double(), fc.jsonValue()),
    to: fc.oneof(fc.integer(), fc.jsonValue()),
    limit: fc.oneof(fc.integer({ min: -5, max: 20_000 }), fc.jsonValue()),
    streamId: fc.oneof(fc.string({ maxLength: 210 }), fc.jsonValue()),
  },
  { requiredKeys: [] },
);
const event = fc.record(
  {
    kind: fc.constant('event'),
    streamId: fc.string({ maxLength: 210 }),
    version: fc.oneof(fc.integer(), fc.jsonValue()),
    position: fc.oneof(fc.integer(), fc.jsonValue()),
    tenant: fc.string(),
    type: fc.string(),
    data: fc.jsonValue(),
    messageId: fc.uuid(),
    correlationId: fc.uuid(),
    causationId: fc.oneof(fc.uuid(), fc.jsonValue()),
    timestamp: fc.oneof(fc.integer(), fc.jsonValue()),
    metadata: fc.oneof(fc.constant(undefined), fc.jsonValue()),
  },
  { requiredKeys: [] },
);
const pullAnswer = fc.record(
  {
    status: fc.oneof(fc.constantFrom('scope', 'events', 'refused'), fc.string()),
    groups: fc.oneof(fc.array(fc.string(), { maxLength: 3 }), fc.jsonValue()),
    events: fc.oneof(fc.array(event, { maxLength: 3 }), fc.jsonValue()),
    code: fc.oneof(fc.string(), fc.jsonValue()),
    message: fc.oneof(fc.string(), fc.jsonValue()),
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

  it('takes well-formed pulls and answers, and refuses any other with MALFORMED_MESSAGE only', () => {
    expect(
      parsePullRequest({ pull: 'groups', groups: ['g'], from: 3, limit: 10, tenant: 'x' }),
    ).toEqual({ pull: 'groups', groups: ['g'], from: 3, limit: 10 });
    expect(parsePullRequest({ pull: 'scope', principal: { userId: 'bob' } })).toEqual({
      pull: 'scope',
    });
    const e = {
      kind: 'event',
      streamId: 's',
      version: 1,
      position: 4,
      tenant: 'default',
      type: 'E',
      data: { a: 1 },
      messageId: 'm',
      correlationId: 'c',
      causationId: 'k',
      timestamp: 5,
      metadata: undefined,
    };
    expect(parsePullAnswer(JSON.parse(JSON.stringify({ status: 'events', events: [e] })))).toEqual({
      status: 'events',
      events: [e],
    });
    // compact on the wire: ids equal to the event's own are left out, and read back
    const own = { ...e, correlationId: 'm', causationId: 'm', metadata: { by: 'x' } };
    const text = encodePullAnswer({ status: 'events', events: [own as never], more: true });
    expect(text).not.toContain('correlationId');
    expect(parsePullAnswer(JSON.parse(text))).toEqual({
      status: 'events',
      events: [own],
      more: true,
    });
    expect(() => parsePullRequest({ pull: 'groups', groups: ['g'], from: 0, limit: 1 })).toThrow(
      /nothing was read/,
    );
    fc.assert(
      fc.property(fc.oneof(pull, pullAnswer, fc.jsonValue()), (value) => {
        takenOrMalformed(parsePullRequest, value);
        takenOrMalformed(parsePullAnswer, value);
      }),
      hostileRuns(300),
    );
  });
});
