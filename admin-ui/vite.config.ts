/// <reference types="vitest/config" />
import { defineConfig } from 'vite';
import react from '@vitejs/plugin-react';

// The production build is embedded into the Go binary (server/internal/webui), which
// serves it at / with an SPA fallback and caches hashed assets/ forever. The chat widget
// (widget/, vite.widget.config.ts) is built after this into the same directory, so this
// build may empty it first; `npm run build` runs both in that order.
export default defineConfig({
  plugins: [react()],
  build: {
    outDir: '../server/internal/webui/ui/dist',
    emptyOutDir: true,
    chunkSizeWarningLimit: 1200,
  },
  server: {
    port: 5173,
    proxy: {
      '/api': { target: 'http://127.0.0.1:8080', changeOrigin: false, ws: true },
      '/widget/': { target: 'http://127.0.0.1:8080', changeOrigin: false, ws: true },
    },
  },
  test: {
    environment: 'jsdom',
    globals: true,
    setupFiles: ['./src/test/setup.ts'],
    css: false,
    testTimeout: 20000,
    include: ['src/**/*.test.{ts,tsx}', 'widget/**/*.test.ts'],
  },
});
