/**
 * certificates.k8s.io/v1 CertificateSigningRequest: a PKCS#10 request for a named signer.
 * The spec is fixed at creation, and the requestor (username, uid, groups, extra) is the
 * user who created it, whatever the body said. Approval and denial go through `/approval`,
 * which writes only status.conditions; signers write the rest of the status (the
 * certificate, Failed conditions) through `/status`, which cannot touch Approved or Denied.
 */
import type { CertificateSigningRequest, CertificateSigningRequestCondition } from '../../../gen/kube/certificates-v1.js';
import { jsonEqual } from '../../machinery/meta/object.js';
import { type FieldError, forbidden, invalidValue, notSupported, required } from '../../machinery/validation/field-error.js';
import { isDns1123Label, isDns1123Subdomain } from '../../machinery/validation/names.js';
import { humanDuration } from '../../util/duration.js';
import { num, str } from '../core/fields.js';
import { declared } from '../rest/declared.js';
import { AGE_COLUMN_SLOT, type ResourceDefinition } from '../rest/definition.js';
import type { Strategy, StrategyContext } from '../rest/strategy.js';
import { certificateRequestProblem } from './pkcs10.js';

const APPROVED = 'Approved';
const DENIED = 'Denied';
const FAILED = 'Failed';
/** Condition types whose status may only be True. */
const TRUE_ONLY = new Set([APPROVED, DENIED, FAILED]);
const ALL_STATUSES = ['False', 'True', 'Unknown'];

/** The key usages upstream knows, sorted as its messages list them. */
const KEY_USAGES = [
  'any',
  'cert sign',
  'client auth',
  'code signing',
  'content commitment',
  'crl sign',
  'data encipherment',
  'decipher only',
  'digital signature',
  'email protection',
  'encipher only',
  'ipsec end system',
  'ipsec tunnel',
  'ipsec user',
  'key agreement',
  'key encipherment',
  'microsoft sgc',
  'netscape sgc',
  'ocsp signing',
  's/mime',
  'server auth',
  'signing',
  'timestamping',
];

/** The signerName v1beta1 defaulted to, refused through v1. */
const LEGACY_UNKNOWN_SIGNER = 'kubernetes.io/legacy-unknown';
const DNS1123_SUBDOMAIN_MAX = 253;
const DNS1123_LABEL_MAX = 63;
const MIN_EXPIRATION_SECONDS = 600;

type Csr = CertificateSigningRequest;
type Condition = CertificateSigningRequestCondition;

const conditionsOf = (obj: Csr): Condition[] => (Array.isArray(obj.status?.conditions) ? obj.status.conditions : []);
const ofType = (obj: Csr, type: string): Condition[] => conditionsOf(obj).filter((c) => c.type === type);

/** RFC 3339 at whole seconds, as metav1.Time is written. */
function nowTime(): string {
  return new Date(Math.floor(Date.now() / 1000) * 1000).toISOString().replace(/\.\d{3}Z$/, 'Z');
}

/** Decode-time defaults (certificates/v1 SetDefaults_CertificateSigningRequestCondition): a condition's status is True. */
function defaultCsr(obj: Csr): void {
  for (const c of conditionsOf(obj)) if (!c.status) c.status = 'True';
}

/** upstream's ValidateSignerName: `domain/path` with DNS-shaped parts, at most 571 characters. */
export function validateSignerName(path: string, signerName: string): FieldError[] {
  if (signerName === '') return [required(path)];
  const segments = signerName.split('/');
  if (segments.length !== 2) return [invalidValue(path, signerName, "must be a fully qualified domain and path of the form 'example.com/signer-name'")];
  const [domain = '', rest = ''] = segments;
  const errs: FieldError[] = [];
  if (domain.length > DNS1123_SUBDOMAIN_MAX) errs.push({ type: 'TooLong', field: path, detail: `may not be more than ${DNS1123_SUBDOMAIN_MAX} bytes` });
  const labels = domain.split('.');
  for (const label of labels) {
    const problems = isDns1123Label(label);
    if (problems.length === 0) continue;
    for (const p of problems) errs.push(invalidValue(path, domain, `validating label ${JSON.stringify(label)}: ${p}`));
    break;
  }
  if (labels.length < 2) errs.push(invalidValue(path, domain, 'should be a domain with at least two segments separated by dots'));
  for (const label of rest.split('.')) {
    const problems = isDns1123Subdomain(label);
    if (problems.length === 0) continue;
    for (const p of problems) errs.push(invalidValue(path, rest, `validating label ${JSON.stringify(label)}: ${p}`));
    break;
  }
  const max = DNS1123_SUBDOMAIN_MAX + (DNS1123_SUBDOMAIN_MAX + DNS1123_LABEL_MAX + 1) + 1;
  if (signerName.length > max) errs.push({ type: 'TooLong', field: path, detail: `may not be more than ${max} bytes` });
  return errs;
}

