// The embedded directory (users kept in the store) against the directory contract.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { EmbeddedDirectory } from '../../server/directory/embedded-directory';
import { openEmbeddedStore } from '../../server/store/embedded/embedded-store';
import { describeDirectoryContract } from './directory-contract';

describeDirectoryContract('embedded', async (fixtures) => {
  const dataDir = await mkdtemp(path.join(tmpdir(), 'hdotp-directory-'));
  const store = await openEmbeddedStore(dataDir);
  const directory = new EmbeddedDirectory(store.directory);
  await Promise.all(fixtures.map((user) => directory.addUser(user)));
  return {
    directory,
    async dispose() {
      await store.close();
      await rm(dataDir, { recursive: true, force: true });
    },
  };
});
