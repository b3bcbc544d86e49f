/**
 * resource.k8s.io validation as upstream 1.33's (pkg/apis/resource/validation), with its
 * messages and field paths. Upstream validates its internal objects, which have v1beta2's
 * shape (a request's fields under `exactly`, a slice's device flat), so the paths a
 * v1beta1 client sees are those too: every rule here runs on the v1beta2 form.
 *
 * Not checked (yet): CEL selector compilation and cost (only presence and length),
 * node selector requirements (only the number of terms), opaque parameters beyond "a JSON object"
 * and their size, device status conditions and network data, counters consumed against the
 * slice's shared counters, and the partitionable-device counter limits.
 */
import type * as v1beta2 from '../../../gen/kube/resource-v1beta2.js';
import type { NodeSelector } from '../../../gen/kube/core-v1.js';
import { type FieldError, forbidden, invalidValue, notSupported, required, tooMany } from '../../machinery/validation/field-error.js';
import { isDns1123Label, isDns1123Subdomain, isQualifiedName, isValidLabelValue } from '../../machinery/validation/names.js';
import { validateCsiDriverName } from '../storage/csi-names.js';
import { sameStored } from './conversion.js';
import { parseSemver } from '../../util/semver.js';

const MAX_ID = 32;
const MAX_DOMAIN = 63;
const MAX_ATTRIBUTE_VALUE = 64;
const MAX_POOL_NAME = 253;
const MAX_CEL = 10 * 1024;
const C_IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_]*$/;
const C_IDENTIFIER_MSG =
  "a valid C identifier must start with alphabetic character or '_', followed by a string of alphanumeric characters or '_' (e.g. 'my_name',  or 'MY_NAME',  or 'MyName', regex used for validation is '[A-Za-z_][A-Za-z0-9_]*')";
const TAINT_EFFECTS = ['NoExecute', 'NoSchedule'];
const TOLERATION_OPERATORS = ['Equal', 'Exists'];
const ALLOCATION_MODES = ['All', 'ExactCount'];
// Upstream's list limits (k8s.io/api/resource/v1beta2 constants).
const MAX_REQUESTS = 32;
const MAX_SELECTORS = 32;
const MAX_CONSTRAINTS = 32;
const MAX_CONFIG = 32;
const MAX_SUBREQUESTS = 8;
const MAX_TOLERATIONS = 16;
const MAX_DEVICES = 128;
const MAX_TAINTS = 4;
const MAX_ATTRIBUTES_AND_CAPACITIES = 32;
const MAX_SHARED_COUNTERS = 32;
const MAX_RESERVED_FOR = 256;
const MAX_RESULTS = 32;
const REQUEST_REF = "must be the name of a request in the claim or the name of a request and a subrequest separated by '/'";

const tooLong = (field: string, max: number): FieldError => ({ type: 'TooLong', field, detail: `may not be more than ${max} bytes` });
const duplicate = (field: string, value: unknown): FieldError => ({ type: 'Duplicate', field, value, detail: '' });
const each = (msgs: string[], path: string, value: unknown): FieldError[] => msgs.map((m) => invalidValue(path, value, m));

/** Over `max` items: only `Too many` (upstream checks nothing else then); otherwise `check()`. */
function limited(items: readonly unknown[] | undefined, max: number, path: string, check: () => FieldError[]): FieldError[] {
  const n = items?.length ?? 0;
  return n > max ? [tooMany(path, n, max)] : check();
}

export const validateDriverName = (name: string | undefined, path: string): FieldError[] => validateCsiDriverName(name ?? '', path);
const dnsLabel = (v: string, path: string): FieldError[] => each(isDns1123Label(v), path, v);
const dnsSubdomain = (v: string, path: string): FieldError[] => each(isDns1123Subdomain(v), path, v);
const labelName = (v: string, path: string): FieldError[] => each(isQualifiedName(v), path, v);

export function validatePoolName(name: string | undefined, path: string): FieldError[] {
  if (!name) return [required(path)];
  const errs: FieldError[] = [];
  if (name.length > MAX_POOL_NAME) errs.push(tooLong(path, MAX_POOL_NAME));
  for (const part of name.split('/')) errs.push(...dnsSubdomain(part, path));
  return errs;
}

