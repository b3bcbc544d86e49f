/**
 * API enablement, as kube-apiserver's --runtime-config: stable and beta versions are on
 * by default, alpha versions and versions declared `offByDefault` (upstream's betas
 * introduced since 1.24) off; `group/version=false` turns one off, `api/all=false`
 * everything, `api/alpha=true` all alphas, `group/version/resource=false` one resource.
 * Enablement is per served version: a resource's storage version is used for storage
 * whether or not it is served.
 */
import { stabilityOf } from '../machinery/meta/gvk.js';
import type { ResourceDefinition } from '../registry/rest/definition.js';
import { servedViews, type ServedResource } from '../registry/rest/served.js';

/** Thrown for a malformed --runtime-config. */
export class RuntimeConfigError extends Error {}

/** Parsed --runtime-config: key → enabled. */
export type RuntimeConfig = ReadonlyMap<string, boolean>;

/** Parses `key[=true|false],…`; a bare key means true, `v1` means `api/v1`. */
export function parseRuntimeConfig(runtimeConfig: string): RuntimeConfig {
  const overrides = new Map<string, boolean>();
  for (const entry of runtimeConfig.split(',').map((s) => s.trim()).filter(Boolean)) {
    const [key = '', raw = 'true', ...extra] = entry.split('=');
    if (extra.length > 0 || !key) throw new RuntimeConfigError(`invalid runtime-config entry ${JSON.stringify(entry)}: must be key or key=true|false`);
    if (raw !== 'true' && raw !== 'false') throw new RuntimeConfigError(`invalid value ${raw} for key ${key}: must be true or false`);
    overrides.set(key === 'v1' ? 'api/v1' : key, raw === 'true');
  }
  return overrides;
}

/** Whether one served (group, version, resource) is enabled; `offByDefault`: the version is off unless turned on. */
export function isServed(config: RuntimeConfig, group: string, version: string, resource: string, offByDefault = false): boolean {
  // The core group's namespaces are what everything else stands on.
  if (group === '' && resource === 'namespaces') return true;
  const gv = group ? `${group}/${version}` : `api/${version}`;
  const level = stabilityOf(version);
  let enabled = level !== 'alpha' && !offByDefault;
  const pick = (key: string): void => {
    const v = config.get(key);
    if (v !== undefined) enabled = v;
  };
  pick('api/all');
  pick(level === 'alpha' ? 'api/alpha' : level === 'beta' ? 'api/beta' : 'api/ga');
  pick(gv);
  pick(`${gv}/${resource}`);
  return enabled;
}

const GLOBAL_KEYS = new Set(['api/all', 'api/alpha', 'api/beta', 'api/ga']);

/**
 * Refuses keys that name no group version (or resource) of `defs`: a typo in
 * --runtime-config would otherwise silently change nothing.
 */
export function checkRuntimeConfig(config: RuntimeConfig, defs: readonly ResourceDefinition[]): void {
  const known = new Set<string>(GLOBAL_KEYS);
  for (const v of defs.flatMap(servedViews)) {
    const gv = v.group ? `${v.group}/${v.version}` : `api/${v.version}`;
    known.add(gv);
    known.add(`${gv}/${v.resource}`);
  }
  const unknown = [...config.keys()].filter((k) => !known.has(k));
  if (unknown.length) throw new RuntimeConfigError(`unknown API group versions or resources in --runtime-config: ${unknown.sort().join(', ')}`);
}

/** The views of `defs` served under a runtime-config string, in declaration order. */
export function servedResources(defs: readonly ResourceDefinition[], runtimeConfig: string): ServedResource[] {
  const config = parseRuntimeConfig(runtimeConfig);
  return defs.flatMap((def) => servedViews(def).filter((s) => isServed(config, s.group, s.version, s.resource, s.offByDefault)));
}
