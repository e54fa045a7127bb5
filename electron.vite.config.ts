// electron-vite build of the desktop app: main/ → out/main, preload/ → out/preload (CommonJS, as a
// sandboxed preload must be), renderer/ → out/renderer (the same build the server serves at /agent).
import { fileURLToPath } from 'node:url';
import { defineConfig, mergeConfig } from 'electron-vite';
import rendererConfig from './vite.renderer.config';

const fromRoot = (path: string) => fileURLToPath(new URL(path, import.meta.url));

export default defineConfig({
  main: {
    build: {
      outDir: fromRoot('out/main'),
      rolldownOptions: { input: { index: fromRoot('main/index.ts') } },
    },
  },
  preload: {
    build: {
      outDir: fromRoot('out/preload'),
      // A sandboxed preload can require only `electron` and a few built-ins: bundle everything else.
      externalizeDeps: false,
      rolldownOptions: {
        input: { index: fromRoot('preload/index.ts') },
        output: { format: 'cjs', entryFileNames: '[name].cjs' },
      },
    },
  },
  renderer: mergeConfig(rendererConfig, {
    build: { rolldownOptions: { input: fromRoot('renderer/index.html') } },
  }),
});
