import { writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import react from '@vitejs/plugin-react';
import { defineConfig, type Plugin } from 'vitest/config';

// `npm run dev` proxies the API to a running `momentum serve` (or e2e/mock-server.mjs).
const apiTarget = process.env.MOMENTUM_URL ?? 'http://127.0.0.1:7420';

// dist/ is emptied on each build, but the repository tracks dist/.gitkeep so that the Go
// `//go:embed` of frontend/dist compiles before the first frontend build. Put it back.
const keepGitkeep: Plugin = {
  name: 'momentum-keep-gitkeep',
  apply: 'build',
  closeBundle() {
    writeFileSync(resolve(import.meta.dirname, 'dist/.gitkeep'), '');
  },
};

export default defineConfig({
  plugins: [react(), keepGitkeep],
  // Relative asset URLs: the same dist is served by `momentum serve` and by the Wails AssetServer.
  base: './',
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    // Served from the embedded binary over localhost, so size costs little at load; splitting
    // the big libraries out keeps the app chunk small and lets them cache across releases.
    chunkSizeWarningLimit: 700,
    rolldownOptions: {
      output: {
        codeSplitting: {
          groups: [
            { name: 'echarts', test: /node_modules[\\/](echarts|zrender|echarts-for-react|size-sensor)[\\/]/ },
            { name: 'vendor', test: /node_modules[\\/]/ },
          ],
        },
      },
    },
  },
  server: {
    proxy: { '/api': apiTarget },
  },
  test: {
    environment: 'happy-dom',
    include: ['src/**/*.test.{ts,tsx}'],
    setupFiles: ['src/test/setup.ts'],
  },
});