/** Items named by `key` must be unique: later repeats are `Duplicate value`. */
function uniqueBy<T>(items: readonly T[] | undefined, key: (t: T) => unknown, path: string): FieldError[] {
  const seen = new Set<unknown>();
  const errs: FieldError[] = [];
  (items ?? []).forEach((item, i) => {
    const k = key(item);
    if (seen.has(k)) errs.push(duplicate(`${path}[${i}]`, k));
    else seen.add(k);
  });
  return errs;
}

function validateDeviceClassName(name: string | undefined, path: string): FieldError[] {
  if (!name) return [required(path)];
  return dnsSubdomain(name, path);
}

function validateSelectors(selectors: v1beta2.DeviceSelector[] | undefined, path: string): FieldError[] {
  return limited(selectors, MAX_SELECTORS, path, () => selectorErrors(selectors, path));
}

function selectorErrors(selectors: v1beta2.DeviceSelector[] | undefined, path: string): FieldError[] {
  const errs: FieldError[] = [];
  (selectors ?? []).forEach((s, i) => {
    const p = `${path}[${i}]`;
    if (!s.cel) errs.push(required(`${p}.cel`));
    else if (!s.cel.expression) errs.push(required(`${p}.cel.expression`)); // upstream: CEL's own compile error (not compiled here)
    else if (s.cel.expression.length > MAX_CEL) errs.push(tooLong(`${p}.cel.expression`, MAX_CEL));
  });
  return errs;
}

function validateAllocationMode(mode: string | undefined, count: number | undefined, path: string): FieldError[] {
  const c = count ?? 0;
  switch (mode) {
    case 'All':
      return c !== 0 ? [invalidValue(`${path}.count`, c, "must not be specified when allocationMode is 'All'")] : [];
    case 'ExactCount':
      return c <= 0 ? [invalidValue(`${path}.count`, c, 'must be greater than zero')] : [];
    default:
      return [notSupported(`${path}.allocationMode`, mode ?? '', ALLOCATION_MODES)];
  }
}

function validateToleration(t: v1beta2.DeviceToleration, path: string): FieldError[] {
  const errs: FieldError[] = [];
  if (t.key) errs.push(...labelName(t.key, `${path}.key`));
  switch (t.operator) {
    case 'Exists':
      if (t.value) errs.push(invalidValue(`${path}.value`, t.value, 'must be empty for operator `Exists`'));
      break;
    case 'Equal':
      errs.push(...each(isValidLabelValue(t.value ?? ''), `${path}.value`, t.value ?? ''));
      break;
    case undefined:
    case '':
      errs.push(required(`${path}.operator`));
      break;
    default:
      errs.push(notSupported(`${path}.operator`, t.operator, TOLERATION_OPERATORS));
  }
  if (t.effect && !TAINT_EFFECTS.includes(t.effect)) errs.push(notSupported(`${path}.effect`, t.effect, TAINT_EFFECTS));
  return errs;
}

function validateTolerations(ts: v1beta2.DeviceToleration[] | undefined, path: string): FieldError[] {
  return limited(ts, MAX_TOLERATIONS, path, () => (ts ?? []).flatMap((t, i) => validateToleration(t, `${path}[${i}]`)));
}

function validateExact(r: v1beta2.ExactDeviceRequest, path: string): FieldError[] {
  return [
    ...validateDeviceClassName(r.deviceClassName, `${path}.deviceClassName`),
    ...validateSelectors(r.selectors, `${path}.selectors`),
    ...validateAllocationMode(r.allocationMode, r.count, path),
    ...validateTolerations(r.tolerations, `${path}.tolerations`),
  ];
}

function validateSubRequest(r: v1beta2.DeviceSubRequest, path: string): FieldError[] {
  return [
    ...dnsLabel(r.name ?? '', `${path}.name`),
    ...validateDeviceClassName(r.deviceClassName, `${path}.deviceClassName`),
    ...validateSelectors(r.selectors, `${path}.selectors`),
    ...validateAllocationMode(r.allocationMode, r.count, path),
    ...validateTolerations(r.tolerations, `${path}.tolerations`),
  ];
}

