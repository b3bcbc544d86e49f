/**
 * networking.k8s.io/v1 ServiceCIDR (and v1beta1, the same objects, off unless --runtime-config
 * turns it on): one or two canonical CIDRs (one per IP family) that
 * Service cluster IPs come from; fixed once set, except that a single-stack one may gain
 * the other family. `kubernetes`, from `--service-cluster-ip-range`, is created at start
 * (server/bootstrap.ts), Ready as upstream's default-servicecidr controller marks it.
 */
import type { ServiceCIDR } from '../../../gen/kube/networking-v1.js';
import { type FieldError, invalidValue, required } from '../../machinery/validation/field-error.js';
import { ipFamilyOf, strictCidrProblems } from '../../machinery/validation/ip.js';
import { isDns1123Subdomain } from '../../machinery/validation/names.js';
import { declared } from '../rest/declared.js';
import type { ResourceDefinition } from '../rest/definition.js';

const IMMUTABLE = 'field is immutable';
const P = 'spec.cidrs';

function validateSpec(obj: ServiceCIDR): FieldError[] {
  const cidrs = obj.spec?.cidrs ?? [];
  if (cidrs.length === 0) return [required(P, 'at least one CIDR required')];
  if (cidrs.length > 2) return [invalidValue(P, obj.spec, 'may only hold up to 2 values')];
  const errs: FieldError[] = [];
  cidrs.forEach((cidr, i) => {
    for (const msg of strictCidrProblems(cidr)) errs.push(invalidValue(`${P}[${i}]`, cidr, msg));
  });
  if (cidrs.length === 2) {
    const family = ipFamilyOf(cidrs[0] as string);
    if (family !== undefined && family === ipFamilyOf(cidrs[1] as string)) {
      errs.push(invalidValue(P, cidrs, 'may specify no more than one IP for each IP family, i.e 192.168.0.0/24 and 2001:db8::/64'));
    }
  }
  return errs;
}

function validateSpecUpdate(obj: ServiceCIDR, old: ServiceCIDR): FieldError[] {
  const now = obj.spec?.cidrs ?? [];
  const was = old.spec?.cidrs ?? [];
  if (now.length === was.length) {
    return was.flatMap((cidr, i) => (cidr === now[i] ? [] : [invalidValue(`${P}[${i}]`, now[i], IMMUTABLE)]));
  }
  // A single-stack range may become dual-stack: the existing CIDR stays, the new one is checked.
  if (was.length === 1 && now.length === 2) {
    const errs = now[0] === was[0] ? [] : [invalidValue(`${P}[0]`, now[0], IMMUTABLE)];
    return [...errs, ...validateSpec(obj)];
  }
  return [invalidValue(P, now, IMMUTABLE)];
}

/** The ServiceCIDR resource. */
export const serviceCidrs: ResourceDefinition<ServiceCIDR> = {
  ...declared('networking.k8s.io', 'servicecidrs'),
  nameValidator: isDns1123Subdomain,
  strategy: {
    validate: validateSpec,
    validateUpdate: validateSpecUpdate,
  },
  statusStrategy: {},
  printerColumns: [
    {
      name: 'CIDRs',
      type: 'string',
      description:
        'CIDRs defines the IP blocks in CIDR notation (e.g. "192.168.0.0/24" or "2001:db8::/64") from which to assign service cluster IPs. Max of two CIDRs is allowed, one of each IP family. This field is immutable.',
      cell: (obj) => (obj.spec?.cidrs ?? []).join(','),
    },
  ],
};