/**
 * Which of upstream's tolerances apply: what the stored object already breaks may stay
 * broken (getValidationOptions), and what the write path may change.
 */
interface Options {
  settingApproval: boolean;
  settingCertificate: boolean;
  bothApprovedAndDenied: boolean;
  legacySigner: boolean;
  duplicateConditionTypes: boolean;
  emptyConditionType: boolean;
  arbitraryCertificate: boolean;
  unknownUsages: boolean;
  duplicateUsages: boolean;
}

function optionsFor(obj: Csr, old: Csr | undefined): Options {
  const types = old ? conditionsOf(old).map((c) => str(c.type)) : [];
  const usages = old ? (old.spec?.usages ?? []).map(str) : [];
  return {
    settingApproval: false,
    settingCertificate: false,
    bothApprovedAndDenied: types.includes(APPROVED) && types.includes(DENIED),
    legacySigner: old !== undefined && old.spec?.signerName === LEGACY_UNKNOWN_SIGNER,
    duplicateConditionTypes: new Set(types).size !== types.length,
    emptyConditionType: types.includes(''),
    arbitraryCertificate:
      old !== undefined && (str(obj.status?.certificate) === str(old.status?.certificate) || certificateProblem(str(old.status?.certificate)) !== undefined),
    unknownUsages: usages.some((u) => !KEY_USAGES.includes(u)),
    duplicateUsages: new Set(usages).size !== usages.length,
  };
}

/** upstream's validateCertificate: PEM CERTIFICATE blocks only (their DER is not parsed here). */
function certificateProblem(base64: string): string | undefined {
  if (base64 === '') return undefined;
  const text = Buffer.from(base64, 'base64').toString('latin1');
  const blocks = [...text.matchAll(/-----BEGIN ([^-\r\n]*)-----\r?\n([\s\S]*?)-----END ([^-\r\n]*)-----/g)];
  if (blocks.length === 0) return 'must contain at least one CERTIFICATE PEM block';
  for (const b of blocks) {
    if (b[1] !== 'CERTIFICATE') return `only CERTIFICATE PEM blocks are allowed, found ${JSON.stringify(b[1])}`;
    if ((b[2] ?? '').includes(':')) return 'no PEM block headers are permitted';
  }
  return undefined;
}

function validateConditions(obj: Csr, opts: Options): FieldError[] {
  const errs: FieldError[] = [];
  const seen = new Set<string>();
  let approved = false;
  let denied = false;
  conditionsOf(obj).forEach((c, i) => {
    const p = `status.conditions[${i}]`;
    const type = str(c.type);
    if (!opts.emptyConditionType && type === '') errs.push(required(`${p}.type`));
    const allowed = TRUE_ONLY.has(type) ? ['True'] : ALL_STATUSES;
    const status = str(c.status);
    if (status === '') errs.push(required(`${p}.status`));
    else if (!allowed.includes(status)) errs.push(notSupported(`${p}.status`, status, allowed));
    if (!opts.bothApprovedAndDenied) {
      if (type === APPROVED) {
        approved = true;
        if (denied) errs.push(invalidValue(`${p}.type`, type, 'Approved and Denied conditions are mutually exclusive'));
      } else if (type === DENIED) {
        denied = true;
        if (approved) errs.push(invalidValue(`${p}.type`, type, 'Approved and Denied conditions are mutually exclusive'));
      }
    }
    if (!opts.duplicateConditionTypes) {
      if (seen.has(type)) errs.push({ type: 'Duplicate', field: `${p}.type`, value: type, detail: '' });
      seen.add(type);
    }
  });
  return errs;
}