function validateRequest(r: v1beta2.DeviceRequest, path: string): FieldError[] {
  const errs = dnsLabel(r.name ?? '', `${path}.name`);
  const first = (r.firstAvailable ?? []).length > 0;
  const exact = r.exactly !== undefined && r.exactly !== null;
  if (first && exact) errs.push(invalidValue(path, null, 'exactly one of `exactly` or `firstAvailable` is required, but multiple fields are set'));
  else if (!first && !exact) errs.push(required(path, 'exactly one of `exactly` or `firstAvailable` is required'));
  else if (first) {
    const subs = r.firstAvailable ?? [];
    errs.push(
      ...limited(subs, MAX_SUBREQUESTS, `${path}.firstAvailable`, () => [
        ...subs.flatMap((s, i) => validateSubRequest(s, `${path}.firstAvailable[${i}]`)),
        ...uniqueBy(subs, (s) => s.name ?? '', `${path}.firstAvailable`),
      ]),
    );
  } else if (r.exactly) errs.push(...validateExact(r.exactly, `${path}.exactly`));
  return errs;
}

/** Request names, each with its subrequests' names. */
function requestNames(claim: v1beta2.DeviceClaim | undefined): Map<string, Set<string>> {
  const names = new Map<string, Set<string>>();
  for (const r of claim?.requests ?? []) names.set(r.name ?? '', new Set((r.firstAvailable ?? []).map((s) => s.name ?? '')));
  return names;
}

function validateRequestRef(name: string, path: string, names: Map<string, Set<string>>): FieldError[] {
  const segments = name.split('/');
  if (segments.length > 2) return [invalidValue(path, name, REQUEST_REF)];
  const errs = segments.flatMap((s) => dnsLabel(s, path));
  const subs = names.get(segments[0] ?? '');
  const known = subs !== undefined && (segments.length === 1 || subs.has(segments[1] ?? ''));
  if (!known) errs.push(invalidValue(path, name, REQUEST_REF));
  return errs;
}

function validateRequestRefs(refs: string[] | undefined, path: string, names: Map<string, Set<string>>): FieldError[] {
  return limited(refs, MAX_REQUESTS, path, () => [...(refs ?? []).flatMap((n, i) => validateRequestRef(n, `${path}[${i}]`, names)), ...uniqueBy(refs, (n) => n, path)]);
}

function validateOpaque(config: v1beta2.DeviceConfiguration, path: string): FieldError[] {
  if (!config.opaque) return [required(`${path}.opaque`)];
  const errs = validateDriverName(config.opaque.driver, `${path}.opaque.driver`);
  const params = config.opaque.parameters as unknown;
  if (params === undefined || params === null) errs.push(required(`${path}.opaque.parameters`));
  else if (typeof params !== 'object' || Array.isArray(params)) errs.push(invalidValue(`${path}.opaque.parameters`, '<value omitted>', 'must be a valid JSON object'));
  return errs;
}

/** A claim's `devices`. */
export function validateDeviceClaim(claim: v1beta2.DeviceClaim | undefined, path: string): FieldError[] {
  const names = requestNames(claim);
  const requests = claim?.requests ?? [];
  const errs = limited(requests, MAX_REQUESTS, `${path}.requests`, () => [
    ...requests.flatMap((r, i) => validateRequest(r, `${path}.requests[${i}]`)),
    ...uniqueBy(requests, (r) => r.name ?? '', `${path}.requests`),
  ]);
  const constraints = claim?.constraints ?? [];
  errs.push(
    ...limited(constraints, MAX_CONSTRAINTS, `${path}.constraints`, () =>
      constraints.flatMap((c, i) => {
        const p = `${path}.constraints[${i}]`;
        const attr = c.matchAttribute !== undefined && c.matchAttribute !== null ? validateFullyQualifiedName(c.matchAttribute, `${p}.matchAttribute`) : [required(`${p}.matchAttribute`)];
        return [...validateRequestRefs(c.requests, `${p}.requests`, names), ...attr];
      }),
    ),
  );
  const config = claim?.config ?? [];
  errs.push(
    ...limited(config, MAX_CONFIG, `${path}.config`, () =>
      config.flatMap((c, i) => [...validateRequestRefs(c.requests, `${path}.config[${i}].requests`, names), ...validateOpaque(c, `${path}.config[${i}]`)]),
    ),
  );
  return errs;
}

