// Static files for the sign-in pages: the stylesheet, the page script and socket.io's browser client.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import express, { Router } from 'express';

const PUBLIC_DIR = fileURLToPath(new URL('./public/', import.meta.url));

/** Reads the socket.io client once, when the router is built (not at import time). */
function socketIoClient(): Buffer {
  const require = createRequire(import.meta.url);
  const pkg = require.resolve('socket.io-client/package.json');
  return readFileSync(path.join(path.dirname(pkg), 'dist', 'socket.io.min.js'));
}

export function signInAssets(): Router {
  const router = Router();
  const client = socketIoClient();
  router.get('/assets/socket.io.min.js', (_req, res) => {
    res.type('text/javascript').set('Cache-Control', 'public, max-age=3600').send(client);
  });
  router.use(
    '/assets',
    express.static(PUBLIC_DIR, { index: false, maxAge: '10m', fallthrough: true }),
  );
  return router;
}
