import { defineConfig } from 'vitest/config';

// unit: beside the code, no root, no network. integration: real processes in the lab, one file at a time.
export default defineConfig({
  test: {
    projects: [
      {
        test: {
          name: 'unit',
          include: ['{main,preload,renderer,node-agent,test/lab,test/bench,test/guest-image,test/ct-templates,test/support,build}/**/*.test.{ts,tsx}'],
          environment: 'node',
        },
      },
      {
        test: {
          name: 'integration',
          include: ['test/integration/**/*.test.ts'],
          fileParallelism: false,
          testTimeout: 120_000,
          hookTimeout: 180_000,
        },
      },
    ],
  },
});