/** A DeviceClass's spec. */
export function validateDeviceClassSpec(spec: v1beta2.DeviceClassSpec | undefined, path: string): FieldError[] {
  const config = spec?.config ?? [];
  return [
    ...validateSelectors(spec?.selectors, `${path}.selectors`),
    ...limited(config, MAX_CONFIG, `${path}.config`, () => config.flatMap((c, i) => validateOpaque(c, `${path}.config[${i}]`))),
  ];
}

function validateCIdentifier(id: string, path: string): FieldError[] {
  const errs: FieldError[] = [];
  if (id.length > MAX_ID) errs.push(tooLong(path, MAX_ID));
  if (!C_IDENTIFIER.test(id)) errs.push(invalidValue(path, id, C_IDENTIFIER_MSG));
  return errs;
}

/** An attribute or capacity name: a C identifier, optionally behind a driver-name domain and `/`. */
export function validateQualifiedName(name: string, path: string): FieldError[] {
  const parts = name.split('/');
  if (parts.length === 1) return validateCIdentifier(name, path);
  if (parts.length > 2) return [invalidValue(path, name, 'must not contain more than one slash')];
  const [domain = '', id = ''] = parts;
  const errs: FieldError[] = [];
  if (!domain) errs.push(invalidValue(path, '', 'the domain must not be empty'));
  else if (domain.length > MAX_DOMAIN) errs.push(tooLong(path, MAX_DOMAIN));
  else errs.push(...validateDriverName(domain, path));
  if (!id) errs.push(invalidValue(path, '', 'the name must not be empty'));
  else errs.push(...validateCIdentifier(id, path));
  return errs;
}

function validateFullyQualifiedName(name: string, path: string): FieldError[] {
  const errs = validateQualifiedName(name, path);
  if (!name.includes('/')) errs.push(invalidValue(path, name, 'a fully qualified name must be a domain and a name separated by a slash'));
  return errs;
}

function validateAttribute(a: v1beta2.DeviceAttribute, path: string): FieldError[] {
  const errs: FieldError[] = [];
  const set = (['int', 'bool', 'string', 'version'] as const).filter((k) => a[k] !== undefined && a[k] !== null);
  if (a.string !== undefined && a.string !== null && a.string.length > MAX_ATTRIBUTE_VALUE) errs.push(tooLong(`${path}.string`, MAX_ATTRIBUTE_VALUE));
  if (a.version !== undefined && a.version !== null) {
    if (parseSemver(a.version) === undefined) errs.push(invalidValue(`${path}.version`, a.version, 'must be a string compatible with semver.org spec 2.0.0'));
    if (a.version.length > MAX_ATTRIBUTE_VALUE) errs.push(tooLong(`${path}.version`, MAX_ATTRIBUTE_VALUE));
  }
  if (set.length === 0) errs.push(invalidValue(path, '', 'exactly one value must be specified'));
  else if (set.length > 1) errs.push(invalidValue(path, a, 'exactly one value must be specified'));
  return errs;
}

/** A device taint (a slice's device or a DeviceTaintRule): key a label name, value a label value, effect known. */
export function validateTaint(t: v1beta2.DeviceTaint | undefined, path: string): FieldError[] {
  const errs = labelName(t?.key ?? '', `${path}.key`);
  if (t?.value) errs.push(...each(isValidLabelValue(t.value), `${path}.value`, t.value));
  if (!t?.effect) errs.push(required(`${path}.effect`));
  else if (!TAINT_EFFECTS.includes(t.effect)) errs.push(notSupported(`${path}.effect`, t.effect, TAINT_EFFECTS));
  return errs;
}

/** A node selector that must name at least one term (core's ValidateNodeSelector, terms only). */
function validateNodeSelector(sel: NodeSelector, path: string): FieldError[] {
  const terms = sel.nodeSelectorTerms ?? [];
  if (terms.length === 0) return [required(`${path}.nodeSelectorTerms`, 'must have at least one node selector term')];
  return [];
}

