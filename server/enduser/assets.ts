// Static files for the sign-in pages: the stylesheet, the page script, the favicon and socket.io's browser client.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import express, { Router } from 'express';

const PUBLIC_DIR = fileURLToPath(new URL('./public/', import.meta.url));

/** Where every page links its icon; `/favicon.ico` (asked for by pages that link none) leads here. */
export const FAVICON_PATH = '/assets/favicon.svg';

/** A day: the icon's name carries no version, and a changed icon may show a day late. */
const FAVICON_CACHE = 'public, max-age=86400';

/** Reads the socket.io client once, when the router is built (not at import time). */
function socketIoClient(): Buffer {
  const require = createRequire(import.meta.url);
  const pkg = require.resolve('socket.io-client/package.json');
  return readFileSync(path.join(path.dirname(pkg), 'dist', 'socket.io.min.js'));
}

export function signInAssets(): Router {
  const router = Router();
  const client = socketIoClient();
  const favicon = readFileSync(path.join(PUBLIC_DIR, 'favicon.svg'));
  router.get('/assets/socket.io.min.js', (_req, res) => {
    res.type('text/javascript').set('Cache-Control', 'public, max-age=3600').send(client);
  });
  router.get(FAVICON_PATH, (_req, res) => {
    res.type('image/svg+xml').set('Cache-Control', FAVICON_CACHE).send(favicon);
  });
  router.get('/favicon.ico', (_req, res) => {
    res.set('Cache-Control', FAVICON_CACHE).redirect(301, FAVICON_PATH);
  });
  router.use(
    '/assets',
    express.static(PUBLIC_DIR, { index: false, maxAge: '10m', fallthrough: true }),
  );
  return router;
}
