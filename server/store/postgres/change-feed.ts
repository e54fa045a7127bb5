// Keeps this process's caches in step with every other process sharing the database: one LISTEN
// connection, its notifications handled strictly one after another (re-reads included), and after
// the connection was lost, a reconnect with backoff and a full reload (what was missed is unknown).
import pg from 'pg';
import type { Follower } from './cache';
import type { ChangePayload } from './transaction';
import { CHANGE_CHANNEL } from './transaction';

const BACKOFF_FIRST_MS = 100;
const BACKOFF_MAX_MS = 5_000;

export type RemoteChangeListener = (table: string, key: string) => void;

export interface ChangeFeedOptions {
  connectionString: string;
  pool: pg.Pool;
  /** This store's id: its own changes are not reported as remote. */
  storeId: string;
  followers: readonly Follower[];
  /** Called after every full reload (the database is reachable again). */
  onReloaded?(): void;
  /** Told whatever fails in the background (a reload, a re-read): never thrown. */
  warn(message: string, error?: unknown): void;
}

export class ChangeFeed {
  readonly #options: ChangeFeedOptions;
  readonly #followers: Map<string, Follower>;
  readonly #listeners = new Set<RemoteChangeListener>();
  #client: pg.Client | undefined;
  #connected = false;
  #loaded = false;
  #closed = false;
  #backoff = BACKOFF_FIRST_MS;
  #retry: NodeJS.Timeout | undefined;
  /** The notifications and reloads still to handle, in order. */
  #tail: Promise<void> = Promise.resolve();

  constructor(options: ChangeFeedOptions) {
    this.#options = options;
    this.#followers = new Map(options.followers.map((f) => [f.name, f]));
  }

  /** True while the LISTEN connection is up and the caches have been reloaded since it came. */
  get healthy(): boolean {
    return this.#connected && this.#loaded;
  }

  onRemoteChange(listener: RemoteChangeListener): () => void {
    this.#listeners.add(listener);
    return () => void this.#listeners.delete(listener);
  }

  /** Listens, then loads every follower; rejects when the database cannot be reached now. */
  async start(): Promise<void> {
    await this.#connect();
    await this.#enqueue(() => this.#reload(false));
  }

  /** Waits until every notification received so far has been handled (for tests). */
  settled(): Promise<void> {
    return this.#tail;
  }

  async close(): Promise<void> {
    this.#closed = true;
    clearTimeout(this.#retry);
    await this.#tail;
    const client = this.#client;
    this.#client = undefined;
    this.#connected = false;
    await client?.end().catch(() => undefined);
  }

  async #connect(): Promise<void> {
    const client = new pg.Client({
      connectionString: this.#options.connectionString,
      keepAlive: true,
      connectionTimeoutMillis: 5_000,
    });
    client.on('error', (error) => this.#lost(client, error));
    client.on('end', () => this.#lost(client));
    client.on('notification', (message) => {
      if (message.channel !== CHANGE_CHANNEL || message.payload === undefined) return;
      const payload = message.payload;
      void this.#enqueue(() => this.#handle(payload));
    });
    try {
      await client.connect();
      await client.query(`LISTEN ${CHANGE_CHANNEL}`);
    } catch (error) {
      client.removeAllListeners('end');
      await client.end().catch(() => undefined);
      throw error;
    }
    this.#client = client;
    this.#connected = true;
    this.#backoff = BACKOFF_FIRST_MS;
  }

  /** The LISTEN connection failed or ended: notifications are being missed from now on. */
  #lost(client: pg.Client, error?: Error): void {
    if (this.#client !== client) return;
    this.#client = undefined;
    this.#connected = false;
    this.#loaded = false;
    void client.end().catch(() => undefined);
    if (this.#closed) return;
    // A reload waiting for its turn would fail too: reconnect first, the reload follows.
    clearTimeout(this.#retry);
    this.#retry = undefined;
    this.#options.warn('The store lost its change feed from PostgreSQL; reconnecting.', error);
    this.#scheduleReconnect();
  }

  #scheduleReconnect(): void {
    if (this.#closed || this.#retry) return;
    const delay = this.#backoff;
    this.#backoff = Math.min(BACKOFF_MAX_MS, this.#backoff * 2);
    this.#retry = setTimeout(() => {
      this.#retry = undefined;
      void this.#reconnect();
    }, delay);
  }

  async #reconnect(): Promise<void> {
    if (this.#closed) return;
    try {
      await this.#connect();
    } catch {
      this.#scheduleReconnect();
      return;
    }
    void this.#enqueue(() => this.#reload(true));
  }

  #enqueue(task: () => Promise<void>): Promise<void> {
    const run = this.#tail.then(task);
    this.#tail = run.catch(() => undefined);
    return run;
  }

  async #handle(text: string): Promise<void> {
    if (!this.#loaded) return; // A reload is due and will see this change.
    let payload: ChangePayload;
    try {
      payload = JSON.parse(text) as ChangePayload;
    } catch {
      return;
    }
    const follower = this.#followers.get(payload.t);
    if (!follower) return;
    try {
      const change = {
        ...(payload.d === undefined ? {} : { data: payload.d }),
        ...(payload.x ? { deleted: true } : {}),
      };
      const applied = await follower.receive(this.#options.pool, payload.k, payload.r, change);
      if (applied && payload.s !== this.#options.storeId && follower.reported !== false)
        this.#report(payload.t, payload.k);
    } catch (error) {
      // The change could not be read (the database went away?): read everything once it is back.
      this.#options.warn(`A change to ${payload.t} could not be applied; reloading.`, error);
      this.#loaded = false;
      this.#scheduleReload();
    }
  }

  #scheduleReload(): void {
    if (this.#closed || this.#retry) return;
    const delay = this.#backoff;
    this.#backoff = Math.min(BACKOFF_MAX_MS, this.#backoff * 2);
    this.#retry = setTimeout(() => {
      this.#retry = undefined;
      void this.#enqueue(() => this.#reload(true));
    }, delay);
  }

  /** Reads every follower again in one snapshot; `report`: tell listeners what changed. */
  async #reload(report: boolean): Promise<void> {
    if (this.#closed) return;
    let client: pg.PoolClient | undefined;
    let broken: Error | undefined;
    try {
      client = await this.#options.pool.connect();
      await client.query('BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY');
      const { rows } = await client.query<{ horizon: string }>(
        'SELECT last_value AS horizon FROM store_rev',
      );
      const horizon = Number(rows[0]?.horizon ?? 0);
      const changed: [string, string][] = [];
      for (const follower of this.#followers.values())
        for (const key of await follower.load(client, horizon))
          if (follower.reported !== false) changed.push([follower.name, key]);
      await client.query('COMMIT');
      this.#loaded = true;
      this.#backoff = BACKOFF_FIRST_MS;
      this.#options.onReloaded?.();
      if (report) for (const [table, key] of changed) this.#report(table, key);
    } catch (error) {
      broken = error as Error;
      if (!report) throw error;
      this.#options.warn('Reloading the store from PostgreSQL failed; trying again.', error);
      if (this.#connected) this.#scheduleReload();
      else this.#scheduleReconnect();
    } finally {
      client?.release(broken);
    }
  }

  #report(table: string, key: string): void {
    for (const listener of this.#listeners) {
      try {
        listener(table, key);
      } catch (error) {
        this.#options.warn(`A listener of remote changes to ${table} failed.`, error);
      }
    }
  }
}
