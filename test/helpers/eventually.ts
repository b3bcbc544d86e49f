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

/** Retries the assertions in `fn` every 50 ms until they pass; after `ms` throws the last failure. */
export async function eventuallyPasses(fn: () => void | Promise<void>, ms = 5000): Promise<void> {
  let last: unknown;
  const passed = async (): Promise<boolean> => {
    try {
      await fn();
      return true;
    } catch (err) {
      last = err;
      return false;
    }
  };
  try {
    await eventually('assertions to pass', passed, ms);
  } catch {
    throw last;
  }
}
