import preact from '@preact/preset-vite';
import { defineConfig } from 'vite';

export default defineConfig({
  plugins: [preact()],
  server: {
    // The contract's persisted-document manifest lives outside this folder.
    fs: { allow: ['..'] },
    // `npm run dev` beside `cargo xtask dev`: dev sign-in comes from the storefront server.
    proxy: { '/dev/': 'http://127.0.0.1:3000' },
  },
  build: {
    target: 'es2022',
    // The storefront server sends these precompressed (`.gz` beside each file).
    reportCompressedSize: true,
  },
});
