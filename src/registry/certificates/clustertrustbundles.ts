/**
 * certificates.k8s.io ClusterTrustBundle (v1beta1, stored, off unless --runtime-config turns
 * it on; v1alpha1, alpha, the same objects): a cluster-wide set of CA certificates, optionally
 * tied to a signer. Validated as upstream's ValidateClusterTrustBundle: a bundle of a signer is
 * named `<signerName with / as :>:<suffix>`, one of no signer has no `:` in its name; the
 * signer name never changes; the bundle is PEM CERTIFICATE blocks only (at most 1 MiB), each
 * without headers, parsing as X.509 with the CA bit set, none repeated, at least one.
 */
import { X509Certificate } from 'node:crypto';
import type { ClusterTrustBundle } from '../../../gen/kube/certificates-v1beta1.js';
import type { KubeObject } from '../../machinery/meta/object.js';
import { type FieldError, invalidValue } from '../../machinery/validation/field-error.js';
import { isDns1123Subdomain } from '../../machinery/validation/names.js';
import { decodeAllPem } from '../../util/pem.js';
import { str } from '../core/fields.js';
import { declared } from '../rest/declared.js';
import type { ResourceDefinition } from '../rest/definition.js';
import { validateSignerName } from './certificatesigningrequests.js';

/** Upstream's MaxTrustBundleSize. */
const MAX_TRUST_BUNDLE_SIZE = 1024 * 1024;
const OMITTED = '<value omitted>';
const TRUST_BUNDLE = 'spec.trustBundle';

/** Upstream's ValidateClusterTrustBundleName: the name rule follows the bundle's signer. */
function nameProblems(name: string, obj?: KubeObject): string[] {
  const signerName = str((obj as ClusterTrustBundle | undefined)?.spec?.signerName);
  if (signerName === '') {
    return name.includes(':') ? ['ClusterTrustBundle without signer name must not have ":" in its name'] : isDns1123Subdomain(name);
  }
  const prefix = `${signerName.replaceAll('/', ':')}:`;
  if (!name.startsWith(prefix)) return [`ClusterTrustBundle for signerName ${signerName} must be named with prefix ${prefix}`];
  return isDns1123Subdomain(name.slice(prefix.length));
}

/** One DER element: its tag, contents and where the next one starts. */
function der(buf: Buffer, at: number): { tag: number; start: number; end: number } | undefined {
  if (at + 2 > buf.length) return undefined;
  const tag = buf[at] as number;
  let len = buf[at + 1] as number;
  let start = at + 2;
  if (len & 0x80) {
    const n = len & 0x7f;
    if (n === 0 || n > 4 || start + n > buf.length) return undefined;
    len = 0;
    for (let i = 0; i < n; i++) len = len * 256 + (buf[start + i] as number);
    start += n;
  }
  return start + len > buf.length ? undefined : { tag, start, end: start + len };
}

/** The elements directly inside the constructed element spanning [start, end). */
function children(buf: Buffer, start: number, end: number): Array<{ tag: number; start: number; end: number }> {
  const out: Array<{ tag: number; start: number; end: number }> = [];
  for (let at = start; at < end; ) {
    const el = der(buf, at);
    if (!el) break;
    out.push(el);
    at = el.end;
  }
  return out;
}

/** DER of the basicConstraints extension's OID, 2.5.29.19. */
const BASIC_CONSTRAINTS_OID = Buffer.from([0x55, 0x1d, 0x13]);

/** Go's cert.IsCA: the certificate has a basicConstraints extension whose cA is TRUE. */
function isCa(cert: Buffer): boolean {
  const top = der(cert, 0);
  const tbs = top && children(cert, top.start, top.end)[0];
  if (!tbs) return false;
  // The extensions are the [3] element of the TBSCertificate.
  const exts = children(cert, tbs.start, tbs.end).find((el) => el.tag === 0xa3);
  const list = exts && children(cert, exts.start, exts.end)[0];
  if (!list) return false;
  for (const ext of children(cert, list.start, list.end)) {
    const [oid, ...rest] = children(cert, ext.start, ext.end);
    if (!oid || !cert.subarray(oid.start, oid.end).equals(BASIC_CONSTRAINTS_OID)) continue;
    const value = rest.find((el) => el.tag === 0x04);
    if (!value) return false;
    const seq = der(cert, value.start);
    const first = seq && children(cert, seq.start, seq.end)[0];
    return first !== undefined && first.tag === 0x01 && first.end - first.start === 1 && cert[first.start] !== 0;
  }
  return false;
}

