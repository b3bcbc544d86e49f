/**
 * internal.apiserver.k8s.io/v1alpha1 StorageVersion (alpha in 1.33: served only when
 * --runtime-config turns it on): what each API server reports about the version it stores a
 * resource in. Named `<group>.<resource>`; the spec is empty; as upstream's strategy, the
 * status is cleared on create, kept on update and written through `/status`, where each
 * server's entry must name a valid ID and versions (the encoding version among the
 * decodable ones), commonEncodingVersion must be the version every entry agrees on (unset
 * when they disagree), and conditions have unique qualified types, a reason and a message.
 */
import type { ServerStorageVersion, StorageVersion, StorageVersionStatus } from '../../../gen/kube/apiserverinternal-v1alpha1.js';
import { type FieldError, GO_STRING_SLICE, goValue, invalidValue, required } from '../../machinery/validation/field-error.js';
import { isDns1035Label, isDns1123Subdomain, isQualifiedName } from '../../machinery/validation/names.js';
import { str } from '../core/fields.js';
import { declared } from '../rest/declared.js';
import type { ResourceDefinition } from '../rest/definition.js';

/** Upstream's name rule: `<group>.<resource>`, the group a DNS subdomain and the resource a DNS-1035 label. */
export function validateStorageVersionName(name: string): string[] {
  const dot = name.lastIndexOf('.');
  if (dot < 0) return ['name must be in the form of <group>.<resource>'];
  return [
    ...isDns1123Subdomain(name.slice(0, dot)).map((m) => `the group segment ${m}`),
    ...isDns1035Label(name.slice(dot + 1)).map((m) => `the resource segment ${m}`),
  ];
}

const EMPTY = 'must be non-empty';
const DNS1035_PATTERN_MESSAGE =
  "a DNS-1035 label, which must consist of lower case alphanumeric characters or '-', start with an alphabetic character, and end with an alphanumeric character (e.g. 'my-name',  or 'abc-123', regex used for validation is '[a-z]([-a-z0-9]*[a-z0-9])?')";

/** Problems with an apiVersion (`[group/]version`), in upstream's words. */
function apiVersionProblems(apiVersion: string): string[] {
  const parts = apiVersion.split('/');
  if (parts.length > 2) return [`an apiVersion is ${DNS1035_PATTERN_MESSAGE} with an optional DNS subdomain prefix and '/' (e.g. 'example.com/MyVersion')`];
  const errs: string[] = [];
  let version = parts[0] ?? '';
  if (parts.length === 2) {
    const group = parts[0] ?? '';
    version = parts[1] ?? '';
    if (group === '') errs.push(`group part: ${EMPTY}`);
    else errs.push(...isDns1123Subdomain(group).map((m) => `group part: ${m}`));
  }
  if (version === '') errs.push(`version part: ${EMPTY}`);
  else errs.push(...isDns1035Label(version).map((m) => `version part: ${m}`));
  return errs;
}

function validateServerStorageVersion(ssv: ServerStorageVersion, path: string): FieldError[] {
  const errs: FieldError[] = [];
  const id = str(ssv.apiServerID);
  for (const msg of isDns1123Subdomain(id)) errs.push(invalidValue(`${path}.apiServerID`, id, msg));
  const encoding = str(ssv.encodingVersion);
  const encodingProblems = apiVersionProblems(encoding);
  if (encodingProblems.length) errs.push(invalidValue(`${path}.encodingVersion`, encoding, encodingProblems.join(',')));
  const decodable = ssv.decodableVersions ?? [];
  decodable.forEach((v, i) => {
    const problems = apiVersionProblems(v);
    if (problems.length) errs.push(invalidValue(`${path}.decodableVersions[${i}]`, v, problems.join(',')));
  });
  if (!decodable.includes(encoding)) {
    errs.push(invalidValue(`${path}.decodableVersions`, goValue(GO_STRING_SLICE, ssv.decodableVersions), `decodableVersions must include encodingVersion ${encoding}`));
  }
  return errs;
}

