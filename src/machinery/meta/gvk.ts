/** Group/version/kind/resource vocabulary. */

/** An API group version, `""` group for core. */
export interface GroupVersion {
  group: string;
  version: string;
}

/** `apps/v1`, or `v1` for the core group. */
export function apiVersionOf(gv: GroupVersion): string {
  return gv.group ? `${gv.group}/${gv.version}` : gv.version;
}

/** Splits an apiVersion string into group and version. */
export function parseApiVersion(apiVersion: string): GroupVersion {
  const i = apiVersion.indexOf('/');
  return i < 0 ? { group: '', version: apiVersion } : { group: apiVersion.slice(0, i), version: apiVersion.slice(i + 1) };
}

/** Kubernetes version ordering: GA > beta > alpha, then by number (v2 > v1, v1beta2 > v1beta1). */
export function compareVersions(a: string, b: string): number {
  const parse = (v: string): [number, number, number] => {
    const m = /^v(\d+)(?:(alpha|beta)(\d+))?$/.exec(v);
    if (!m) return [-1, 0, 0];
    const level = m[2] === 'alpha' ? 0 : m[2] === 'beta' ? 1 : 2;
    return [level, Number(m[1]), Number(m[3] ?? 0)];
  };
  const [la, ma, na] = parse(a);
  const [lb, mb, nb] = parse(b);
  return lb - la || mb - ma || nb - na;
}

/** Stability level from the version name: alpha versions are off by default, beta and GA on. */
export function stabilityOf(version: string): 'alpha' | 'beta' | 'stable' {
  if (/alpha\d+$/.test(version)) return 'alpha';
  if (/beta\d+$/.test(version)) return 'beta';
  return 'stable';
}
