/**
 * PodSpec defaulting and validation shared by pods and every pod template (deployments,
 * jobs, cron jobs). Defaults follow upstream's SetDefaults_PodSpec/Container/Volume/Probe;
 * messages follow upstream's ValidatePodSpec for the checks implemented here.
 */
import {
  type FieldError,
  invalidValue,
  notSupported,
  required,
} from '../../machinery/validation/field-error.js';
import { validateLabels } from '../../machinery/validation/label-selector.js';
import { validateAnnotations } from '../../machinery/validation/labels.js';
import { isDns1123Label, isDns1123Subdomain, isQualifiedName } from '../../machinery/validation/names.js';
import { isValidPortName, isValidPortNum } from '../../machinery/validation/ports.js';
import { parseQuantity, QUANTITY_FORMAT_MESSAGE } from '../../machinery/validation/quantity.js';
import type { Container, LifecycleHandler, PodSpec, PodTemplateSpec, Probe, Volume } from '../../../gen/kube/core-v1.js';
import { child, setDefault, str } from './fields.js';

const CONTAINER_LISTS = ['initContainers', 'containers', 'ephemeralContainers'] as const;
const PROBES = ['livenessProbe', 'readinessProbe', 'startupProbe'] as const satisfies readonly (keyof Container)[];
/** Volume source fields that are files with a mode: default 0644. */
const MODE_SOURCES = ['secret', 'configMap', 'downwardAPI', 'projected'] as const satisfies readonly (keyof Volume)[];
const VOLUME_SOURCES = [
  'hostPath', 'emptyDir', 'gcePersistentDisk', 'awsElasticBlockStore', 'gitRepo', 'secret', 'nfs', 'iscsi', 'glusterfs',
  'persistentVolumeClaim', 'rbd', 'flexVolume', 'cinder', 'cephfs', 'flocker', 'downwardAPI', 'fc', 'azureFile', 'configMap',
  'vsphereVolume', 'quobyte', 'azureDisk', 'photonPersistentDisk', 'projected', 'portworxVolume', 'scaleIO', 'storageos',
  'csi', 'ephemeral', 'image',
] as const satisfies readonly (keyof Volume)[];
const DEFAULT_FILE_MODE = 0o644;

/** `Always` for `:latest` or untagged images, `IfNotPresent` otherwise (upstream's rule). */
export function defaultImagePullPolicy(image: string): string {
  const withoutDigest = image.split('@')[0] ?? '';
  const hasDigest = image.includes('@');
  const lastSegment = withoutDigest.slice(withoutDigest.lastIndexOf('/') + 1);
  const colon = lastSegment.indexOf(':');
  const tag = colon >= 0 ? lastSegment.slice(colon + 1) : hasDigest || image === '' ? '' : 'latest';
  return tag === 'latest' ? 'Always' : 'IfNotPresent';
}

function defaultHandler(handler: LifecycleHandler | Probe | undefined): void {
  const httpGet = handler?.httpGet;
  if (httpGet) {
    setDefault(httpGet, 'path', '/');
    setDefault(httpGet, 'scheme', 'HTTP');
  }
}

function defaultProbe(probe: Probe | undefined): void {
  if (!probe) return;
  setDefault(probe, 'timeoutSeconds', 1);
  setDefault(probe, 'periodSeconds', 10);
  setDefault(probe, 'successThreshold', 1);
  setDefault(probe, 'failureThreshold', 3);
  defaultHandler(probe);
}

/** The containers of every list (init, regular, ephemeral) with the name of their list. */
function allContainers(spec: PodSpec): Array<[(typeof CONTAINER_LISTS)[number], Container[]]> {
  return CONTAINER_LISTS.map((list) => [list, spec[list] ?? []]);
}

function defaultContainer(c: Container, hostNetwork: boolean): void {
  setDefault(c, 'imagePullPolicy', defaultImagePullPolicy(str(c.image)));
  setDefault(c, 'terminationMessagePath', '/dev/termination-log');
  setDefault(c, 'terminationMessagePolicy', 'File');
  setDefault(c, 'resources', {});
  for (const port of c.ports ?? []) {
    setDefault(port, 'protocol', 'TCP');
    if (hostNetwork && port.hostPort === undefined && port.containerPort !== undefined) port.hostPort = port.containerPort;
  }
  for (const env of c.env ?? []) {
    const fieldRef = env.valueFrom?.fieldRef;
    if (fieldRef) setDefault(fieldRef, 'apiVersion', 'v1');
  }
  for (const p of PROBES) defaultProbe(c[p]);
  defaultHandler(c.lifecycle?.postStart);
  defaultHandler(c.lifecycle?.preStop);
}

