// Holds a data dir's lock in a process of its own for the lock tests: prints "locked" and waits
// to be killed, or prints why it could not and exits 1.
import { acquireDataDirLock } from '../../server/store/embedded/data-dir-lock';

const dir = process.argv[2];
if (!dir) throw new Error('usage: hold-data-dir-lock.ts DATA_DIR');
acquireDataDirLock(dir).then(
  () => {
    console.log('locked');
    setInterval(() => undefined, 60_000);
  },
  (error: unknown) => {
    console.log(error instanceof Error ? error.message : String(error));
    process.exit(1);
  },
);