/** The encoding version every entry reports, when there are entries and they agree. */
function agreedEncodingVersion(entries: readonly ServerStorageVersion[]): string | undefined {
  const first = entries[0];
  if (!first) return undefined;
  const version = str(first.encodingVersion);
  return entries.every((e) => str(e.encodingVersion) === version) ? version : undefined;
}

function validateCommonVersion(status: StorageVersionStatus): FieldError[] {
  const actual = agreedEncodingVersion(status.storageVersions ?? []);
  const stated = status.commonEncodingVersion;
  const path = 'status.commonEncodingVersion';
  if (actual === undefined && stated === undefined) return [];
  if (actual === undefined) return [invalidValue(path, stated, 'should be nil if servers do not agree on the same encoding version, or if there is no server reporting the supported versions yet')];
  if (stated === undefined) return [invalidValue(path, null, `the common encoding version is ${actual}`)];
  if (stated !== actual) return [invalidValue(path, stated, `the actual common encoding version is ${actual}`)];
  return [];
}

function validateStatus(obj: StorageVersion): FieldError[] {
  const status = obj.status ?? {};
  const errs: FieldError[] = [];
  (status.storageVersions ?? []).forEach((ssv, i) => errs.push(...validateServerStorageVersion(ssv, `status.storageVersions[${i}]`)));
  errs.push(...validateCommonVersion(status));
  const seen = new Map<string, number>();
  (status.conditions ?? []).forEach((c, i) => {
    // Upstream indexes the status itself, not status.conditions.
    const path = `status[${i}]`;
    const type = str(c.type);
    const first = seen.get(type);
    if (first !== undefined) errs.push(invalidValue(`${path}.type`, type, `the type of the condition is not unique, it also appears in conditions[${first}]`));
    seen.set(type, i);
    for (const msg of isQualifiedName(type)) errs.push(invalidValue(`${path}.type`, type, msg));
    // Upstream reports a bad status with the condition's type as the value.
    for (const msg of isQualifiedName(str(c.status))) errs.push(invalidValue(`${path}.status`, type, msg));
    if (!str(c.reason)) errs.push(required(`${path}.reason`, 'reason cannot be empty'));
    if (!str(c.message)) errs.push(required(`${path}.message`, 'message cannot be empty'));
  });
  return errs;
}

/** `ID=VERSION` of the first three entries, then `+ N more...`; `<unset>` for none (upstream's printer). */
function formatStorageVersions(entries: readonly ServerStorageVersion[]): string {
  const shown = entries.slice(0, 3).map((e) => `${str(e.apiServerID)}=${str(e.encodingVersion)}`);
  const text = shown.join(',');
  if (entries.length > 3) return `${text} + ${entries.length - 3} more...`;
  return text === '' ? '<unset>' : text;
}

/** The StorageVersion resource. */
export const storageVersions: ResourceDefinition<StorageVersion> = {
  ...declared('internal.apiserver.k8s.io', 'storageversions'),
  nameValidator: validateStorageVersionName,
  strategy: {
    prepareForCreate(obj) {
      obj.status = {};
    },
    validate: validateStatus,
  },
  statusStrategy: {
    validateUpdate: validateStatus,
  },
  // As upstream's status strategy: managers of /status own neither metadata nor spec.
  resetFields: { status: [['metadata'], ['spec']] },
  printerColumns: [
    {
      name: 'CommonEncodingVersion',
      type: 'string',
      description:
        'If all API server instances agree on the same encoding storage version, then this field is set to that version. Otherwise this field is left empty. API servers should finish updating its storageVersionStatus entry before serving write operations, so that this field will be in sync with the reality.',
      cell: (obj) => obj.status?.commonEncodingVersion ?? '<unset>',
    },
    { name: 'StorageVersions', type: 'string', description: 'The reported versions per API server instance.', cell: (obj) => formatStorageVersions(obj.status?.storageVersions ?? []) },
  ],
};
