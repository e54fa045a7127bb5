// What the server measures for Prometheus (prom-client): the queue per desk and state, how long
// requests wait to be claimed, revealed and completed, reveals per agent, wrong passcodes,
// rate-limit refusals, sockets, the outbox's backlog, store write latency and the event loop's lag.
// Served apart from the public pages (see metrics-endpoint.ts). In a cluster each process answers
// for itself: sum its counters across processes; the queue gauges are the realm's in every process.
import client from 'prom-client';
import { HELP_DESK_IDS } from '../contract/realm-config';
import { isOpen, type HelpRequest } from '../domain/help-request';
import type { RequestChange } from '../requests/request-service';
import type { Store } from '../store/repositories';

/** Seconds from submission: most requests are claimed within minutes, some wait an hour. */
const WAIT_BUCKETS = [5, 15, 30, 60, 120, 300, 600, 1_200, 1_800, 3_600, 7_200];
/** Seconds a store write takes: a durable commit is milliseconds; a stalled disk or database, seconds. */
const WRITE_BUCKETS = [0.001, 0.002, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5];

export type RefusalKind = 'flood-gate' | 'sign-in-limit';

export interface MetricsSources {
  store: Store;
  /** Open sockets per namespace in this process. */
  socketCounts(): Record<string, number>;
}

export class ServerMetrics {
  readonly registry = new client.Registry();
  private readonly timeTo: Record<'claim' | 'reveal' | 'complete', client.Histogram>;
  private readonly reveals: client.Counter<'agent'>;
  private readonly wrongPasscodes: client.Counter;
  private readonly closed: client.Counter<'desk' | 'outcome'>;
  private readonly refusals: client.Counter<'limit'>;
  readonly storeWrites: client.Histogram<'operation'>;

  constructor(sources: MetricsSources) {
    const registry = this.registry;
    client.collectDefaultMetrics({ register: registry, eventLoopMonitoringPrecision: 20 });
    const { store } = sources;
    new client.Gauge({
      name: 'helpdesk_open_requests',
      help: 'Open help-desk requests by desk and state.',
      labelNames: ['desk', 'state'],
      registers: [registry],
      collect() {
        this.reset();
        for (const desk of HELP_DESK_IDS) this.set({ desk, state: 'queued' }, 0);
        const counts = new Map<string, number>();
        for (const r of store.requests.all) {
          const key = `${r.desk}\u0000${r.state}`;
          counts.set(key, (counts.get(key) ?? 0) + 1);
        }
        for (const [key, n] of counts) {
          const [desk, state] = key.split('\u0000');
          this.set({ desk, state }, n);
        }
      },
    });
    const waited = (name: string, what: string) =>
      new client.Histogram({
        name: `helpdesk_request_${name}_seconds`,
        help: `Seconds from a request's submission to ${what}.`,
        buckets: WAIT_BUCKETS,
        registers: [registry],
      });
    this.timeTo = {
      claim: waited('claim', 'its first claim'),
      reveal: waited('reveal', 'its passcode being revealed'),
      complete: waited('complete', 'the user signing in with the passcode'),
    };
    this.reveals = new client.Counter({
      name: 'helpdesk_reveals_total',
      help: 'Passcodes revealed, by agent username.',
      labelNames: ['agent'],
      registers: [registry],
    });
    this.wrongPasscodes = new client.Counter({
      name: 'helpdesk_wrong_passcodes_total',
      help: 'Wrong passcodes typed on the sign-in pages.',
      registers: [registry],
    });
    this.closed = new client.Counter({
      name: 'helpdesk_requests_closed_total',
      help: 'Requests closed, by desk and outcome.',
      labelNames: ['desk', 'outcome'],
      registers: [registry],
    });
    this.refusals = new client.Counter({
      name: 'helpdesk_rate_limit_refusals_total',
      help: 'Requests refused by a rate limit: the flood gate before the app, or a sign-in step limit.',
      labelNames: ['limit'],
      registers: [registry],
    });
    new client.Gauge({
      name: 'helpdesk_socket_connections',
      help: 'Open socket.io connections to this process, by namespace.',
      labelNames: ['namespace'],
      registers: [registry],
      collect() {
        this.reset();
        for (const [namespace, n] of Object.entries(sources.socketCounts()))
          this.set({ namespace }, n);
      },
    });
    new client.Gauge({
      name: 'helpdesk_outbox_messages',
      help: 'Mails in the outbox by state (pending is the backlog).',
      labelNames: ['state'],
      registers: [registry],
      collect() {
        const counts = store.outbox.counts();
        for (const state of ['pending', 'failed', 'sent'] as const)
          this.set({ state }, counts[state]);
      },
    });
    this.storeWrites = new client.Histogram({
      name: 'helpdesk_store_write_seconds',
      help: 'Seconds a durable store write takes, by operation.',
      labelNames: ['operation'],
      buckets: WRITE_BUCKETS,
      registers: [registry],
    });
  }

  /** Feeds the request figures from the request service's changes. */
  requestChanged({ request, action }: RequestChange): void {
    const since = (at: number) => Math.max(0, (at - request.createdAt) / 1000);
    switch (action) {
      case 'request.claimed':
        this.timeTo.claim.observe(since(request.updatedAt));
        break;
      case 'request.otp-revealed':
        this.timeTo.reveal.observe(since(request.updatedAt));
        this.reveals.inc({ agent: revealer(request) });
        break;
      case 'otp.wrong':
        this.wrongPasscodes.inc();
        break;
    }
    // A closed request never changes again: its one change event is the closing one.
    if (!isOpen(request)) {
      if (request.state === 'completed') this.timeTo.complete.observe(since(request.closedAt));
      this.closed.inc({ desk: request.desk, outcome: request.state });
    }
  }

  refused(limit: RefusalKind): void {
    this.refusals.inc({ limit });
  }

  /** The exposition text and its content type. */
  async exposition(): Promise<{ contentType: string; body: string }> {
    return { contentType: this.registry.contentType, body: await this.registry.metrics() };
  }
}

function revealer(request: HelpRequest): string {
  return ('claimedBy' in request ? request.claimedBy?.username : undefined) ?? 'unknown';
}
