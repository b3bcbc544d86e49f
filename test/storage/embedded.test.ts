import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createEmbeddedBackend } from '../../src/storage/embedded/index.js';
import type { KvBackend } from '../../src/storage/kv.js';
import { cachedHarness, runKvConformance, runObjectStoreConformance, type HarnessFactory } from './conformance.js';

const make: HarnessFactory = async () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'wheelhouse-embedded-'));
  let backend: KvBackend = createEmbeddedBackend({ dataDir });
  const h = {
    backend,
    async reopen() {
      await backend.close();
      backend = createEmbeddedBackend({ dataDir });
      return backend;
    },
    async cleanup() {
      await backend.close();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
  return h;
};

runKvConformance('embedded', make);
runObjectStoreConformance('embedded', make);
runObjectStoreConformance('embedded, watch cache', cachedHarness(make));
