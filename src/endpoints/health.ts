/**
 * Health checks behind `/livez`, `/readyz` and `/healthz`, named as kube-apiserver names
 * them (`ping`, `log`, `etcd`, `etcd-readiness`, `informer-sync`, `shutdown`). A check passes
 * by resolving and fails by throwing; `runChecks` asks them all at once, each within a deadline.
 */

export interface HealthCheck {
  name: string;
  check(): Promise<void> | void;
}

export interface CheckResult {
  name: string;
  excluded: boolean;
  error?: string;
}

/** The checks of each endpoint. */
export interface HealthEndpoints {
  livez: readonly HealthCheck[];
  readyz: readonly HealthCheck[];
  healthz: readonly HealthCheck[];
}

/** How long one check may take before it counts as failed. */
export const CHECK_TIMEOUT_MS = 2000;

async function runOne(check: HealthCheck, timeoutMs: number): Promise<string | undefined> {
  let timer: NodeJS.Timeout | undefined;
  try {
    await Promise.race([
      Promise.resolve().then(() => check.check()),
      new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error(`timed out after ${timeoutMs}ms`)), timeoutMs);
      }),
    ]);
    return undefined;
  } catch (err) {
    return err instanceof Error ? err.message : String(err);
  } finally {
    clearTimeout(timer);
  }
}

/** Runs every check not in `exclude`, in parallel; results keep the checks' order. */
export async function runChecks(checks: readonly HealthCheck[], exclude: ReadonlySet<string>, timeoutMs = CHECK_TIMEOUT_MS): Promise<CheckResult[]> {
  return Promise.all(
    checks.map(async (c): Promise<CheckResult> => {
      if (exclude.has(c.name)) return { name: c.name, excluded: true };
      const error = await runOne(c, timeoutMs);
      return error === undefined ? { name: c.name, excluded: false } : { name: c.name, excluded: false, error };
    }),
  );
}
