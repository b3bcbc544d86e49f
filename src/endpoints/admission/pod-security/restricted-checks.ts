/**
 * The restricted checks of upstream's PodSecurity policy (newest versions as of 1.33), with
 * upstream's ids, the baseline checks each replaces, and upstream's wording.
 */
import { validSeccomp } from './baseline-checks.js';
import { type Check, type CheckFailure, type PodMetadata, type PodSpec, containerList, containersOf, isWindows, joinQuote, pluralize, sortedSet } from './pod-shape.js';

function allowPrivilegeEscalation(_m: PodMetadata, spec: PodSpec): CheckFailure | undefined {
  if (isWindows(spec)) return undefined;
  const bad = containersOf(spec).filter((c) => c.securityContext?.allowPrivilegeEscalation !== false).map((c) => c.name ?? '');
  return bad.length ? { reason: 'allowPrivilegeEscalation != false', detail: `${containerList(bad)} must set securityContext.allowPrivilegeEscalation=false` } : undefined;
}

function capabilitiesRestricted(_m: PodMetadata, spec: PodSpec): CheckFailure | undefined {
  if (isWindows(spec)) return undefined;
  const missingDropAll: string[] = [];
  const adding: string[] = [];
  const caps: string[] = [];
  for (const c of containersOf(spec)) {
    const capabilities = c.securityContext?.capabilities;
    if (!capabilities) {
      missingDropAll.push(c.name ?? '');
      continue;
    }
    if (!(capabilities.drop ?? []).includes('ALL')) missingDropAll.push(c.name ?? '');
    const extra = (capabilities.add ?? []).filter((cap) => cap !== 'NET_BIND_SERVICE');
    if (extra.length) {
      adding.push(c.name ?? '');
      caps.push(...extra);
    }
  }
  const details: string[] = [];
  if (missingDropAll.length) details.push(`${containerList(missingDropAll)} must set securityContext.capabilities.drop=["ALL"]`);
  if (adding.length) details.push(`${containerList(adding)} must not include ${joinQuote(sortedSet(caps))} in securityContext.capabilities.add`);
  return details.length ? { reason: 'unrestricted capabilities', detail: details.join('; ') } : undefined;
}

/** The volume sources restricted allows. */
const ALLOWED_VOLUMES = new Set(['configMap', 'csi', 'downwardAPI', 'emptyDir', 'ephemeral', 'image', 'persistentVolumeClaim', 'projected', 'secret']);
/** The sources upstream names, in its order of precedence; anything else is `unknown`. */
const NAMED_VOLUMES = [
  'hostPath', 'gcePersistentDisk', 'awsElasticBlockStore', 'gitRepo', 'nfs', 'iscsi', 'glusterfs', 'rbd', 'flexVolume', 'cinder', 'cephfs', 'flocker', 'fc',
  'azureFile', 'vsphereVolume', 'quobyte', 'azureDisk', 'photonPersistentDisk', 'portworxVolume', 'scaleIO', 'storageos',
];

function restrictedVolumes(_m: PodMetadata, spec: PodSpec): CheckFailure | undefined {
  const bad: string[] = [];
  const types: string[] = [];
  for (const v of spec.volumes ?? []) {
    const sources = Object.keys(v).filter((k) => k !== 'name' && v[k] != null);
    if (sources.some((s) => ALLOWED_VOLUMES.has(s))) continue;
    bad.push(v.name ?? '');
    types.push(NAMED_VOLUMES.find((n) => sources.includes(n)) ?? 'unknown');
  }
  if (!bad.length) return undefined;
  const list = sortedSet(types);
  return {
    reason: 'restricted volume types',
    detail: `${pluralize('volume', 'volumes', bad.length)} ${joinQuote(bad)} ${pluralize('uses', 'use', bad.length)} ${pluralize('restricted volume type', 'restricted volume types', list.length)} ${joinQuote(list)}`,
  };
}

function runAsNonRoot(_m: PodMetadata, spec: PodSpec): CheckFailure | undefined {
  const who: string[] = [];
  const podValue = spec.securityContext?.runAsNonRoot;
  if (podValue === false) who.push('pod');
  const explicit: string[] = [];
  const implicit: string[] = [];
  for (const c of containersOf(spec)) {
    const v = c.securityContext?.runAsNonRoot;
    if (v !== undefined && v !== null) {
      if (!v) explicit.push(c.name ?? '');
    } else if (podValue !== true) implicit.push(c.name ?? '');
  }
  if (explicit.length) who.push(containerList(explicit));
  if (who.length) return { reason: 'runAsNonRoot != true', detail: `${who.join(' and ')} must not set securityContext.runAsNonRoot=false` };
  if (implicit.length) return { reason: 'runAsNonRoot != true', detail: `pod or ${containerList(implicit)} must set securityContext.runAsNonRoot=true` };
  return undefined;
}

function runAsUser(_m: PodMetadata, spec: PodSpec): CheckFailure | undefined {
  const who = spec.securityContext?.runAsUser === 0 ? ['pod'] : [];
  const bad = containersOf(spec).filter((c) => c.securityContext?.runAsUser === 0).map((c) => c.name ?? '');
  if (bad.length) who.push(containerList(bad));
  return who.length ? { reason: 'runAsUser=0', detail: `${who.join(' and ')} must not set runAsUser=0` } : undefined;
}

function seccompProfileRestricted(_m: PodMetadata, spec: PodSpec): CheckFailure | undefined {
  if (isWindows(spec)) return undefined;
  const who: string[] = [];
  const values: string[] = [];
  const pod = spec.securityContext?.seccompProfile;
  let podSet = false;
  if (pod) {
    if (validSeccomp(pod.type)) podSet = true;
    else {
      who.push('pod');
      values.push(pod.type ?? '');
    }
  }
  const explicit: string[] = [];
  const implicit: string[] = [];
  for (const c of containersOf(spec)) {
    const p = c.securityContext?.seccompProfile;
    if (p) {
      if (!validSeccomp(p.type)) {
        explicit.push(c.name ?? '');
        values.push(p.type ?? '');
      }
    } else if (!podSet) implicit.push(c.name ?? '');
  }
  if (explicit.length) who.push(containerList(explicit));
  if (who.length) return { reason: 'seccompProfile', detail: `${who.join(' and ')} must not set securityContext.seccompProfile.type to ${joinQuote(sortedSet(values))}` };
  if (implicit.length) {
    return { reason: 'seccompProfile', detail: `pod or ${containerList(implicit)} must set securityContext.seccompProfile.type to "RuntimeDefault" or "Localhost"` };
  }
  return undefined;
}

export const RESTRICTED_CHECKS: readonly Check[] = [
  { id: 'allowPrivilegeEscalation', level: 'restricted', check: allowPrivilegeEscalation },
  { id: 'capabilities_restricted', level: 'restricted', overrides: ['capabilities_baseline'], check: capabilitiesRestricted },
  { id: 'restrictedVolumes', level: 'restricted', overrides: ['hostPathVolumes'], check: restrictedVolumes },
  { id: 'runAsNonRoot', level: 'restricted', check: runAsNonRoot },
  { id: 'runAsUser', level: 'restricted', check: runAsUser },
  { id: 'seccompProfile_restricted', level: 'restricted', overrides: ['seccompProfile_baseline'], check: seccompProfileRestricted },
];