/** Whether `bytes` is one X.509 certificate and nothing more (Go's ParseCertificate refuses trailing data). */
function parsesAsX509(bytes: Buffer): boolean {
  try {
    return new X509Certificate(bytes).raw.length === bytes.length;
  } catch {
    return false;
  }
}

/** Upstream's validateTrustBundle. */
function validateTrustBundle(bundle: string): FieldError[] {
  if (Buffer.byteLength(bundle) > MAX_TRUST_BUNDLE_SIZE) {
    return [{ type: 'TooLong', field: TRUST_BUNDLE, detail: `may not be more than ${MAX_TRUST_BUNDLE_SIZE} bytes` }];
  }
  const errs: FieldError[] = [];
  const seen = new Map<string, number[]>();
  decodeAllPem(bundle).forEach((block, i) => {
    let problem: string | undefined;
    if (block.type !== 'CERTIFICATE') problem = `entry ${i} has bad block type: ${block.type}`;
    else if (Object.keys(block.headers).length > 0) problem = `entry ${i} has PEM block headers`;
    else if (!parsesAsX509(block.bytes)) problem = `entry ${i} does not parse as X.509`;
    else if (!isCa(block.bytes)) problem = `entry ${i} does not have the CA bit set`;
    if (problem) {
      errs.push(invalidValue(TRUST_BUNDLE, OMITTED, problem));
      return;
    }
    const key = block.bytes.toString('base64');
    seen.set(key, [...(seen.get(key) ?? []), i]);
  });
  // A malformed block says enough: no further word on duplicates or emptiness.
  if (errs.length > 0) return errs;
  if (seen.size === 0) errs.push(invalidValue(TRUST_BUNDLE, OMITTED, 'at least one trust anchor must be provided'));
  for (const indices of seen.values()) {
    if (indices.length > 1) errs.push(invalidValue(TRUST_BUNDLE, OMITTED, `duplicate trust anchor (indices [${indices.join(' ')}])`));
  }
  return errs;
}

function validateBundle(obj: ClusterTrustBundle, parseBundle: boolean): FieldError[] {
  const signerName = str(obj.spec?.signerName);
  const errs = signerName ? validateSignerName('spec.signerName', signerName) : [];
  if (parseBundle) errs.push(...validateTrustBundle(str(obj.spec?.trustBundle)));
  return errs;
}

/** The ClusterTrustBundle resource. */
export const clusterTrustBundles: ResourceDefinition<ClusterTrustBundle> = {
  ...declared('certificates.k8s.io', 'clustertrustbundles'),
  nameValidator: nameProblems,
  strategy: {
    validate: (obj) => validateBundle(obj, true),
    validateUpdate(obj, old) {
      // An unchanged bundle is not parsed again (upstream spares objects stored under older parsers).
      const errs = validateBundle(obj, str(obj.spec?.trustBundle) !== str(old.spec?.trustBundle));
      const signerName = str(obj.spec?.signerName);
      if (signerName !== str(old.spec?.signerName)) errs.push(invalidValue('spec.signerName', signerName, 'field is immutable'));
      return errs;
    },
  },
  selectableFields: (obj) => ({ 'spec.signerName': str(obj.spec?.signerName) }),
  printsAge: false,
  printerColumns: [
    {
      name: 'SignerName',
      type: 'string',
      description:
        'signerName indicates the associated signer, if any.\n\nIn order to create or update a ClusterTrustBundle that sets signerName, you must have the following cluster-scoped permission: group=certificates.k8s.io resource=signers resourceName=<the signer name> verb=attest.\n\nIf signerName is not empty, then the ClusterTrustBundle object must be named with the signer name as a prefix (translating slashes to colons). For example, for the signer name `example.com/foo`, valid ClusterTrustBundle object names include `example.com:foo:abc` and `example.com:foo:v1`.\n\nIf signerName is empty, then the ClusterTrustBundle object\'s name must not have such a prefix.\n\nList/watch requests for ClusterTrustBundles can filter on this field using a `spec.signerName=NAME` field selector.',
      cell: (obj) => str(obj.spec?.signerName) || '<none>',
    },
  ],
};