function validateDevice(d: v1beta2.Device, path: string, perDevice: boolean): FieldError[] {
  const errs = dnsLabel(d.name ?? '', `${path}.name`);
  const entries = Object.keys(d.attributes ?? {}).length + Object.keys(d.capacity ?? {}).length;
  if (entries > MAX_ATTRIBUTES_AND_CAPACITIES) {
    errs.push(invalidValue(path, entries, `the total number of attributes and capacities must not exceed ${MAX_ATTRIBUTES_AND_CAPACITIES}`));
  }
  for (const [k, a] of Object.entries(d.attributes ?? {})) {
    errs.push(...validateQualifiedName(k, `${path}.attributes`), ...validateAttribute(a, `${path}.attributes[${k}]`));
  }
  for (const k of Object.keys(d.capacity ?? {})) errs.push(...validateQualifiedName(k, `${path}.capacity`));
  errs.push(...limited(d.taints, MAX_TAINTS, `${path}.taints`, () => (d.taints ?? []).flatMap((t, i) => validateTaint(t, `${path}.taints[${i}]`))));
  const hasNode = d.nodeName !== undefined && d.nodeName !== null;
  const hasSel = d.nodeSelector !== undefined && d.nodeSelector !== null;
  const hasAll = d.allNodes !== undefined && d.allNodes !== null;
  if (perDevice) {
    const setFields: string[] = [];
    if (hasNode) {
      if (d.nodeName) setFields.push('`nodeName`');
      else errs.push(invalidValue(`${path}.nodeName`, '', 'must not be empty'));
    }
    if (hasSel && d.nodeSelector) {
      setFields.push('`nodeSelector`');
      errs.push(...validateNodeSelector(d.nodeSelector, `${path}.nodeSelector`));
    }
    if (hasAll) {
      if (d.allNodes) setFields.push('`allNodes`');
      else errs.push(invalidValue(`${path}.allNodes`, false, 'must be either unset or set to true'));
    }
    const msg = 'exactly one of `nodeName`, `nodeSelector`, or `allNodes` is required when `perDeviceNodeSelection` is set to true in the ResourceSlice spec';
    if (setFields.length === 0) errs.push(required(path, msg));
    else if (setFields.length > 1) errs.push(invalidValue(path, `{${setFields.join(', ')}}`, msg));
  } else if (hasNode || hasSel || hasAll) {
    errs.push(invalidValue(path, null, '`nodeName`, `nodeSelector` and `allNodes` can only be set if `perDeviceNodeSelection` is set to true in the ResourceSlice spec'));
  }
  return errs;
}

