// The floor of our stack: bare express 5 + socket.io 4 serving the same sign-in walk with the least
// work each call needs. Per call: the form parsed, a session cookie read (set on first contact), the
// CSRF token checked (an HMAC of the session), the identity carried in an HMAC-signed cookie, and on
// the submit one durable append (write + fdatasync, group-committed: appends that arrive while one
// is on its way share the next fsync), then the 303 answer, then the broadcast of the same payload
// to the same agents as the product. No validation schemas, lifecycle, audit chain, rate limits or
// page templates. Figure 9's floor: the agent's claim, verify and reveal on /agent, each change one
// durable append before the `{ data }` answer, then the same broadcast to the desk as the product.
import { createRequire } from 'node:module';
import { createServer } from 'node:http';
import { mkdtempSync, openSync, rmSync } from 'node:fs';
import { open as openFile, type FileHandle } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { AddressInfo } from 'node:net';
import { createHmac, randomBytes, randomInt, timingSafeEqual } from 'node:crypto';
import express, { type Request, type Response } from 'express';
import { Server, type Socket } from 'socket.io';

const app = express();
app.set('etag', false);
app.set('trust proxy', 1);
app.use(express.json());
app.use(express.urlencoded({ extended: false, limit: '16kb' }));
const httpServer = createServer(app);
const io = new Server(httpServer, { serveClient: false });
const agents = io.of('/agent');
agents.on('connection', (socket) => {
  const desk = (socket.handshake.auth as { desk?: string }).desk === '2' ? '2' : '1';
  void socket.join(`desk:${desk}`);
  socket.emit('session:ready', { desk });
  agentSteps(socket, desk);
});

// ── one durable append per batch ───────────────────────────────────────────────────────────────

const dataDir = mkdtempSync(path.join(tmpdir(), 'hdotp-baseline-'));
const logFile = path.join(dataDir, 'log.jsonl');
openSync(logFile, 'a');
let log: FileHandle | undefined;
let queued: { line: string; done: () => void }[] = [];
let writing = false;
async function drain(): Promise<void> {
  writing = true;
  log ??= await openFile(logFile, 'a');
  while (queued.length > 0) {
    const batch = queued;
    queued = [];
    await log.writeFile(batch.map((q) => q.line).join(''));
    await log.datasync();
    for (const q of batch) q.done();
  }
  writing = false;
}
function appendDurably(record: unknown): Promise<void> {
  return new Promise((resolve) => {
    queued.push({ line: `${JSON.stringify(record)}\n`, done: resolve });
    if (!writing) void drain();
  });
}

// ── cookies and CSRF ──────────────────────────────────────────────────────────────────────────

const key = randomBytes(32);
const mac = (text: string) => createHmac('sha256', key).update(text).digest('base64url');
const equal = (a: string, b: string) =>
  a.length === b.length && timingSafeEqual(Buffer.from(a), Buffer.from(b));
function cookie(req: Request, name: string): string | undefined {
  for (const part of (req.headers.cookie ?? '').split(';')) {
    const eq = part.indexOf('=');
    // express's res.cookie URI-encodes values, as our server's reader decodes them.
    if (part.slice(0, eq).trim() === name) return decodeURIComponent(part.slice(eq + 1).trim());
  }
  return undefined;
}
const cookieOptions = { httpOnly: true, sameSite: 'lax', path: '/' } as const;
function session(req: Request, res: Response): string {
  const existing = cookie(req, 'sid');
  if (existing) return existing;
  const sid = randomBytes(32).toString('base64url');
  res.cookie('sid', sid, cookieOptions);
  return sid;
}
function csrfOk(req: Request): boolean {
  const sid = cookie(req, 'sid');
  const sent = (req.body as { _csrf?: unknown })._csrf;
  return !!sid && typeof sent === 'string' && equal(sent, mac(`csrf\n${sid}`));
}
/** `username.requestId.mac`: who this browser is signing in as, and its request. */
function readFlow(req: Request): { u: string; rid: string } | undefined {
  const value = cookie(req, 'flow');
  const sid = cookie(req, 'sid');
  const dot = value?.lastIndexOf('.') ?? -1;
  if (!value || !sid || dot <= 0) return undefined;
  if (!equal(value.slice(dot + 1), mac(`flow\n${sid}\n${value.slice(0, dot)}`))) return undefined;
  const [u = '', rid = ''] = decodeURIComponent(value.slice(0, dot)).split('\n');
  return { u, rid };
}
function writeFlow(res: Response, sid: string, u: string, rid = ''): void {
  const payload = encodeURIComponent(`${u}\n${rid}`);
  res.cookie('flow', `${payload}.${mac(`flow\n${sid}\n${payload}`)}`, cookieOptions);
}
const page = (res: Response, body: string, sid: string) =>
  res
    .type('html')
    .set('Cache-Control', 'no-store')
    .send(
      `<!doctype html><title>Sign in</title><form method="post"><input type="hidden" name="_csrf" value="${mac(`csrf\n${sid}`)}">${body}</form>`,
    );

// ── the sign-in walk ──────────────────────────────────────────────────────────────────────────