function defaultVolume(v: Volume): void {
  if (!VOLUME_SOURCES.some((s) => v[s] !== undefined && v[s] !== null)) v.emptyDir = {};
  for (const s of MODE_SOURCES) {
    const src = v[s];
    if (src) setDefault(src, 'defaultMode', DEFAULT_FILE_MODE);
  }
  if (v.hostPath) setDefault(v.hostPath, 'type', '');
  for (const item of v.downwardAPI?.items ?? []) {
    const fieldRef = item.fieldRef;
    if (fieldRef) setDefault(fieldRef, 'apiVersion', 'v1');
  }
}

/**
 * Decode-time defaults of a PodSpec (pods and templates alike). Mutates `spec`.
 * The deprecated `serviceAccount` mirrors `serviceAccountName`, as upstream's conversion does.
 */
export function defaultPodSpec(spec: PodSpec): void {
  setDefault(spec, 'restartPolicy', 'Always');
  setDefault(spec, 'dnsPolicy', 'ClusterFirst');
  setDefault(spec, 'terminationGracePeriodSeconds', 30);
  setDefault(spec, 'schedulerName', 'default-scheduler');
  setDefault(spec, 'securityContext', {});
  const hostNetwork = spec.hostNetwork === true;
  for (const [, containers] of allContainers(spec)) for (const c of containers) defaultContainer(c, hostNetwork);
  for (const v of spec.volumes ?? []) defaultVolume(v);
  const sa = str(spec.serviceAccountName) || str(spec.serviceAccount);
  if (sa) {
    spec.serviceAccountName = sa;
    spec.serviceAccount = sa;
  }
}

/** Defaults of a PodTemplateSpec (`spec.template`). */
export function defaultPodTemplate(template: PodTemplateSpec): void {
  defaultPodSpec(child(template, 'spec'));
}

/**
 * Defaults only a Pod (not a template) receives: requests copied from limits,
 * enableServiceLinks, and what the default admission plugins add on create when asked
 * (`admission`: service account, priority, not-ready/unreachable tolerations).
 */
export function defaultPodOnly(spec: PodSpec, admission: boolean): void {
  setDefault(spec, 'enableServiceLinks', true);
  for (const [, containers] of allContainers(spec)) {
    for (const c of containers) {
      const resources = c.resources;
      const limits = resources?.limits;
      if (!resources || !limits) continue;
      const requests = child(resources, 'requests');
      for (const [name, qty] of Object.entries(limits)) setDefault(requests, name, qty);
    }
  }
  if (!admission) return;
  if (!str(spec.serviceAccountName)) {
    spec.serviceAccountName = 'default';
    spec.serviceAccount = 'default';
  }
  setDefault(spec, 'priority', 0);
  setDefault(spec, 'preemptionPolicy', 'PreemptLowerPriority');
  const tolerations = Array.isArray(spec.tolerations) ? spec.tolerations : [];
  for (const key of ['node.kubernetes.io/not-ready', 'node.kubernetes.io/unreachable']) {
    const present = tolerations.some(
      (t) => (t.key === key || (t.key === undefined && t.operator === 'Exists')) && (t.effect === undefined || t.effect === '' || t.effect === 'NoExecute'),
    );
    if (!present) tolerations.push({ key, operator: 'Exists', effect: 'NoExecute', tolerationSeconds: 300 });
  }
  spec.tolerations = tolerations;
}

/** The QoS class upstream assigns from requests and limits (cpu and memory). */
export function podQosClass(spec: PodSpec): 'Guaranteed' | 'Burstable' | 'BestEffort' {
  const containers = [...(spec.containers ?? []), ...(spec.initContainers ?? [])];
  const requests: Record<string, number> = {};
  const limits: Record<string, number> = {};
  let guaranteed = true;
  for (const c of containers) {
    const req = c.resources?.requests ?? {};
    const lim = c.resources?.limits ?? {};
    for (const name of ['cpu', 'memory']) {
      const r = parseQuantity(req[name]);
      const l = parseQuantity(lim[name]);
      if (r !== undefined && r !== 0) requests[name] = (requests[name] ?? 0) + r;
      if (l !== undefined && l !== 0) limits[name] = (limits[name] ?? 0) + l;
      if (l === undefined || l === 0) guaranteed = false;
      else if (r !== undefined && r !== l) guaranteed = false;
    }
  }
  if (Object.keys(requests).length === 0 && Object.keys(limits).length === 0) return 'BestEffort';
  return guaranteed ? 'Guaranteed' : 'Burstable';
}