/** A ResourceSlice's spec (v1beta2 form); `old` on update for the immutable fields. */
export function validateSliceSpec(spec: v1beta2.ResourceSliceSpec | undefined, old: v1beta2.ResourceSliceSpec | undefined, path: string): FieldError[] {
  const s = spec ?? {};
  const errs = validateDriverName(s.driver, `${path}.driver`);
  const pool = s.pool ?? {};
  errs.push(...validatePoolName(pool.name, `${path}.pool.name`));
  if ((pool.resourceSliceCount ?? 0) <= 0) errs.push(invalidValue(`${path}.pool.resourceSliceCount`, pool.resourceSliceCount ?? 0, 'must be greater than zero'));
  if ((pool.generation ?? 0) < 0) errs.push(invalidValue(`${path}.pool.generation`, pool.generation, 'must be greater than or equal to zero'));
  if (old) {
    if ((pool.name ?? '') !== (old.pool?.name ?? '')) errs.push(invalidValue(`${path}.pool.name`, pool.name ?? '', 'field is immutable'));
    if ((s.driver ?? '') !== (old.driver ?? '')) errs.push(invalidValue(`${path}.driver`, s.driver ?? '', 'field is immutable'));
    if ((s.nodeName ?? null) !== (old.nodeName ?? null)) errs.push(invalidValue(`${path}.nodeName`, s.nodeName ?? null, 'field is immutable'));
  }
  const setFields: string[] = [];
  if (s.nodeName !== undefined && s.nodeName !== null) {
    if (s.nodeName) {
      setFields.push('`nodeName`');
      errs.push(...dnsSubdomain(s.nodeName, `${path}.nodeName`));
    } else errs.push(invalidValue(`${path}.nodeName`, '', 'must be either unset or set to a non-empty string'));
  }
  if (s.nodeSelector) {
    setFields.push('`nodeSelector`');
    errs.push(...validateNodeSelector(s.nodeSelector, `${path}.nodeSelector`));
    const terms = s.nodeSelector.nodeSelectorTerms ?? [];
    if (terms.length !== 1) errs.push(invalidValue(`${path}.nodeSelector.nodeSelectorTerms`, terms, 'must have exactly one node selector term'));
  }
  if (s.allNodes !== undefined && s.allNodes !== null) {
    if (s.allNodes) setFields.push('`allNodes`');
    else errs.push(invalidValue(`${path}.allNodes`, false, 'must be either unset or set to true'));
  }
  if (s.perDeviceNodeSelection !== undefined && s.perDeviceNodeSelection !== null) {
    if (s.perDeviceNodeSelection) setFields.push('`perDeviceNodeSelection`');
    else errs.push(invalidValue(`${path}.perDeviceNodeSelection`, false, 'must be either unset or set to true'));
  }
  const which = 'exactly one of `nodeName`, `nodeSelector`, `allNodes`, `perDeviceNodeSelection` is required';
  if (setFields.length === 0) errs.push(required(path, which));
  else if (setFields.length > 1) errs.push(invalidValue(path, `{${setFields.join(', ')}}`, `${which}, but multiple fields are set`));
  if (s.sharedCounters && s.sharedCounters.length > 0 && s.devices && s.devices.length > 0) errs.push(invalidValue(path, '', 'only one of `sharedCounters` or `devices` is allowed'));
  const perDevice = s.perDeviceNodeSelection === true;
  const devices = s.devices ?? [];
  errs.push(
    ...limited(devices, MAX_DEVICES, `${path}.devices`, () => [
      ...devices.flatMap((d, i) => validateDevice(d, `${path}.devices[${i}]`, perDevice)),
      ...uniqueBy(devices, (d) => d.name ?? '', `${path}.devices`),
    ]),
  );
  const counters = s.sharedCounters ?? [];
  errs.push(
    ...limited(counters, MAX_SHARED_COUNTERS, `${path}.sharedCounters`, () => [
      ...counters.flatMap((c, i) => {
        const p = `${path}.sharedCounters[${i}]`;
        const out = c.name ? dnsLabel(c.name, `${p}.name`) : [required(`${p}.name`)];
        if (Object.keys(c.counters ?? {}).length === 0) out.push(required(`${p}.counters`));
        for (const k of Object.keys(c.counters ?? {})) out.push(...dnsLabel(k, `${p}.counters`));
        return out;
      }),
      ...uniqueBy(counters, (c) => c.name ?? '', `${path}.sharedCounters`),
    ]),
  );
  return errs;
}

