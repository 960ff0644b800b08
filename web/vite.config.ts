import preact from '@preact/preset-vite';
import { defineConfig } from 'vite';

export default defineConfig({
  plugins: [preact()],
  // The contract's persisted-document manifest lives outside this folder.
  server: { fs: { allow: ['..'] } },
  build: {
    target: 'es2022',
    // The storefront server sends these precompressed (`.gz` beside each file).
    reportCompressedSize: true,
  },
});
