import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.unit.test.ts', 'test/**/*.int.test.ts'],
    typecheck: {
      enabled: true,
      include: ['test/types/**/*.test-d.ts'],
      tsconfig: './tsconfig.json',
    },
    reporters: process.env.CI ? ['default'] : ['dot'],
    testTimeout: 20_000,
  },
});
