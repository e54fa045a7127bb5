// A writer the store contract kills with SIGKILL: it opens a store in its own process, commits
// requests and audit entries without pause (several in flight) and prints one line per
// acknowledged write. Usage: crash-writer.ts <module> <export> <location>, where the module's
// export opens the store at the location.
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Store } from '../../server/store/repositories';
import { cancelled, changed, queuedRequest } from './records';

/** One acknowledged write, as printed (a JSON line). */
export type Acknowledged =
  { kind: 'submitted' | 'cancelled'; id: string } | { kind: 'audit'; seq: number; hash: string };
/** What the writer prints: that the store is open, then its acknowledged writes. */
export type WriterLine = { kind: 'ready' } | Acknowledged;

const IN_FLIGHT = 16;

async function main(): Promise<void> {
  const [module, exportName, location] = process.argv.slice(2);
  if (!module || !exportName || !location)
    throw new Error('crash-writer <module> <export> <location>');
  const opener = (await import(pathToFileURL(path.resolve(module)).href)) as Record<
    string,
    (location: string) => Promise<Store>
  >;
  const store = await opener[exportName]!(location);
  // Pipes to the parent are written synchronously on Linux: a printed line is never lost to the kill.
  const print = (line: WriterLine) => void process.stdout.write(`${JSON.stringify(line)}\n`);
  print({ kind: 'ready' });

  const writing = new Set<Promise<void>>();
  for (let n = 1; ; n += 1) {
    const request = queuedRequest(n);
    const write = store.requests
      .commit(request, changed(request, 'request.submitted'))
      .then(async () => {
        print({ kind: 'submitted', id: request.id });
        if (n % 3 !== 0) return;
        const closed = cancelled(request);
        await store.requests.commit(closed, changed(closed, 'request.cancelled'));
        print({ kind: 'cancelled', id: request.id });
      });
    const audit =
      n % 4 === 0
        ? store.audit
            .record({ actor: 'system', action: 'contract.crash-test', details: { n } })
            .then((entry) => print({ kind: 'audit', seq: entry.seq, hash: entry.hash }))
        : Promise.resolve();
    const both = Promise.all([write, audit]).then(() => undefined);
    writing.add(both);
    void both.finally(() => writing.delete(both));
    if (writing.size >= IN_FLIGHT) await Promise.race(writing);
  }
}

main().catch((error: unknown) => {
  process.stderr.write(
    `${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
  );
  process.exit(1);
});
