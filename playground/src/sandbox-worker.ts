/**
 * Runs a visitor's perspective in a Worker: no DOM, no page state. The snippet declares
 * `initial`, `apply(model, event)` and optionally `key(event)`; it is folded over the events sent.
 */

interface Job {
  readonly code: string;
  readonly events: readonly { readonly streamId: string; readonly type: string }[];
}

const reply = (message: unknown): void =>
  (globalThis as unknown as { postMessage(m: unknown): void }).postMessage(message);

globalThis.addEventListener('message', (e: Event) => {
  const { code, events } = (e as MessageEvent<Job>).data;
  try {
    const make = new Function(
      `"use strict";\n${code}\n;return {` +
        ' initial: typeof initial === "undefined" ? undefined : initial,' +
        ' apply: typeof apply === "undefined" ? undefined : apply,' +
        ' key: typeof key === "undefined" ? undefined : key };',
    ) as () => { initial: unknown; apply: unknown; key: unknown };
    const { initial, apply, key } = make();
    if (typeof apply !== 'function')
      throw new TypeError(
        'Declare `function apply(model, event) { … }` that returns the new model.',
      );
    const fresh = (): unknown =>
      typeof initial === 'function' ? initial() : structuredClone(initial ?? null);
    const models: Record<string, unknown> = {};
    let applied = 0;
    for (const event of events) {
      const id = typeof key === 'function' ? key(event) : event.streamId;
      if (id === undefined || id === null) continue;
      const next = apply(String(id) in models ? models[String(id)] : fresh(), event);
      applied++;
      if (next === null) delete models[String(id)];
      else models[String(id)] = next;
    }
    reply({ ok: true, applied, models: JSON.parse(JSON.stringify(models) ?? 'null') });
  } catch (error) {
    const err = error instanceof Error ? error : new Error(String(error));
    reply({ ok: false, name: err.name, message: err.message });
  }
});
