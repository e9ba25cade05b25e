import { resolve } from 'node:path'
import { defineConfig } from 'electron-vite'
import vue from '@vitejs/plugin-vue'

// Explicit entries for each process: the Electron shell (main), the backend utility process and the
// job host (both Electron-free core), the job host's batch-preparation worker thread, the sandboxed
// preload (CommonJS, as sandboxed preloads must be), and the Vue renderer.
export default defineConfig({
  main: {
    build: {
      outDir: 'out/main',
      rollupOptions: {
        input: {
          index: resolve(__dirname, 'src-main/electron/main.ts'),
          backend: resolve(__dirname, 'src-main/electron/backendProcess.ts'),
          jobhost: resolve(__dirname, 'src-main/jobs/host.ts'),
          // Worker thread that prepares extraction batches (see core/features/preparer.ts).
          prepworker: resolve(__dirname, 'src-main/core/features/prepWorker.ts'),
        },
      },
    },
  },
  preload: {
    build: {
      outDir: 'out/preload',
      rollupOptions: {
        input: { index: resolve(__dirname, 'src-main/preload/index.ts') },
        output: { format: 'cjs', entryFileNames: '[name].cjs' },
      },
    },
  },
  renderer: {
    root: resolve(__dirname, 'src-renderer'),
    plugins: [vue()],
    build: {
      // PLATONIC_LAB_RENDERER_OUT lets parallel builds (several engineers, CI shards) use their own folder.
      outDir: resolve(__dirname, process.env.PLATONIC_LAB_RENDERER_OUT ?? 'out/renderer'),
      emptyOutDir: true,
      chunkSizeWarningLimit: 2000,
      rollupOptions: { input: { index: resolve(__dirname, 'src-renderer/index.html') } },
    },
  },
})
