// PostgreSQL for the cluster figures: the tests' throwaway cluster, and a data dir moved into a
// fresh database with the product's own `npm run store -- copy`.
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { ROOT } from './processes';

export { startPostgres, type Postgres } from '../../test/support/postgres';

const run = promisify(execFile);

/** Copies an embedded data dir into the (empty) database at `url`; resolves with the seconds it took. */
export async function copyToPostgres(dataDir: string, url: string): Promise<number> {
  const started = performance.now();
  await run(
    process.execPath,
    ['--import', 'tsx', 'server/store/store-cli.ts', 'copy', '--from', dataDir, '--to', url],
    { cwd: ROOT, maxBuffer: 16 * 1024 * 1024 },
  );
  return (performance.now() - started) / 1000;
}
