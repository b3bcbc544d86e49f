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

/**
 * `bytes` as one X.509 certificate and nothing more (Go's ParseCertificate refuses trailing
 * data), or undefined when it is not one.
 */
function parseX509(bytes: Buffer): X509Certificate | undefined {
  try {
    const cert = new X509Certificate(bytes);
    return cert.raw.length === bytes.length ? cert : undefined;
  } catch {
    return undefined;
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
    else {
      const cert = parseX509(block.bytes);
      if (!cert) problem = `entry ${i} does not parse as X.509`;
      // Go's cert.IsCA, as Node reports it: a basicConstraints extension whose cA is TRUE.
      else if (!cert.ca) problem = `entry ${i} does not have the CA bit set`;
    }
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
