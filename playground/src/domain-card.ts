/** The domain card: what the chosen sample domain has, in words. */
import { byId, fill, h } from './dom.ts';
import type { Domain } from './domains/types.ts';
import type { Session } from './session.ts';

/** Draws the card of `domain`, with the perspectives its running `session` has. */
export function drawDomainCard(domain: Domain, session: Session): void {
  const list = (items: readonly (string | Node)[]): HTMLElement =>
    h('ul', { class: 'plain' }, ...items.map((i) => h('li', {}, i)));
  fill(
    byId('domain-card'),
    h('p', {}, domain.summary),
    h('h3', {}, 'Commands'),
    list(domain.commands.map((c) => `${c.definition.type}: ${c.summary}`)),
    h('h3', {}, 'Receptors'),
    list(
      domain.receptors.map((r) =>
        r.emits.length > 0
          ? `${r.command} → ${r.emits.join(' | ')} on ${r.stream}`
          : `${r.command} (${r.stream})`,
      ),
    ),
    h('h3', {}, 'Events'),
    list([domain.events.map((e) => e.type).join(', ')]),
    domain.reactions.length > 0 ? h('h3', {}, 'Sagas and handlers') : null,
    domain.reactions.length > 0 ? list(domain.reactions) : null,
    h('h3', {}, 'Perspectives and their lenses'),
    list(
      [...session.app.perspectives.values()].map(
        (p) => `${p.name} (${p.mode}): ${[...p.types].join(', ')}`,
      ),
    ),
  );
}
