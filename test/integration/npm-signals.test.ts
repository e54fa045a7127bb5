// `npm run server` as Docker, systemd and most service managers stop it: a signal sent to the npm
// process alone (not to its whole process group) stops the server, which frees its port and lock.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it, onTestFinished } from 'vitest';
import { ROOT, runServer } from '../support/server-process';

let dataDir: string;
beforeEach(async () => {
  dataDir = await mkdtemp(path.join(tmpdir(), 'hdotp-npm-'));
});
afterEach(async () => {
  await rm(dataDir, { recursive: true, force: true });
});

/** `npm run server` spawned directly (no shell of ours), with the URL it prints once ready. */
async function npmRunServer(): Promise<{
  npm: ChildProcess;
  url: string;
  exited: Promise<number | null>;
}> {
  const npm = spawn('npm', ['run', 'server', '--', '--port', '0', '--data', dataDir], {
    cwd: ROOT,
    stdio: ['ignore', 'pipe', 'pipe'],
    // A process group of its own, only so that a failing run can clean up whatever is left in
    // it; the signals under test go to the npm pid alone.
    detached: true,
  });
  const group = -(npm.pid ?? 0);
  onTestFinished(() => {
    try {
      if (group !== 0) process.kill(group, 'SIGKILL');
    } catch {
      // nothing left
    }
  });
  const exited = new Promise<number | null>((resolve) => npm.on('exit', (code) => resolve(code)));
  let output = '';
  const url = await new Promise<string>((resolve, reject) => {
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      const match = /health\s+(http:\/\/\S+)\/healthz/.exec(output);
      if (match?.[1]) resolve(match[1]);
    };
    npm.stdout.on('data', onData);
    npm.stderr.on('data', onData);
    void exited.then(() => reject(new Error(`npm run server exited before ready:\n${output}`)));
  });
  return { npm, url, exited };
}

describe('npm run server', () => {
  it.each(['SIGTERM', 'SIGINT'] as const)(
    'stops the server when %s is sent to the npm process alone',
    async (signal) => {
      const { npm, url, exited } = await npmRunServer();
      expect((await fetch(`${url}/healthz`)).status).toBe(200);

      npm.kill(signal);
      // npm waits for the server's clean shutdown and passes on its exit code.
      expect(await exited).toBe(0);

      // The port is closed…
      await expect(fetch(`${url}/healthz`)).rejects.toThrow();
      // …and the data dir is free for the next server.
      const next = runServer(['--port', '0', '--data', dataDir]);
      await next.ready;
      next.child.kill('SIGTERM');
      expect(await next.exited).toBe(0);
    },
    30_000,
  );
});
