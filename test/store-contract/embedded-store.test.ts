// The embedded store (lowdb documents and journals in a data dir) against the store contract.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { openEmbeddedStore } from '../../server/store/embedded/embedded-store';
import { describeStoreContract } from './store-contract';

describeStoreContract('embedded store', async () => {
  const dataDir = await mkdtemp(path.join(tmpdir(), 'hdotp-contract-'));
  return {
    open: () => openEmbeddedStore(dataDir),
    inAnotherProcess: {
      module: 'server/store/embedded/embedded-store.ts',
      exportName: 'openEmbeddedStore',
      location: dataDir,
    },
    dispose: () => rm(dataDir, { recursive: true, force: true }),
  };
});
