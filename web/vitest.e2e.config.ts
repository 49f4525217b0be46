import { defineConfig } from 'vitest/config'

// The browser journeys (web/e2e): Node drives Debian's Chromium through
// playwright-core against the platform `devstack exec -platform` started.
// One journey at a time: the machine has two cores and one browser.
export default defineConfig({
  test: {
    environment: 'node',
    include: ['e2e/**/*.test.ts'],
    testTimeout: 180_000,
    hookTimeout: 60_000,
    fileParallelism: false,
  },
})
