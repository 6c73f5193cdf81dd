import { defineConfig } from 'vitest/config';

// End-to-end tests drive the real built app through tauri-driver and WebKitWebDriver.
export default defineConfig({
  test: {
    include: [process.env.FIGURES ? 'e2e/**/*.measure.ts' : 'e2e/**/*.e2e.ts'],
    testTimeout: 120_000,
    hookTimeout: 180_000,
    fileParallelism: false,
  },
});
