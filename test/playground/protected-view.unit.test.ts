/**
 * The devtools' and playground's data path: the ledger table, its exports and sync's conflicts
 * show protected fields as '[redacted]' unless "show protected fields" is ticked; the flow panel
 * draws the trace store's records, masked by default.
 */
import { describe, expect, it } from 'vitest';
import { createEnvelope } from '../../js/messages/envelope.ts';
import type { RecordedEvent } from '../../js/mod.ts';
import { REDACTED } from '../../js/protect/mod.ts';
import { toTraceJSON, traceStore } from '../../js/trace/mod.ts';
import { shown } from '../../playground/src/protected-view.ts';
import { ada, Register, Registered } from '../protect/fixture.ts';

const recorded = (data: unknown): RecordedEvent =>
  ({
    kind: 'event',
    type: 'Registered',
    data,
    streamId: 'customer-c-1',
    version: 1,
    position: 1,
    tenant: 'default',
    messageId: 'm-1',
    correlationId: 'm-0',
    causationId: 'm-0',
    timestamp: 1,
  }) as RecordedEvent;

describe('what the page shows', () => {
  it("masks a protected event's fields unless revealed, and leaves other types alone", () => {
    const events = [recorded(ada()), { ...recorded({ note: 'ada' }), type: 'Noted' }];
    const [masked, other] = shown(events, false);
    expect(masked!.data).toMatchObject({ email: REDACTED, address: { street: REDACTED } });
    expect(masked!.data).toMatchObject({ name: 'Ada Lovelace', tier: 'gold' });
    expect(other).toBe(events[1]);
    expect(JSON.stringify(shown(events, false))).not.toContain(ada().email);
    // the explicit toggle: as stored
    expect(shown(events, true)[0]!.data).toEqual(ada());
    expect(events[0]!.data).toEqual(ada()); // the stored copy is not changed
  });

  it("masks a pending command's fields only when its definition declares some", () => {
    // Register declares none (the fixture's event does): its data is shown as sent
    const command = { ...Register(ada()), messageId: 'c', correlationId: 'c', causationId: 'c' };
    expect(shown([command], false)[0]).toBe(command);
  });

  it('draws flows from trace records that hold no protected value', () => {
    const trace = traceStore();
    const envelope = createEnvelope(Registered(ada()));
    trace.onDispatched({ envelope, events: [] });
    const graph = toTraceJSON(trace.chain(envelope.correlationId)!);
    expect(JSON.stringify(graph)).not.toContain(ada().email);
    expect(graph.nodes[0]!.data).toMatchObject({ email: REDACTED, customerId: 'c-1' });
  });
});
