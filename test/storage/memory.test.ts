import { createMemoryBackend } from '../../src/storage/memory/index.js';
import { cachedHarness, runKvConformance, runObjectStoreConformance, type HarnessFactory } from './conformance.js';

const make: HarnessFactory = async () => {
  const backend = createMemoryBackend();
  return { backend, cleanup: () => backend.close() };
};

runKvConformance('memory', make);
runObjectStoreConformance('memory', make);
runObjectStoreConformance('memory, watch cache', cachedHarness(make));
