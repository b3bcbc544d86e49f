/**
 * Reads "not older than" a resourceVersion, as upstream's watch cache serves them: a read
 * naming a revision the store has not reached yet waits for it (up to 3 seconds), then
 * fails with 504 "Too large resource version" and a one-second retry hint.
 */
import { tooLargeResourceVersion } from '../../machinery/errors/index.js';
import { isStorageError } from '../../storage/errors.js';
import type { ObjectStore } from '../../storage/object-store.js';

/** How long a read waits for the store to reach the revision it names (upstream's blockTimeout). */
export const FRESHNESS_BLOCK_MS = 3000;
/** Seconds a client is told to wait before retrying (upstream's resourceVersionTooHighRetrySeconds). */
const RETRY_AFTER_SECONDS = 1;
const POLL_MS = 50;

/** Resolves once the store's revision is at least `minimum`; throws the 504 after the block timeout. */
export async function waitUntilFresh(store: ObjectStore, minimum: bigint, key: string, signal?: AbortSignal): Promise<void> {
  if (minimum <= 0n) return;
  if (store.waitFresh && minimum <= BigInt(Number.MAX_SAFE_INTEGER)) {
    // A cached store knows when its state reaches the revision; it waits as long as this does.
    try {
      return await store.waitFresh(key, Number(minimum));
    } catch (err) {
      if (!isStorageError(err, 'FutureRevision')) throw err;
      throw tooLargeResourceVersion(minimum, String(err.currentRevision ?? (await store.currentResourceVersion())), RETRY_AFTER_SECONDS);
    }
  }
  const deadline = Date.now() + FRESHNESS_BLOCK_MS;
  for (;;) {
    const current = await store.currentResourceVersion();
    if (BigInt(current) >= minimum) return;
    if (Date.now() >= deadline || signal?.aborted) throw tooLargeResourceVersion(minimum, current, RETRY_AFTER_SECONDS);
    await new Promise((resolve) => setTimeout(resolve, Math.min(POLL_MS, Math.max(0, deadline - Date.now()))));
  }
}
