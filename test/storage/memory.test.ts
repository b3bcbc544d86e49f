import { createMemoryBackend } from '../../src/storage/memory/index.js';
import { runKvConformance, runObjectStoreConformance, type HarnessFactory } from './conformance.js';

const make: HarnessFactory = async () => {
  const backend = createMemoryBackend();
  return { backend, cleanup: () => backend.close() };
};

runKvConformance('memory', make);
runObjectStoreConformance('memory', make);
