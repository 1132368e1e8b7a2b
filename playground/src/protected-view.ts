/**
 * What the page shows of messages and events (the ledger table, its exports, sync's conflicts):
 * the fields their definitions mark as protected read '[redacted]', unless the user ticked "show
 * protected fields". The table of protected fields is filled by the app's own definitions as its
 * module loads, so a user's app in `whizbang devtools` is masked with no setting.
 */
import { redact } from '../../js/protect/mod.ts';

/** `messages` as the page shows them: masked, or as stored with `reveal`. */
export function shown<M extends { readonly type: string; readonly data: unknown }>(
  messages: readonly M[],
  reveal: boolean,
): M[] {
  return reveal ? messages.slice() : messages.map((m) => redact(m));
}
