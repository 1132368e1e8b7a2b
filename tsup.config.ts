import { defineConfig } from 'tsup';

export default defineConfig({
  entry: { mod: 'js/mod.ts', testing: 'js/testing/mod.ts' },
  format: ['esm'],
  target: 'es2022',
  platform: 'neutral',
  dts: true,
  sourcemap: true,
  clean: true,
  splitting: true,
  treeshake: true,
});
