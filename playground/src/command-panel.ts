/**
 * The command panel: a form generated for the chosen command, an example to fill it with, and
 * the receipt of a send (or why it was refused).
 */
import { isValidationError, isWhizbangError, uuidv7 } from '../../js/mod.ts';
import { brief, byId, fill, h } from './dom.ts';
import type { CommandSpec } from './domains/types.ts';
import type { FlowPanel } from './flow-panel.ts';
import { type CommandForm, commandForm, loadFaker } from './forms.ts';
import { status } from './queue.ts';
import type { Session } from './session.ts';
import type { Travel } from './travel.ts';

/** What the command panel works with. */
export interface CommandPanelParts {
  /** The session open now. */
  readonly session: () => Session;
  readonly flows: FlowPanel;
  readonly travel: Travel;
  /** Reads the ledger again and redraws what depends on it. */
  readonly refresh: () => Promise<void>;
}

/** The chosen command's form, and its sending. */
export class CommandPanel {
  #form: CommandForm | undefined;
  readonly #parts: CommandPanelParts;

  /** The panel over `parts`. */
  constructor(parts: CommandPanelParts) {
    this.#parts = parts;
  }

  /** Shows the form of `spec`, with no receipt. */
  choose(spec: CommandSpec): void {
    byId('command-summary').textContent = spec.summary;
    this.#form = commandForm(spec, (data) => void this.#send(spec, data));
    this.#form.element.append(
      h(
        'div',
        { class: 'row' },
        h('button', { type: 'submit' }, 'Send'),
        h(
          'button',
          { type: 'button', class: 'secondary', onclick: () => void this.#example(spec) },
          'Fill with an example',
        ),
      ),
    );
    fill(byId('form-host'), this.#form.element);
    fill(byId('receipt'));
  }

  /** Shows the form of the command picked in the picker. */
  wire(): void {
    byId<HTMLSelectElement>('command').addEventListener('change', (e) => {
      const type = (e.target as HTMLSelectElement).value;
      this.choose(this.#parts.session().domain.commands.find((c) => c.definition.type === type)!);
    });
  }

  async #example(spec: CommandSpec): Promise<void> {
    const faker = await loadFaker();
    const session = this.#parts.session();
    this.#form?.fill(spec.example(faker, await session.domain.ids(session.app)));
  }

  async #send(spec: CommandSpec, data: Record<string, unknown>): Promise<void> {
    const { session, flows, travel, refresh } = this.#parts;
    const out = byId('receipt');
    if (session().readOnly) {
      fill(
        out,
        h(
          'p',
          { class: 'error', role: 'alert' },
          'Not sent: this page follows a running system’s log, read-only.',
        ),
      );
      return;
    }
    this.#form?.showIssues([]);
    fill(out, h('p', { role: 'status' }, 'Sending…'));
    // the id is chosen here, so that a refused command's flow can be shown too
    const id = uuidv7();
    const label = `${spec.definition.type} ${brief(data, 50)}`;
    try {
      const receipt = await session().app.send(spec.definition(data), {
        messageId: id,
        correlationId: id,
      });
      // the page catches up first, so that a receipt on screen means the tables show its events
      flows.add(id, label);
      travel.follow();
      await refresh();
      flows.draw(receipt.correlationId);
      const rows: [string, unknown][] = [
        ['status', receipt.status],
        ['message id', receipt.messageId],
        ['correlation id', receipt.correlationId],
        ['stream', receipt.streamId ?? '—'],
        ['version', receipt.version ?? '—'],
        ['position', receipt.position],
        ['events', receipt.events],
      ];
      fill(
        out,
        h('h3', {}, `Receipt: ${receipt.type} ${receipt.status}`),
        h(
          'dl',
          { class: 'receipt' },
          ...rows.flatMap(([k, v]) => [h('dt', {}, k), h('dd', {}, String(v))]),
        ),
      );
      status(`${receipt.type} handled; the ledger is at ${receipt.position || travel.head}.`);
    } catch (error) {
      if (isValidationError(error)) {
        this.#form?.showIssues(error.issues);
        fill(
          out,
          h('p', { class: 'error' }, 'Not sent: fix the fields marked above. Nothing was written.'),
        );
      } else {
        const code = isWhizbangError(error) ? ` (${error.code})` : '';
        const e = error as Error;
        fill(out, h('p', { class: 'error', role: 'alert' }, `Refused${code}: ${e.message}`));
      }
      // a refused command is in the trace too (a schema refusal is not: nothing ran)
      if (session().trace.chain(id) !== undefined) {
        flows.add(id, `${label} (refused)`);
        flows.draw(id);
      }
    }
  }
}
