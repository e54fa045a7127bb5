// Locks on users held against every process sharing the database: session advisory locks taken on
// one connection of this store's own, tried without blocking (so one user's wait never holds up
// another's) and retried with a short backoff while another process holds the user.
import pg from 'pg';

const RETRY_FIRST_MS = 1;
const RETRY_MAX_MS = 50;

export class UserLocks {
  #client: pg.Client | undefined;
  #connecting: Promise<pg.Client> | undefined;
  #closed = false;

  constructor(private readonly url: string) {}

  /** Waits until this process holds `key`; resolves with the connection holding it. */
  async acquire(key: string): Promise<pg.Client> {
    for (let wait = RETRY_FIRST_MS; ; wait = Math.min(RETRY_MAX_MS, wait * 2)) {
      const client = await this.#connection();
      const { rows } = await client.query<{ held: boolean }>(
        'SELECT pg_try_advisory_lock(hashtextextended($1, 0)) AS held',
        [key],
      );
      if (rows[0]?.held) return client;
      await new Promise((resolve) => setTimeout(resolve, wait));
    }
  }

  /** Gives `key` up (a connection lost since has given it up already). */
  async release(key: string, holder: pg.Client): Promise<void> {
    if (holder !== this.#client) return;
    await holder
      .query('SELECT pg_advisory_unlock(hashtextextended($1, 0))', [key])
      .catch(() => this.#drop(holder));
  }

  async close(): Promise<void> {
    this.#closed = true;
    const client = this.#client ?? (await this.#connecting?.catch(() => undefined));
    this.#client = undefined;
    await client?.end().catch(() => undefined);
  }

  #drop(client: pg.Client): void {
    if (this.#client === client) this.#client = undefined;
    void client.end().catch(() => undefined);
  }

  #connection(): Promise<pg.Client> {
    if (this.#closed) return Promise.reject(new Error('The store is closed.'));
    if (this.#client) return Promise.resolve(this.#client);
    this.#connecting ??= (async () => {
      const client = new pg.Client({
        connectionString: this.url,
        keepAlive: true,
        connectionTimeoutMillis: 5_000,
      });
      client.on('error', () => this.#drop(client));
      client.on('end', () => this.#drop(client));
      try {
        await client.connect();
      } catch (error) {
        await client.end().catch(() => undefined);
        throw error;
      }
      this.#client = client;
      return client;
    })().finally(() => (this.#connecting = undefined));
    return this.#connecting;
  }
}