interface BareRequest {
  id: string;
  desk: string;
  username: string;
  reference: string;
  state: string;
  updatedAt: number;
  claimedBy: string | null;
  verification: Array<{ checkId: string; note: string; by: string; at: number }>;
  otp: { hash: string; expiresAt: number; revealCount: number } | null;
}
const open = new Map<string, BareRequest>();

app.get('/sign-in', (req, res) => {
  page(res, '<input name="username"><button>Continue</button>', session(req, res));
});
app.post('/sign-in', (req, res) => {
  if (!csrfOk(req)) return void res.status(403).end();
  const username = String((req.body as { username?: unknown }).username ?? '');
  writeFlow(res, cookie(req, 'sid')!, username);
  res.redirect(303, '/sign-in/method');
});
app.get('/sign-in/method', (req, res) => {
  if (!readFlow(req)) return res.redirect(303, '/sign-in');
  page(res, '<input type="radio" name="desk" value="1"><button>Ask</button>', session(req, res));
});
app.post('/sign-in/method', async (req, res) => {
  const flow = readFlow(req);
  if (!csrfOk(req) || !flow) return void res.status(403).end();
  const desk = (req.body as { desk?: unknown }).desk === '2' ? '2' : '1';
  const now = Date.now();
  const view = {
    id: randomBytes(16).toString('base64url'),
    reference: 'ABC-123',
    desk,
    username: flow.u,
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
    risk: { level: 'low', score: 0, signals: [] },
    approvalNeeded: false,
    approval: null,
  };
  open.set(view.id, view);
  await appendDurably(view);
  writeFlow(res, cookie(req, 'sid')!, flow.u, view.id);
  res.redirect(303, '/sign-in/request');
  agents.to(`desk:${desk}`).emit('request:created', view);
});
app.get('/sign-in/request', (req, res) => {
  const flow = readFlow(req);
  const request = flow && open.get(flow.rid);
  if (!request) return res.redirect(303, '/sign-in');
  page(
    res,
    `<p class="reference-code">${request.reference}</p><p data-live-request="${flow.rid}">Waiting</p>`,
    session(req, res),
  );
});

// ── figure 9's floor: the agent's steps on a request ──────────────────────────────────────────

type Ack = (answer: { data?: unknown; error?: { code: string; message: string } }) => void;
const refuse = (ack: Ack, message: string) => ack({ error: { code: 'refused', message } });

/**
 * claim, verify (a check with its note), reveal: the request of this desk looked up, the step's one
 * rule checked, the change appended durably (one JSON line), then `{ data }`, then `request:updated`
 * to the desk (the passcode's HMAC is kept, never sent). The agent is the socket (no accounts here).
 */
function agentSteps(socket: Socket, desk: string): void {
  const agent = socket.id;
  const step =
    (
      work: (
        request: BareRequest,
        payload: Record<string, unknown>,
      ) => { refused: string } | { change: Record<string, unknown>; data?: unknown },
    ) =>
    async (payload: unknown, ack: unknown) => {
      if (typeof ack !== 'function') return;
      const fields = (payload ?? {}) as Record<string, unknown>;
      const request = open.get(String(fields.requestId));
      if (!request || request.desk !== desk) return refuse(ack as Ack, 'No such request.');
      const done = work(request, fields);
      if ('refused' in done) return refuse(ack as Ack, done.refused);
      request.updatedAt = Date.now();
      await appendDurably({ id: request.id, at: request.updatedAt, by: agent, ...done.change });
      const view = { ...request, otp: request.otp && { ...request.otp, hash: undefined } };
      (ack as Ack)({ data: done.data ?? view });
      agents.to(`desk:${desk}`).emit('request:updated', view);
    };
  socket.on(
    'request:claim',
    step((request) => {
      if (request.state !== 'queued') return { refused: 'Not waiting.' };
      request.state = 'claimed';
      request.claimedBy = agent;
      return { change: { state: 'claimed' } };
    }),
  );
  socket.on(
    'request:verify',
    step((request, { checkId, note }) => {
      if (request.claimedBy !== agent) return { refused: 'Not yours.' };
      const check = {
        checkId: String(checkId),
        note: String(note ?? ''),
        by: agent,
        at: Date.now(),
      };
      request.verification.push(check);
      return { change: { verified: check } };
    }),
  );
  socket.on(
    'request:reveal',
    step((request) => {
      if (request.claimedBy !== agent || request.verification.length === 0)
        return { refused: 'Not verified.' };
      const otp = String(randomInt(100_000_000)).padStart(8, '0');
      const revealCount = (request.otp?.revealCount ?? 0) + 1;
      request.otp = {
        hash: mac(`otp\n${request.id}\n${otp}`),
        expiresAt: Date.now() + 600_000,
        revealCount,
      };
      request.state = 'otp-issued';
      return {
        change: { state: 'otp-issued', otp: request.otp },
        data: { otp, expiresAt: request.otp.expiresAt, revealCount },
      };
    }),
  );
}

// ── figure 6's floor: a bare page that lists the queue and appends rows on events ─────────────

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

httpServer.listen(Number(process.argv[2] ?? 0), '127.0.0.1', () => {
  const { port } = httpServer.address() as AddressInfo;
  console.log(`baseline ready http://127.0.0.1:${port}`);
});
process.on('SIGTERM', () => {
  rmSync(dataDir, { recursive: true, force: true });
  process.exit(0);
});
