/**
 * storagemigration.k8s.io/v1alpha1 StorageVersionMigration (alpha in 1.33: served only when
 * --runtime-config turns it on): a request to rewrite every stored object of one resource.
 * As upstream's strategy, the status is cleared on create and kept on update, and `/status`
 * writes nothing else; the named resource's version and plural are required and the resource
 * never changes; status conditions follow upstream's alpha rules (known statuses, reasons
 * in CamelCase form, Succeeded and Failed exclusive of each other and of Running, final once
 * true), and status.resourceVersion is a number that is set once. The server's migrator
 * (src/server/storage-version-migrator.ts) is what writes the status.
 */
import type { MigrationCondition, StorageVersionMigration } from '../../../gen/kube/storagemigration-v1alpha1.js';
import { type FieldError, invalidValue, notSupported, required } from '../../machinery/validation/field-error.js';
import { isDns1123Subdomain, isQualifiedName } from '../../machinery/validation/names.js';
import { str } from '../core/fields.js';
import { declared } from '../rest/declared.js';
import { PLAIN_NAME_COLUMN_SLOT, type ResourceDefinition } from '../rest/definition.js';

const CONDITION_STATUSES = ['False', 'True', 'Unknown'];
const CONDITION_REASON = /^[A-Za-z]([A-Za-z0-9_,:]*[A-Za-z0-9_])?$/;
const CONDITION_REASON_MESSAGE =
  "a condition reason must start with alphabetic character, optionally followed by a string of alphanumeric characters or '_,:', and must end with an alphanumeric character or '_' (e.g. 'my_name',  or 'MY_NAME',  or 'MyName',  or 'ReasonA,ReasonB',  or 'ReasonA:ReasonB', regex used for validation is '[A-Za-z]([A-Za-z0-9_,:]*[A-Za-z0-9_])?')";
const MAX_REASON = 1024;
const MAX_MESSAGE = 32 * 1024;

function validateMigration(obj: StorageVersionMigration): FieldError[] {
  const errs: FieldError[] = [];
  const resource = obj.spec?.resource ?? {};
  if (!str(resource.resource)) errs.push(required('spec.resource.resource', 'resource is required'));
  if (!str(resource.version)) errs.push(required('spec.resource.version', 'version is required'));
  return errs;
}

/** Upstream's checks of the spec on update; its paths name the bare field, as upstream's do. */
function validateMigrationUpdate(obj: StorageVersionMigration, old: StorageVersionMigration): FieldError[] {
  const errs = validateMigration(obj);
  const now = obj.spec?.resource ?? {};
  const before = old.spec?.resource ?? {};
  for (const field of ['group', 'version', 'resource'] as const) {
    if (str(now[field]) !== str(before[field])) errs.push(invalidValue(field, str(now[field]), 'field is immutable'));
  }
  return errs;
}

function validateCondition(c: MigrationCondition, path: string): FieldError[] {
  const errs: FieldError[] = [];
  const type = str(c.type);
  for (const msg of isQualifiedName(type)) errs.push(invalidValue(`${path}.type`, type, msg));
  if (!CONDITION_STATUSES.includes(str(c.status))) errs.push(notSupported(`${path}.status`, str(c.status), CONDITION_STATUSES));
  // Upstream names the field lastTransitionTime although the condition's time is lastUpdateTime.
  if (!c.lastUpdateTime) errs.push(required(`${path}.lastTransitionTime`));
  const reason = str(c.reason);
  if (!reason) errs.push(required(`${path}.reason`));
  else {
    if (!CONDITION_REASON.test(reason)) errs.push(invalidValue(`${path}.reason`, reason, CONDITION_REASON_MESSAGE));
    if (reason.length > MAX_REASON) errs.push({ type: 'TooLong', field: `${path}.reason`, detail: `may not be more than ${MAX_REASON} bytes` });
  }
  if (str(c.message).length > MAX_MESSAGE) errs.push({ type: 'TooLong', field: `${path}.message`, detail: `may not be more than ${MAX_MESSAGE} bytes` });
  return errs;
}

/** Whether the migration has a condition of `type` whose status is True. */
export function migrationConditionTrue(obj: StorageVersionMigration, type: string): boolean {
  return (obj.status?.conditions ?? []).find((c) => c.type === type)?.status === 'True';
}

function validateStatusUpdate(obj: StorageVersionMigration, old: StorageVersionMigration): FieldError[] {
  const errs: FieldError[] = [];
  const rv = str(obj.status?.resourceVersion);
  if (rv !== '' && !/^[+-]?\d+$/.test(rv)) {
    errs.push(invalidValue('status.resourceVersion', rv, `failed to parse resource version ${JSON.stringify(rv)}: strconv.ParseInt: parsing ${JSON.stringify(rv)}: invalid syntax`));
  } else if (rv !== '' && Number(rv) < 0) {
    errs.push(invalidValue('status.resourceVersion', Number(rv), 'must be greater than or equal to 0'));
  }
  const conditions = obj.status?.conditions ?? [];
  const seen = new Set<string>();
  conditions.forEach((c, i) => {
    const path = `status.conditions[${i}]`;
    if (seen.has(str(c.type))) errs.push({ type: 'Duplicate', field: `${path}.type`, value: str(c.type), detail: '' });
    seen.add(str(c.type));
    errs.push(...validateCondition(c, path));
  });
  const oldRv = str(old.status?.resourceVersion);
  if (oldRv !== '' && oldRv !== rv) errs.push(invalidValue('status.resourceVersion', rv, 'cannot be updated'));
  const succeeded = migrationConditionTrue(obj, 'Succeeded');
  const failed = migrationConditionTrue(obj, 'Failed');
  const running = migrationConditionTrue(obj, 'Running');
  const rule = (broken: boolean, detail: string): void => {
    if (broken) errs.push(invalidValue('status.conditions', conditions, detail));
  };
  rule(succeeded && failed, 'Both success and failed conditions cannot be true at the same time');
  rule(succeeded && running, 'Running condition cannot be true when success condition is true');
  rule(failed && running, 'Running condition cannot be true when failed condition is true');
  rule(migrationConditionTrue(old, 'Succeeded') && !succeeded, 'Success condition cannot be set to false once it is true');
  rule(migrationConditionTrue(old, 'Failed') && !failed, 'Failed condition cannot be set to false once it is true');
  return errs;
}

/** The StorageVersionMigration resource. */
export const storageVersionMigrations: ResourceDefinition<StorageVersionMigration> = {
  ...declared('storagemigration.k8s.io', 'storageversionmigrations'),
  nameValidator: isDns1123Subdomain,
  strategy: {
    prepareForCreate(obj) {
      obj.status = {};
    },
    validate: validateMigration,
    validateUpdate: validateMigrationUpdate,
  },
  statusStrategy: {
    validateUpdate: validateStatusUpdate,
  },
  // As upstream's status strategy: managers of /status own neither metadata nor spec.
  resetFields: { status: [['metadata'], ['spec']] },
  // Upstream's printer: a Name column without the name format, the resource as
  // RESOURCE.VERSION.GROUP, and no Age.
  printsAge: false,
  printerColumns: [
    PLAIN_NAME_COLUMN_SLOT,
    {
      name: 'Resource',
      type: 'string',
      description: 'Fully qualified resource to migrate',
      cell: (obj) => `${str(obj.spec?.resource?.resource)}.${str(obj.spec?.resource?.version)}.${str(obj.spec?.resource?.group)}`,
    },
  ],
};