function validateCsr(obj: Csr, opts: Options): FieldError[] {
  const errs: FieldError[] = [];
  const spec = obj.spec ?? {};
  const request = str(spec.request);
  const problem = certificateRequestProblem(Buffer.from(request, 'base64'));
  if (problem) errs.push(invalidValue('spec.request', request, problem));
  const usages = Array.isArray(spec.usages) ? spec.usages : [];
  if (usages.length === 0) errs.push(required('spec.usages'));
  if (!opts.unknownUsages) {
    usages.forEach((u, i) => {
      if (!KEY_USAGES.includes(str(u))) errs.push(notSupported(`spec.usages[${i}]`, u, KEY_USAGES));
    });
  }
  if (!opts.duplicateUsages) {
    const seen = new Set<string>();
    usages.forEach((u, i) => {
      if (seen.has(u)) errs.push({ type: 'Duplicate', field: `spec.usages[${i}]`, value: u, detail: '' });
      seen.add(u);
    });
  }
  const signerName = str(spec.signerName);
  if (!opts.legacySigner && signerName === LEGACY_UNKNOWN_SIGNER) {
    errs.push(invalidValue('spec.signerName', signerName, 'the legacy signerName is not allowed via this API version'));
  } else errs.push(...validateSignerName('spec.signerName', signerName));
  const expiration = num(spec.expirationSeconds);
  if (expiration !== undefined && expiration < MIN_EXPIRATION_SECONDS) {
    errs.push(invalidValue('spec.expirationSeconds', expiration, 'may not specify a duration less than 600 seconds (10 minutes)'));
  }
  errs.push(...validateConditions(obj, opts));
  if (!opts.arbitraryCertificate) {
    const certProblem = certificateProblem(str(obj.status?.certificate));
    if (certProblem) errs.push(invalidValue('status.certificate', '<certificate data>', certProblem));
  }
  return errs;
}

/** upstream's validateCertificateSigningRequestUpdate: the object's rules plus what an update may not do. */
function validateCsrUpdate(obj: Csr, old: Csr, opts: Options): FieldError[] {
  const errs = validateCsr(obj, opts);
  for (const type of [APPROVED, DENIED, FAILED]) {
    if (ofType(obj, type).length < ofType(old, type).length) errs.push(forbidden('status.conditions', `updates may not remove a condition of type ${JSON.stringify(type)}`));
  }
  if (!opts.settingApproval) {
    for (const type of [APPROVED, DENIED]) {
      const before = ofType(old, type);
      const after = ofType(obj, type);
      if (after.length > before.length) errs.push(forbidden('status.conditions', `updates may not add a condition of type ${JSON.stringify(type)}`));
      else if (after.length === before.length && !jsonEqual(before, after)) {
        errs.push(forbidden('status.conditions', `updates may not modify a condition of type ${JSON.stringify(type)}`));
      }
    }
  }
  const cert = str(obj.status?.certificate);
  const oldCert = str(old.status?.certificate);
  if (cert !== oldCert) {
    if (!opts.settingCertificate) errs.push(forbidden('status.certificate', 'updates may not set certificate content'));
    else if (oldCert !== '') errs.push(forbidden('status.certificate', 'updates may not modify existing certificate content'));
  }
  return errs;
}

/** Conditions without times get now; a transition time carries over while type and status stay. */
function populateConditionTimestamps(obj: Csr, old: Csr): void {
  const now = nowTime();
  for (const c of conditionsOf(obj)) {
    if (!c.lastUpdateTime) c.lastUpdateTime = now;
    if (!c.lastTransitionTime) {
      const same = conditionsOf(old).find((o) => o.type === c.type && o.status === c.status && o.lastTransitionTime);
      c.lastTransitionTime = same?.lastTransitionTime ?? now;
    }
  }
}

/** The requestor is whoever created the request; users cannot create it approved. */
function prepareForCreate(obj: Csr, ctx?: StrategyContext): void {
  const spec = (obj.spec ??= {});
  delete spec.username;
  delete spec.uid;
  delete spec.groups;
  delete spec.extra;
  const user = ctx?.user;
  if (user) {
    if (user.name) spec.username = user.name;
    if (user.uid) spec.uid = user.uid;
    if (user.groups.length) spec.groups = [...user.groups];
    const extra = Object.entries(user.extra ?? {});
    if (extra.length) spec.extra = Object.fromEntries(extra.map(([k, v]) => [k, [...v]]));
  }
  obj.status = {};
}

