/**
 * The domains the page offers: the two samples (`vite.config.ts`), or the app of one's own that
 * `whizbang devtools --app <module>` loads in their place.
 */
declare module 'virtual:whizbang-domains' {
  import type { Domain } from './domains/types.ts';

  /** The domains, the first shown first. */
  export const domains: readonly Domain[];
}
