// Serves the built agent console (electron-vite's out/renderer) at /agent/, for browsers and for
// the desktop app, which loads it from here so the console, its sign-in and its socket share one origin.
import { existsSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import express, { Router, type Response } from 'express';

const AGENT_CONSOLE_PATH = '/agent';
/** Where `npm run build` puts the console, seen from this file (server/http/). */
const DEFAULT_AGENT_CONSOLE_DIR = fileURLToPath(new URL('../../out/renderer/', import.meta.url));
export const NOT_BUILT_MESSAGE = 'The agent console is not built yet: run npm run build';

/** Vite names the files in assets/ by their content hash: a new build means new names. */
const IMMUTABLE = 'public, max-age=31536000, immutable';
/** Anything else (index.html above all) is checked with the server on every use. */
const REVALIDATE = 'no-cache';

export interface AgentConsoleOptions {
  /** The folder holding the console's index.html and assets/; tests point it elsewhere. */
  dir?: string | undefined;
}

export function agentConsole(options: AgentConsoleOptions = {}): Router {
  const dir = path.resolve(options.dir ?? DEFAULT_AGENT_CONSOLE_DIR);
  const indexFile = path.join(dir, 'index.html');
  const assets = express.static(dir, {
    index: false,
    redirect: false,
    fallthrough: true,
    setHeaders(res, file) {
      const inAssets = path.relative(dir, file).split(path.sep)[0] === 'assets';
      res.setHeader('Cache-Control', inAssets ? IMMUTABLE : REVALIDATE);
    },
  });

  const router = Router();
  router.use(AGENT_CONSOLE_PATH, (req, res, next) => {
    if (req.method !== 'GET' && req.method !== 'HEAD') return next();
    // The console's asset URLs are relative, so it must be loaded from /agent/, not /agent.
    const [pathname, query] = splitUrl(req.originalUrl);
    if (pathname === AGENT_CONSOLE_PATH) {
      return res.redirect(301, `${AGENT_CONSOLE_PATH}/${query}`);
    }
    // Checked on each request, so a build made while the server runs is served without a restart.
    if (!existsSync(indexFile)) return notBuilt(res);
    if (req.path === '/' || req.path === '/index.html') {
      // The app computes no ETags (see app.ts), so index.html gets a cheap one from its stat.
      const { size, mtimeMs } = statSync(indexFile);
      const etag = `W/"${size.toString(16)}-${Math.floor(mtimeMs).toString(16)}"`;
      res.setHeader('ETag', etag);
      res.setHeader('Cache-Control', REVALIDATE);
      if (req.headers['if-none-match'] === etag) return res.status(304).end();
      return res.sendFile(indexFile);
    }
    return assets(req, res, next);
  });
  return router;
}

function splitUrl(url: string): [string, string] {
  const at = url.indexOf('?');
  return at === -1 ? [url, ''] : [url.slice(0, at), url.slice(at)];
}

function notBuilt(res: Response): void {
  res
    .status(503)
    .type('html')
    .set('Cache-Control', 'no-store')
    .set('Retry-After', '30')
    .send(
      '<!doctype html>\n<html lang="en"><head><meta charset="utf-8">' +
        '<title>Help Desk OTP — agent console not built</title></head>' +
        `<body><h1>Help Desk OTP</h1><p>${NOT_BUILT_MESSAGE}.</p></body></html>\n`,
    );
}
