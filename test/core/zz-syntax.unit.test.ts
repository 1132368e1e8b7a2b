// @runtimes node deno bun
import { it } from 'vitest';
it('x', () => { const a = ; });
