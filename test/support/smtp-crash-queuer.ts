// A process the outbox crash test SIGKILLs: it opens the store in a data dir whose realm already has
// mail set up, queues mails through the Outbox and prints one line per mail once `queue` resolved
// (acknowledged: recorded on disk). Usage: smtp-crash-queuer.ts <data dir> <mode> <count>
// - hold: queues without pause (several in flight) and never sends; the test kills it at any time.
// - send: queues <count> mails, prints `all-queued`, then starts the worker; the test kills it from
//   the SMTP server, once the first DATA arrived and before the server answers.
import { AdminNotices } from '../../server/agents/admin-notices';
import { silentLogger } from '../../server/logger';
import { renderMail } from '../../server/mail/mail-layout';
import { Outbox } from '../../server/mail/outbox';
import { RealmService } from '../../server/realm/realm-service';
import { openEmbeddedStore } from '../../server/store/embedded/embedded-store';

export type QueuerLine =
  { kind: 'ready' } | { kind: 'queued'; id: string; messageId: string } | { kind: 'all-queued' };

const IN_FLIGHT = 8;

async function main(): Promise<void> {
  const [dataDir, mode, countText] = process.argv.slice(2);
  if (!dataDir || (mode !== 'hold' && mode !== 'send'))
    throw new Error('smtp-crash-queuer <data dir> hold|send <count>');
  const count = Number(countText ?? 20);
  const store = await openEmbeddedStore(dataDir);
  const realm = new RealmService(store.realm, store.audit);
  const outbox = new Outbox({
    outbox: store.outbox,
    realm,
    keys: store.keys,
    audit: store.audit,
    notices: new AdminNotices(),
    logger: silentLogger(),
    now: Date.now,
  });
  // Pipes to the parent are written synchronously on Linux: a printed line is never lost to the kill.
  const print = (line: QueuerLine) => void process.stdout.write(`${JSON.stringify(line)}\n`);
  print({ kind: 'ready' });

  const queueOne = async (n: number) => {
    const content = renderMail({
      realmName: realm.config.name,
      subject: `Crash test ${n}`,
      heading: 'Crash test',
      paragraphs: [`Mail number ${n} from process ${process.pid}.`],
    });
    const { id, messageId } = await outbox.queue({
      kind: 'test',
      to: `user${n}@example.com`,
      ...content,
    });
    print({ kind: 'queued', id, messageId });
  };

  if (mode === 'send') {
    for (let n = 1; n <= count; n += 1) await queueOne(n);
    print({ kind: 'all-queued' });
    outbox.start();
    return;
  }
  const writing = new Set<Promise<void>>();
  for (let n = 1; ; n += 1) {
    const write = queueOne(n);
    writing.add(write);
    void write.finally(() => writing.delete(write));
    if (writing.size >= IN_FLIGHT) await Promise.race(writing);
  }
}

main().catch((error: unknown) => {
  process.stderr.write(
    `${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
  );
  process.exit(1);
});
