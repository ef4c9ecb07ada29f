// Vite builds the UI into web/dist, which `holdfast serve` serves. In
// development (`npx vite`), API calls go to a local holdfast serve.
import { defineConfig } from 'vite';

export default defineConfig({
  build: { outDir: 'dist', emptyOutDir: true, chunkSizeWarningLimit: 400 },
  server: {
    proxy: { '/v1': process.env.HOLDFAST_URL || 'http://127.0.0.1:8080' },
  },
});