function validateResources(c: Container, path: string): FieldError[] {
  const errs: FieldError[] = [];
  const res = c.resources;
  if (!res) return errs;
  const limits = res.limits ?? {};
  const requests = res.requests ?? {};
  for (const [kind, map] of [['limits', limits], ['requests', requests]] as const) {
    for (const [name, qty] of Object.entries(map)) {
      const value = parseQuantity(qty);
      if (value === undefined) errs.push(invalidValue(`${path}.resources.${kind}[${name}]`, qty, QUANTITY_FORMAT_MESSAGE));
      else if (value < 0) errs.push(invalidValue(`${path}.resources.${kind}[${name}]`, qty, 'must be greater than or equal to 0'));
    }
  }
  for (const [name, qty] of Object.entries(requests)) {
    const req = parseQuantity(qty);
    const lim = parseQuantity(limits[name]);
    if (req !== undefined && lim !== undefined && req > lim) {
      errs.push(invalidValue(`${path}.resources.requests[${name}]`, qty, `must be less than or equal to ${name} limit of ${String(limits[name])}`));
    }
  }
  return errs;
}

function validateContainer(c: Container, path: string, volumes: Set<string>): FieldError[] {
  const errs: FieldError[] = [];
  if (!str(c.image)) errs.push(required(`${path}.image`, ''));
  const pull = c.imagePullPolicy;
  if (pull !== undefined && pull !== 'Always' && pull !== 'IfNotPresent' && pull !== 'Never') {
    errs.push(notSupported(`${path}.imagePullPolicy`, pull, ['Always', 'IfNotPresent', 'Never']));
  }
  const tmp = c.terminationMessagePolicy;
  if (tmp !== undefined && tmp !== 'File' && tmp !== 'FallbackToLogsOnError') {
    errs.push(notSupported(`${path}.terminationMessagePolicy`, tmp, ['File', 'FallbackToLogsOnError']));
  }
  const portNames = new Set<string>();
  (c.ports ?? []).forEach((port, i) => {
    const p = `${path}.ports[${i}]`;
    const name = str(port.name);
    if (name) {
      for (const msg of isValidPortName(name)) errs.push(invalidValue(`${p}.name`, name, msg));
      if (portNames.has(name)) errs.push({ type: 'Duplicate', field: `${p}.name`, value: name, detail: '' });
      portNames.add(name);
    }
    if (port.containerPort === undefined || port.containerPort === 0) errs.push(required(`${p}.containerPort`, ''));
    else for (const msg of isValidPortNum(Number(port.containerPort))) errs.push(invalidValue(`${p}.containerPort`, port.containerPort, msg));
    if (port.hostPort !== undefined && port.hostPort !== 0) {
      for (const msg of isValidPortNum(Number(port.hostPort))) errs.push(invalidValue(`${p}.hostPort`, port.hostPort, msg));
    }
    const proto = port.protocol;
    if (proto !== undefined && proto !== 'TCP' && proto !== 'UDP' && proto !== 'SCTP') {
      errs.push(notSupported(`${p}.protocol`, proto, ['SCTP', 'TCP', 'UDP']));
    }
  });
  (c.env ?? []).forEach((env, i) => {
    if (!str(env.name)) errs.push(required(`${path}.env[${i}].name`, ''));
  });
  (c.volumeMounts ?? []).forEach((m, i) => {
    const p = `${path}.volumeMounts[${i}]`;
    const name = str(m.name);
    if (!name) errs.push(required(`${p}.name`, ''));
    else if (!volumes.has(name)) errs.push({ type: 'Invalid', field: `${p}.name`, value: name, detail: 'volume not found' });
    if (!str(m.mountPath)) errs.push(required(`${p}.mountPath`, ''));
  });
  errs.push(...validateResources(c, path));
  return errs;
}

