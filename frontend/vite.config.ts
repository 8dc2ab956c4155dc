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
    // Pages are loaded by route (router.tsx): the first page fetches the shell, its own chunk
    // and the libraries it uses. The libraries every page needs (React, Mantine, TanStack) and
    // ECharts (the dashboards') are chunks of their own so they cache across releases; other
    // libraries go with the pages that import them. A group takes its modules' dependencies
    // too: priorities keep React in its own chunk rather than in ECharts' (echarts-for-react
    // imports it), which would make the shell load ECharts.
    chunkSizeWarningLimit: 700,
    rolldownOptions: {
      output: {
        codeSplitting: {
          groups: [
            { name: 'react', priority: 3, test: /node_modules[\\/](react|react-dom|scheduler)[\\/]/ },
            { name: 'mantine', priority: 2, test: /node_modules[\\/](@mantine[\\/](core|hooks)|@floating-ui|react-remove-scroll[^\\/]*|react-style-singleton|use-callback-ref|use-sidecar|get-nonce|tslib|clsx|react-textarea-autosize|react-number-format|use-isomorphic-layout-effect|use-composed-ref|use-latest)[\\/]/ },
            { name: 'tanstack', priority: 2, test: /node_modules[\\/]@tanstack[\\/]/ },
            { name: 'echarts', priority: 1, test: /node_modules[\\/](echarts|zrender|echarts-for-react|size-sensor)[\\/]/ },
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