const spreadStatus = (obj: Csr): NonNullable<Csr['status']> => (obj.status ??= {});

/** `/status`: everything of the status except the Approved and Denied conditions, which stay as stored. */
const statusStrategy: Strategy<Csr> = {
  prepareForUpdate(obj, old) {
    if (old.spec === undefined) delete obj.spec;
    else obj.spec = structuredClone(old.spec);
    for (const type of [APPROVED, DENIED]) {
      const before = conditionsOf(old).filter((c) => c.type === type);
      const afterIdx = conditionsOf(obj).flatMap((c, i) => (c.type === type ? [i] : []));
      if (before.length !== afterIdx.length) continue;
      const conditions = conditionsOf(obj);
      afterIdx.forEach((idx, n) => {
        conditions[idx] = structuredClone(before[n] as Condition);
      });
    }
    populateConditionTimestamps(obj, old);
  },
  validateUpdate: (obj, old) => validateCsrUpdate(obj, old, { ...optionsFor(obj, old), settingCertificate: true }),
};

/** `/approval`: only status.conditions change; the rest of the status stays as stored. */
const approvalStrategy: Strategy<Csr> = {
  prepareForUpdate(obj, old) {
    populateConditionTimestamps(obj, old);
    const conditions = obj.status?.conditions;
    if (old.spec === undefined) delete obj.spec;
    else obj.spec = structuredClone(old.spec);
    obj.status = structuredClone(old.status ?? {});
    if (conditions === undefined) delete spreadStatus(obj).conditions;
    else spreadStatus(obj).conditions = conditions;
  },
  validateUpdate: (obj, old) => validateCsrUpdate(obj, old, { ...optionsFor(obj, old), settingApproval: true }),
};

/** Pending, Approved or Denied, then Failed and Issued: upstream's printer. */
function conditionSummary(obj: Csr): string {
  const types = new Set(conditionsOf(obj).map((c) => c.type));
  let out = types.has(DENIED) ? 'Denied' : types.has(APPROVED) ? 'Approved' : 'Pending';
  if (types.has(FAILED)) out += ',Failed';
  if (str(obj.status?.certificate) !== '') out += ',Issued';
  return out;
}

/** The CertificateSigningRequest resource. */
export const certificateSigningRequests: ResourceDefinition<Csr> = {
  ...declared('certificates.k8s.io', 'certificatesigningrequests', { v1: { defaults: (obj) => defaultCsr(obj as Csr) } }),
  // Upstream does not care what requests are called.
  nameValidator: () => [],
  strategy: {
    prepareForCreate,
    prepareForUpdate(obj, old) {
      if (old.spec === undefined) delete obj.spec;
      else obj.spec = structuredClone(old.spec);
      if (old.status === undefined) delete obj.status;
      else obj.status = structuredClone(old.status);
    },
    validate: (obj) => validateCsr(obj, optionsFor(obj, undefined)),
    validateUpdate: (obj, old) => validateCsrUpdate(obj, old, optionsFor(obj, old)),
  },
  statusStrategy,
  statusSubresources: { approval: approvalStrategy },
  resetFields: {
    status: [['spec'], ['status', 'conditions']],
    approval: [['spec'], ['status', 'certificate']],
  },
  selectableFields: (obj) => ({ 'spec.signerName': str(obj.spec?.signerName) }),
  printerColumns: [
    AGE_COLUMN_SLOT,
    { name: 'SignerName', type: 'string', description: 'signerName indicates the requested signer, and is a qualified name.', cell: (obj) => str(obj.spec?.signerName) || '<none>' },
    { name: 'Requestor', type: 'string', description: 'request contains an x509 certificate signing request encoded in a "CERTIFICATE REQUEST" PEM block.', cell: (obj) => str(obj.spec?.username) },
    {
      name: 'RequestedDuration',
      type: 'string',
      description: 'expirationSeconds is the requested duration of validity of the issued certificate.',
      cell: (obj) => {
        const seconds = num(obj.spec?.expirationSeconds);
        return seconds === undefined ? '<none>' : humanDuration(seconds);
      },
    },
    { name: 'Condition', type: 'string', description: 'conditions applied to the request. Known conditions are "Approved", "Denied", and "Failed".', cell: conditionSummary },
  ],
};