/** Validates a PodSpec at `path` (`spec`, `spec.template.spec`, …). */
export function validatePodSpec(spec: PodSpec, path: string): FieldError[] {
  const errs: FieldError[] = [];
  const volumes = new Set<string>();
  (spec.volumes ?? []).forEach((v, i) => {
    const p = `${path}.volumes[${i}].name`;
    const name = str(v.name);
    if (!name) errs.push(required(p, ''));
    else {
      for (const msg of isDns1123Label(name)) errs.push(invalidValue(p, name, msg));
      if (volumes.has(name)) errs.push({ type: 'Duplicate', field: p, value: name, detail: '' });
    }
    volumes.add(name);
  });
  if ((spec.containers ?? []).length === 0) errs.push(required(`${path}.containers`, ''));
  const names = new Set<string>();
  for (const [list, containers] of allContainers(spec)) {
    containers.forEach((c, i) => {
      const p = `${path}.${list}[${i}]`;
      const name = str(c.name);
      if (!name) errs.push(required(`${p}.name`, ''));
      else {
        for (const msg of isDns1123Label(name)) errs.push(invalidValue(`${p}.name`, name, msg));
        if (names.has(name)) errs.push({ type: 'Duplicate', field: `${p}.name`, value: name, detail: '' });
      }
      names.add(name);
      errs.push(...validateContainer(c, p, volumes));
    });
  }
  const restart = spec.restartPolicy;
  if (restart !== undefined && restart !== 'Always' && restart !== 'OnFailure' && restart !== 'Never') {
    errs.push(notSupported(`${path}.restartPolicy`, restart, ['Always', 'OnFailure', 'Never']));
  }
  const dns = spec.dnsPolicy;
  if (dns !== undefined && !['ClusterFirstWithHostNet', 'ClusterFirst', 'Default', 'None'].includes(String(dns))) {
    errs.push(notSupported(`${path}.dnsPolicy`, dns, ['ClusterFirstWithHostNet', 'ClusterFirst', 'Default', 'None']));
  }
  const sa = str(spec.serviceAccountName);
  if (sa) for (const msg of isDns1123Subdomain(sa)) errs.push(invalidValue(`${path}.serviceAccountName`, sa, msg));
  const nodeName = str(spec.nodeName);
  if (nodeName) for (const msg of isDns1123Subdomain(nodeName)) errs.push(invalidValue(`${path}.nodeName`, nodeName, msg));
  const ads = spec.activeDeadlineSeconds;
  if (ads !== undefined && ads !== null && (typeof ads !== 'number' || ads < 1 || ads > 2147483647)) {
    errs.push(invalidValue(`${path}.activeDeadlineSeconds`, ads, 'must be between 1 and 2147483647, inclusive'));
  }
  const tgps = spec.terminationGracePeriodSeconds;
  if (typeof tgps === 'number' && tgps < 0) {
    errs.push(invalidValue(`${path}.terminationGracePeriodSeconds`, tgps, 'must be greater than or equal to 0'));
  }
  for (const k of Object.keys(spec.nodeSelector ?? {})) {
    for (const msg of isQualifiedName(k)) errs.push(invalidValue(`${path}.nodeSelector`, k, msg));
  }
  (spec.tolerations ?? []).forEach((t, i) => {
    const effect = t.effect;
    if (effect !== undefined && effect !== '' && !['NoSchedule', 'PreferNoSchedule', 'NoExecute'].includes(String(effect))) {
      errs.push(notSupported(`${path}.tolerations[${i}].effect`, effect, ['NoExecute', 'NoSchedule', 'PreferNoSchedule']));
    }
    const op = t.operator;
    if (op !== undefined && op !== '' && op !== 'Exists' && op !== 'Equal') {
      errs.push(notSupported(`${path}.tolerations[${i}].operator`, op, ['Equal', 'Exists']));
    }
  });
  return errs;
}

/** Validates a PodTemplateSpec at `path` (`spec.template`): its labels, annotations and spec. */
export function validatePodTemplate(template: PodTemplateSpec | undefined, path: string): FieldError[] {
  if (!template) return [required(path, '')];
  const meta = template.metadata ?? {};
  const errs = validateLabels(meta.labels ?? {}, `${path}.metadata.labels`);
  errs.push(...validateAnnotations(meta.annotations ?? {}, `${path}.metadata.annotations`));
  errs.push(...validatePodSpec(template.spec ?? {}, `${path}.spec`));
  return errs;
}
