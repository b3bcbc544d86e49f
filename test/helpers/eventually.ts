/** Waiting in tests for what the server does a moment later (views and controllers that follow a watch). */

/** Retries `fn` every 50 ms until it returns true; throws naming `what` after `ms`. */
export async function eventually(what: string, fn: () => Promise<boolean>, ms = 5000): Promise<void> {
  const deadline = Date.now() + ms;
  for (;;) {
    if (await fn()) return;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}
