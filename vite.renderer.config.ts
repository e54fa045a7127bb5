// Vite config of the agent console (renderer/): used by electron-vite's build and, on its own, for
// developing the console in a plain browser (`npx vite --config vite.renderer.config.ts`).
import { fileURLToPath } from 'node:url';
import react from '@vitejs/plugin-react';
import { defineConfig, type Plugin } from 'vite';

const serverUrl = process.env['HELPDESK_SERVER_URL'] || 'http://127.0.0.1:3000';

/**
 * The dev server's hot reload injects an inline script, which the page's CSP meta tag forbids.
 * Only while serving, the tag is left out; every build keeps it.
 */
const omitCspWhileServing: Plugin = {
  name: 'helpdesk:omit-csp-while-serving',
  apply: 'serve',
  transformIndexHtml: (html) =>
    html.replace(/\s*<meta\s+http-equiv="Content-Security-Policy"[^>]*>/, ''),
};

export default defineConfig({
  root: fileURLToPath(new URL('./renderer', import.meta.url)),
  // Relative asset URLs, so the same build loads from file:// in Electron and from /agent/.
  base: './',
  plugins: [react(), omitCspWhileServing],
  build: {
    outDir: fileURLToPath(new URL('./out/renderer', import.meta.url)),
    emptyOutDir: true,
    // Also served over the network at /agent (electron-vite would leave it unminified).
    minify: true,
  },
  server: {
    host: '127.0.0.1',
    proxy: {
      '/healthz': serverUrl,
      '/socket.io': { target: serverUrl, ws: true },
    },
  },
});
