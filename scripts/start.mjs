// `npm start [-- server flags]`: runs the server in the foreground and, once it answers, the
// desktop app beside it. Without an Electron binary the server simply keeps running; Ctrl-C or
// SIGTERM stops it, and this process exits with the server's exit code.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { constants } from 'node:os';
import { fileURLToPath } from 'node:url';
import { serverAddress } from './server-address.mjs';

const POLL_EVERY_MS = 250;
const WAIT_FOR_SERVER_MS = 60_000;

const rootDir = fileURLToPath(new URL('..', import.meta.url));
const serverArgs = process.argv.slice(2);
if (serverArgs[0] === '--') serverArgs.shift();

let address;
try {
  address = serverAddress(serverArgs, process.env);
} catch (error) {
  console.error(error.message);
  process.exit(2);
}

// The server serves the agent console from out/renderer; build it once on a fresh checkout.
if (!existsSync(fileURLToPath(new URL('../out/renderer/index.html', import.meta.url)))) {
  console.log('Building the agent console (first start only)…');
  const build = spawnSync(process.execPath, [electronViteCli(), 'build'], {
    cwd: rootDir,
    stdio: 'inherit',
  });
  if (build.status !== 0) console.error('The console build failed; the server starts without it.');
}

const server = spawn(process.execPath, ['--import', 'tsx', 'server/index.ts', ...serverArgs], {
  cwd: rootDir,
  stdio: 'inherit',
});
let app = null;

server.on('error', (error) => {
  console.error(`The server could not start: ${error.message}`);
  process.exit(1);
});
server.on('exit', (code, signal) => {
  if (running(app)) app.kill('SIGTERM');
  process.exit(code ?? 128 + (constants.signals[signal] ?? 0));
});

function electronViteCli() {
  const require = createRequire(import.meta.url);
  const pkg = require.resolve('electron-vite/package.json');
  return fileURLToPath(new URL('./bin/electron-vite.js', `file://${pkg}`));
}

const running = (child) => child && child.exitCode === null && child.signalCode === null;

// A Ctrl-C in a terminal reaches the whole foreground process group, the server included, so it
// is forwarded only when it cannot have come from the keyboard: a second SIGINT could cut the
// server's graceful shutdown short. SIGTERM and SIGHUP are always forwarded.
for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP']) {
  process.on(signal, () => {
    if (signal === 'SIGINT' && process.stdin.isTTY) return;
    for (const child of [server, app]) if (running(child)) child.kill(signal);
  });
}

async function serverAnswers() {
  try {
    const response = await fetch(`${address.url}/healthz`, {
      signal: AbortSignal.timeout(POLL_EVERY_MS * 4),
    });
    return response.ok;
  } catch {
    return false;
  }
}

async function waitForServer() {
  const deadline = Date.now() + WAIT_FOR_SERVER_MS;
  while (running(server) && Date.now() < deadline) {
    if (await serverAnswers()) return true;
    await new Promise((resolve) => setTimeout(resolve, POLL_EVERY_MS));
  }
  return false;
}

if (await waitForServer()) {
  app = spawn(
    process.execPath,
    [fileURLToPath(new URL('./launch-app.mjs', import.meta.url)), '--optional'],
    {
      cwd: rootDir,
      stdio: 'inherit',
      env: { ...process.env, HELPDESK_SERVER_URL: address.url },
    },
  );
  app.on('exit', (code) => {
    if (running(server) && code === 0) {
      console.log(`The server keeps running at ${address.url}; Ctrl-C stops it.`);
    }
  });
} else if (running(server)) {
  console.error(
    `The server did not answer at ${address.url}/healthz within ${WAIT_FOR_SERVER_MS / 1000} s; not launching the desktop app.`,
  );
}