/** A claim's status on a `/status` write (v1beta2 form). */
export function validateClaimStatus(claim: v1beta2.ResourceClaim, old: v1beta2.ResourceClaim): FieldError[] {
  const status = claim.status ?? {};
  const errs: FieldError[] = [];
  const reserved = status.reservedFor ?? [];
  errs.push(
    ...limited(reserved, MAX_RESERVED_FOR, 'status.reservedFor', () => [
      ...reserved.flatMap((r, i) => {
        const p = `status.reservedFor[${i}]`;
        return [...(r.resource ? [] : [required(`${p}.resource`)]), ...(r.name ? [] : [required(`${p}.name`)]), ...(r.uid ? [] : [required(`${p}.uid`)])];
      }),
      ...uniqueBy(reserved, (r) => r.uid ?? '', 'status.reservedFor'),
    ]),
  );
  const allocated = new Set((status.allocation?.devices?.results ?? []).map((r) => `${r.driver ?? ''}/${r.pool ?? ''}/${r.device ?? ''}`));
  const devices = status.devices ?? [];
  devices.forEach((d, i) => {
    const p = `status.devices[${i}]`;
    errs.push(...validateDriverName(d.driver, `${p}.driver`), ...validatePoolName(d.pool, `${p}.pool`), ...dnsLabel(d.device ?? '', `${p}.device`));
    const id = `${d.driver ?? ''}/${d.pool ?? ''}/${d.device ?? ''}`;
    if (!allocated.has(id)) errs.push(invalidValue(p, id, 'must be an allocated device in the claim'));
  });
  errs.push(...uniqueBy(devices, (d) => `${d.driver ?? ''}/${d.pool ?? ''}/${d.device ?? ''}`, 'status.devices'));
  if (reserved.length > 0 && !status.allocation) errs.push(forbidden('status.reservedFor', 'may not be specified when `allocated` is not set'));
  if (reserved.length > 0 && status.allocation && claim.metadata?.deletionTimestamp) {
    const before = new Set((old.status?.reservedFor ?? []).map((r) => JSON.stringify(r)));
    if (reserved.some((r) => !before.has(JSON.stringify(r)))) {
      errs.push(forbidden('status.reservedFor', 'new entries may not be added while `deallocationRequested` or `deletionTimestamp` are set'));
    }
  }
  const oldAlloc = old.status?.allocation;
  if (oldAlloc && status.allocation) {
    if (!sameStored(oldAlloc, status.allocation)) errs.push(invalidValue('status.allocation', status.allocation, 'field is immutable'));
  } else if (status.allocation) {
    const names = requestNames(claim.spec?.devices);
    const results = status.allocation.devices?.results ?? [];
    const resultsPath = 'status.allocation.devices.results';
    errs.push(
      ...limited(results, MAX_RESULTS, resultsPath, () =>
        results.flatMap((r, i) => {
          const p = `${resultsPath}[${i}]`;
          return [
            ...validateRequestRef(r.request ?? '', `${p}.request`, names),
            ...validateDriverName(r.driver, `${p}.driver`),
            ...validatePoolName(r.pool, `${p}.pool`),
            ...dnsLabel(r.device ?? '', `${p}.device`),
            ...validateTolerations(r.tolerations, `${p}.tolerations`),
          ];
        }),
      ),
    );
    const config = status.allocation.devices?.config ?? [];
    errs.push(
      ...limited(config, 2 * MAX_CONFIG, 'status.allocation.devices.config', () =>
        config.flatMap((c, i) => {
          const p = `status.allocation.devices.config[${i}]`;
          const source = !c.source
            ? [required(`${p}.source`)]
            : c.source !== 'FromClaim' && c.source !== 'FromClass'
              ? [notSupported(`${p}.source`, c.source, ['FromClaim', 'FromClass'])]
              : [];
          return [...source, ...validateRequestRefs(c.requests, `${p}.requests`, names), ...validateOpaque(c, p)];
        }),
      ),
    );
    if (status.allocation.nodeSelector) errs.push(...validateNodeSelector(status.allocation.nodeSelector, 'status.allocation.nodeSelector'));
  }
  return errs;
}

/** A DeviceTaintRule's device selector (v1alpha3). */
export function validateTaintSelector(
  sel: { driver?: string | null; pool?: string | null; device?: string | null; deviceClassName?: string | null; selectors?: v1beta2.DeviceSelector[] } | undefined,
  path: string,
): FieldError[] {
  if (!sel) return [];
  const errs: FieldError[] = validateSelectors(sel.selectors, `${path}.selectors`);
  if (sel.deviceClassName !== undefined && sel.deviceClassName !== null) errs.push(...dnsSubdomain(sel.deviceClassName, `${path}.deviceClassName`));
  if (sel.driver !== undefined && sel.driver !== null) errs.push(...validateDriverName(sel.driver, `${path}.driver`));
  if (sel.pool !== undefined && sel.pool !== null) errs.push(...validatePoolName(sel.pool, `${path}.pool`));
  if (sel.device !== undefined && sel.device !== null) errs.push(...dnsLabel(sel.device, `${path}.device`));
  return errs;
}
