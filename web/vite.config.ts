// Vite configuration of the U-Net explorer (web/): relative base so dist-web/ works from any static host.
import { defineConfig } from 'vite';
import { fileURLToPath } from 'node:url';

export default defineConfig({
  root: fileURLToPath(new URL('.', import.meta.url)),
  base: './',
  publicDir: 'public',
  build: {
    outDir: fileURLToPath(new URL('../dist-web', import.meta.url)),
    emptyOutDir: true,
    chunkSizeWarningLimit: 4000,
    target: 'es2022',
  },
  // Large pre-trained weights and tfjs's .wasm binaries are served as files, never inlined.
  assetsInclude: ['**/*.wasm'],
  server: { fs: { allow: [fileURLToPath(new URL('..', import.meta.url))] } },
});
