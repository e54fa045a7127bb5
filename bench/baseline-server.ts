// The floor of our stack: bare express 5 + socket.io 4, an in-memory handler that broadcasts the
// same payload to the same agents as the product does. No validation, storage or audit.
import { createRequire } from 'node:module';
import { createServer } from 'node:http';
import path from 'node:path';
import type { AddressInfo } from 'node:net';
import { randomBytes } from 'node:crypto';
import express from 'express';
import { Server } from 'socket.io';

const app = express();
app.use(express.json());
const httpServer = createServer(app);
const io = new Server(httpServer, { serveClient: false });
const agents = io.of('/agent');
agents.on('connection', (socket) => {
  const desk = (socket.handshake.auth as { desk?: string }).desk === '2' ? '2' : '1';
  void socket.join(`desk:${desk}`);
  socket.emit('session:ready', { desk });
});

const open = new Map<string, { desk: string }>();
// Figure 6's floor: a bare page that lists the queue and appends rows on events.
const require = createRequire(import.meta.url);
app.get('/socket.io.min.js', (_req, res) =>
  res.sendFile(
    path.join(
      path.dirname(require.resolve('socket.io-client/package.json')),
      'dist/socket.io.min.js',
    ),
  ),
);
app.use(express.static(new URL('./baseline-console/', import.meta.url).pathname));
app.get('/api/queue', (_req, res) => {
  res.json({ requests: [...open.values()].filter((r) => r.desk === '1') });
});
app.post('/api/seed', (req, res) => {
  const { count } = req.body as { count: number };
  const now = Date.now();
  for (let i = 0; i < count; i++) {
    const id = randomBytes(16).toString('base64url');
    open.set(id, {
      id,
      reference: 'ABC-123',
      desk: '1',
      username: `seed${i}`,
      state: 'queued',
      createdAt: now,
    } as never);
  }
  res.status(204).end();
});
app.post('/api/enduser/requests', (req, res) => {
  const { username, desk } = req.body as { username: string; desk: '1' | '2' };
  const now = Date.now();
  const view = {
    id: randomBytes(16).toString('base64url'),
    reference: 'ABC-123',
    desk,
    username,
    displayName: '',
    inDirectory: false,
    state: 'queued',
    createdAt: now,
    updatedAt: now,
    expiresAt: now + 1_800_000,
    claimedBy: null,
    verification: [],
    otp: null,
    failedAttempts: 0,
    closedReason: null,
    origin: { ip: req.ip ?? '', userAgent: String(req.headers['user-agent'] ?? '') },
    contested: false,
    contestedWith: [],
  };
  open.set(view.id, view);
  res.status(201).json({ data: { id: view.id, reference: view.reference, phase: 'waiting' } });
  agents.to(`desk:${desk}`).emit('request:created', view);
});

httpServer.listen(Number(process.argv[2] ?? 0), '127.0.0.1', () => {
  const { port } = httpServer.address() as AddressInfo;
  console.log(`baseline ready http://127.0.0.1:${port}`);
});
process.on('SIGTERM', () => process.exit(0));
