// Dev preview build: the real app on a fake window.hyperdesk. Output goes to dist/renderer-dev, never dist/renderer.
//   npx vite build -c renderer/src/dev/vite.config.ts
import { defineConfig } from 'vite';
import react from '@vitejs/plugin-react';

export default defineConfig({
  // URL pathnames rather than node:url: the renderer's lint rules forbid node:* even in this dev-only config.
  root: decodeURIComponent(new URL('.', import.meta.url).pathname),
  base: './',
  plugins: [react()],
  logLevel: 'warn',
  build: {
    outDir: decodeURIComponent(new URL('../../../dist/renderer-dev', import.meta.url).pathname),
    emptyOutDir: true,
    chunkSizeWarningLimit: 4000,
  },
});
