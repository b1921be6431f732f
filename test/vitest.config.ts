import { defineConfig } from 'vitest/config';

// One config for every suite; which folder runs is chosen on the command line
// (test/run.mjs runs unit + netns on the host and kernel inside the VM).
export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    globalSetup: ['test/global-setup.ts'],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    pool: 'forks',
    reporters: ['default'],
  },
});
