/** The playground's two sample domains (what `virtual:whizbang-domains` is without an app of one's own). */
import { bank } from './bank.ts';
import { todo } from './todo.ts';
import type { Domain } from './types.ts';

/** The bank and the todo list. */
export const domains: readonly Domain[] = [bank, todo];
