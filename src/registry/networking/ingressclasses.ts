/**
 * networking.k8s.io/v1 IngressClass: a controller name (a domain-prefixed path, fixed once
 * set) and optional parameters whose scope defaults to Cluster.
 */
import type { IngressClass } from '../../../gen/kube/networking-v1.js';
import { type FieldError, forbidden, invalidValue, notSupported, required } from '../../machinery/validation/field-error.js';
import { isDns1123Label, isDns1123Subdomain } from '../../machinery/validation/names.js';
import { jsonEqual } from '../../machinery/meta/object.js';
import { str } from '../core/fields.js';
import { declared } from '../rest/declared.js';
import type { ResourceDefinition } from '../rest/definition.js';
import { validateTypedReference } from './refs.js';

const MAX_CONTROLLER = 250;

/** Decode-time defaults (networking/v1 SetDefaults_IngressClass). */
function defaultIngressClass(obj: IngressClass): void {
  const params = obj.spec?.parameters;
  if (params && (params.scope === undefined || params.scope === null)) params.scope = 'Cluster';
}

/** apimachinery's IsDomainPrefixedPath: `example.com/path`. */
function domainPrefixedPathErrors(value: string, path: string): FieldError[] {
  const slash = value.indexOf('/');
  if (slash < 0) return [invalidValue(path, value, 'must be a domain-prefixed path (such as "acme.io/foo")')];
  const host = value.slice(0, slash);
  const rest = value.slice(slash + 1);
  const errs: FieldError[] = [];
  for (const msg of isDns1123Subdomain(host)) errs.push(invalidValue(path, host, msg));
  if (!/^[A-Za-z0-9/\-._~%!$&'()*+,;=:]+$/.test(rest)) errs.push(invalidValue(path, rest, 'Invalid path'));
  return errs;
}

function validateIngressClass(obj: IngressClass): FieldError[] {
  const errs: FieldError[] = [];
  const controller = str(obj.spec?.controller);
  if (!controller) errs.push(required('spec.controller'));
  else {
    if (Buffer.byteLength(controller) > MAX_CONTROLLER) errs.push({ type: 'TooLong', field: 'spec.controller', detail: `may not be more than ${MAX_CONTROLLER} bytes` });
    errs.push(...domainPrefixedPathErrors(controller, 'spec.controller'));
  }
  const params = obj.spec?.parameters;
  if (params) {
    const p = 'spec.parameters';
    errs.push(...validateTypedReference(params, p));
    const scope = params.scope;
    if (scope === undefined || scope === null) errs.push(required(`${p}.scope`));
    else if (scope !== 'Cluster' && scope !== 'Namespace') errs.push(notSupported(`${p}.scope`, scope, ['Cluster', 'Namespace']));
    else if (scope === 'Namespace') {
      if (params.namespace === undefined || params.namespace === null) errs.push(required(`${p}.namespace`, "`parameters.scope` is set to 'Namespace'"));
      else for (const msg of isDns1123Label(params.namespace)) errs.push(invalidValue(`${p}.namespace`, params.namespace, msg));
    } else if (params.namespace !== undefined && params.namespace !== null) {
      errs.push(forbidden(`${p}.namespace`, "`parameters.scope` is set to 'Cluster'"));
    }
  }
  return errs;
}

/** The IngressClass resource. */
export const ingressClasses: ResourceDefinition<IngressClass> = {
  ...declared('networking.k8s.io', 'ingressclasses', { v1: { defaults: (obj) => defaultIngressClass(obj as IngressClass) } }),
  nameValidator: isDns1123Subdomain,
  tracksGeneration: true,
  strategy: {
    prepareForCreate: defaultIngressClass,
    prepareForUpdate: defaultIngressClass,
    validate: validateIngressClass,
    validateUpdate(obj, old) {
      const errs: FieldError[] = [];
      if (!jsonEqual(obj.spec?.controller ?? '', old.spec?.controller ?? '')) errs.push(invalidValue('spec.controller', obj.spec?.controller ?? '', 'field is immutable'));
      return [...errs, ...validateIngressClass(obj)];
    },
  },
  printerColumns: [
    { name: 'Controller', type: 'string', description: 'Controller that is responsible for handling this class', cell: (obj) => str(obj.spec?.controller) },
    {
      name: 'Parameters',
      type: 'string',
      description: 'A reference to a resource with additional parameters',
      cell(obj) {
        const params = obj.spec?.parameters;
        if (!params) return '<none>';
        const kind = params.apiGroup ? `${str(params.kind)}.${params.apiGroup}` : str(params.kind);
        return `${kind}/${str(params.name)}`;
      },
    },
  ],
};
