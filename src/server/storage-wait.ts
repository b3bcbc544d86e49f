/**
 * Start-up against storage that is not reachable yet (etcd down or still starting): the store
 * is asked for its revision until it answers, with a growing pause between tries (up to 5 s),
 * and each failure is logged once a while, instead of the start failing on the first refusal.
 */
import type { Logger } from 'pino';
import type { KvBackend } from '../storage/index.js';

const FIRST_PAUSE_MS = 250;
const LONGEST_PAUSE_MS = 5000;
/** A try that has not answered by then (storage frozen rather than refusing) counts as failed. */
const ATTEMPT_TIMEOUT_MS = 5000;

function answersWithin<T>(p: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_resolve, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${ms} ms`)), ms);
  });
  return Promise.race([p, late]).finally(() => clearTimeout(timer));
}

/** Resolves once `backend` answers. */
export async function waitForStorage(backend: KvBackend, logger: Logger): Promise<void> {
  let pause = FIRST_PAUSE_MS;
  let logged = 0;
  for (let attempt = 1; ; attempt++) {
    try {
      await answersWithin(backend.currentRevision(), ATTEMPT_TIMEOUT_MS);
      if (attempt > 1) logger.info({ attempts: attempt }, 'storage is reachable: starting');
      return;
    } catch (err) {
      if (Date.now() - logged >= LONGEST_PAUSE_MS) {
        logged = Date.now();
        logger.warn({ err: (err as Error).message ?? String(err), attempt }, 'storage is not reachable yet: retrying (/readyz fails meanwhile)');
      }
    }
    await new Promise((r) => setTimeout(r, pause));
    pause = Math.min(LONGEST_PAUSE_MS, pause * 2);
  }
}
