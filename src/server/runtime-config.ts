/**
 * API enablement, as kube-apiserver's --runtime-config: stable and beta versions are on
 * by default, alpha versions off; `group/version=false` turns one off, `api/all=false`
 * everything, `api/alpha=true` all alphas, …
 */
import { stabilityOf } from '../machinery/meta/gvk.js';
import type { ResourceDefinition } from '../registry/rest/definition.js';

/** Thrown for a malformed --runtime-config. */
export class RuntimeConfigError extends Error {}

/** Returns the definitions enabled under a runtime-config string. */
export function enabledDefinitions(defs: ResourceDefinition[], runtimeConfig: string): ResourceDefinition[] {
  const overrides = new Map<string, boolean>();
  for (const entry of runtimeConfig.split(',').map((s) => s.trim()).filter(Boolean)) {
    const [key = '', raw = 'true'] = entry.split('=');
    if (raw !== 'true' && raw !== 'false') throw new RuntimeConfigError(`invalid value ${raw} for key ${key}: must be true or false`);
    overrides.set(key === 'v1' ? 'api/v1' : key, raw === 'true');
  }
  return defs.filter((def) => {
    const gv = def.group ? `${def.group}/${def.version}` : `api/${def.version}`;
    const level = stabilityOf(def.version);
    let enabled = level !== 'alpha';
    if (overrides.has('api/all')) enabled = overrides.get('api/all') as boolean;
    if (level === 'alpha' && overrides.has('api/alpha')) enabled = overrides.get('api/alpha') as boolean;
    if (level === 'beta' && overrides.has('api/beta')) enabled = overrides.get('api/beta') as boolean;
    if (level === 'stable' && overrides.has('api/ga')) enabled = overrides.get('api/ga') as boolean;
    if (overrides.has(gv)) enabled = overrides.get(gv) as boolean;
    if (overrides.has(`${gv}/${def.resource}`)) enabled = overrides.get(`${gv}/${def.resource}`) as boolean;
    // The core group and namespaces are what everything else stands on.
    if (def.group === '' && def.resource === 'namespaces') enabled = true;
    return enabled;
  });
}
