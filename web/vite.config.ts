import { defineConfig } from 'vite';

// ECharts is most of the bundle; keeping it in its own chunk lets browsers cache it
// across releases of the console.
export default defineConfig({
  build: {
    chunkSizeWarningLimit: 1200,
    rollupOptions: { output: { manualChunks: { echarts: ['echarts'] } } },
  },
  server: { proxy: { '/api': 'http://127.0.0.1:8080' } },
});
