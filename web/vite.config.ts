import { defineConfig } from 'vitest/config'

// The API is served by the gateway on the same origin; `npm run dev` proxies
// /api to a running `make run` (the gateway on http://127.0.0.1:8080).
export default defineConfig({
  build: {
    target: 'es2022',
    // Hashed file names under assets/: the web function serves them as
    // immutable. No inline scripts or styles: the CSP forbids them.
    assetsInlineLimit: 0,
    sourcemap: false,
  },
  server: {
    proxy: { '/api': 'http://127.0.0.1:8080' },
  },
  test: {
    environment: 'jsdom',
    include: ['src/**/*.test.ts', 'src/**/*.test.tsx'],
    setupFiles: ['src/testSetup.ts'],
  },
})
