/**
 * discovery.k8s.io/v1 EndpointSlice: an address type fixed at creation, addresses of that
 * type, ports named as DNS labels with TCP as the default protocol.
 */
import type { EndpointSlice } from '../../../gen/kube/discovery-v1.js';
import { type FieldError, invalidValue, notSupported, required } from '../../machinery/validation/field-error.js';
import { isValidIp } from '../../machinery/validation/ip.js';
import { isDns1123Label, isDns1123Subdomain } from '../../machinery/validation/names.js';
import { isValidPortNum } from '../../machinery/validation/ports.js';
import { isIPv4, isIPv6 } from 'node:net';
import { str } from '../core/fields.js';
import { declared } from '../rest/declared.js';
import type { ResourceDefinition } from '../rest/definition.js';
import { listWithMore } from '../networking/refs.js';

const ADDRESS_TYPES = ['FQDN', 'IPv4', 'IPv6'];

/** Decode-time defaults (discovery/v1 SetDefaults_EndpointPort). */
function defaultEndpointSlice(obj: EndpointSlice): void {
  for (const port of obj.ports ?? []) {
    if (port.name === undefined || port.name === null) port.name = '';
    if (port.protocol === undefined || port.protocol === null) port.protocol = 'TCP';
  }
}

function addressProblems(addressType: string, address: string): string[] {
  if (addressType === 'IPv4') return isIPv4(address) ? [] : ['must be a valid IPv4 address'];
  if (addressType === 'IPv6') return isIPv6(address) ? [] : ['must be a valid IPv6 address'];
  if (addressType === 'FQDN') return isDns1123Subdomain(address);
  return isValidIp(address);
}

function validateEndpointSlice(obj: EndpointSlice): FieldError[] {
  const errs: FieldError[] = [];
  const addressType = str(obj.addressType);
  if (!addressType) errs.push(required('addressType'));
  else if (!ADDRESS_TYPES.includes(addressType)) errs.push(notSupported('addressType', addressType, ADDRESS_TYPES));
  const endpoints = obj.endpoints ?? [];
  endpoints.forEach((ep, i) => {
    const p = `endpoints[${i}]`;
    const addresses = ep.addresses ?? [];
    if (addresses.length === 0) errs.push(required(`${p}.addresses`, 'must contain at least 1 address'));
    addresses.forEach((addr, j) => {
      if (ADDRESS_TYPES.includes(addressType)) for (const msg of addressProblems(addressType, addr)) errs.push(invalidValue(`${p}.addresses[${j}]`, addr, msg));
    });
    const hostname = ep.hostname;
    if (hostname !== undefined && hostname !== null) for (const msg of isDns1123Label(hostname)) errs.push(invalidValue(`${p}.hostname`, hostname, msg));
    const nodeName = ep.nodeName;
    if (nodeName !== undefined && nodeName !== null) for (const msg of isDns1123Subdomain(nodeName)) errs.push(invalidValue(`${p}.nodeName`, nodeName, msg));
  });
  const ports = obj.ports ?? [];
  const names = new Set<string>();
  ports.forEach((port, i) => {
    const p = `ports[${i}]`;
    const name = str(port.name);
    if (name) for (const msg of isDns1123Label(name)) errs.push(invalidValue(`${p}.name`, name, msg));
    if (names.has(name)) errs.push({ type: 'Duplicate', field: `${p}.name`, value: name, detail: '' });
    names.add(name);
    const proto = port.protocol;
    if (proto === undefined || proto === null) errs.push(required(`${p}.protocol`));
    else if (proto !== 'TCP' && proto !== 'UDP' && proto !== 'SCTP') errs.push(notSupported(`${p}.protocol`, proto, ['SCTP', 'TCP', 'UDP']));
    if (port.port !== undefined && port.port !== null) for (const msg of isValidPortNum(port.port)) errs.push(invalidValue(`${p}.port`, port.port, msg));
  });
  return errs;
}

/** The EndpointSlice resource. */
export const endpointSlices: ResourceDefinition<EndpointSlice> = {
  ...declared('discovery.k8s.io', 'endpointslices', { v1: { defaults: (obj) => defaultEndpointSlice(obj as EndpointSlice) } }),
  nameValidator: isDns1123Subdomain,
  tracksGeneration: true,
  strategy: {
    prepareForCreate: defaultEndpointSlice,
    prepareForUpdate: defaultEndpointSlice,
    validate: validateEndpointSlice,
    validateUpdate(obj, old) {
      const errs = validateEndpointSlice(obj);
      if (str(obj.addressType) !== str(old.addressType)) errs.push(invalidValue('addressType', obj.addressType ?? '', 'field is immutable'));
      return errs;
    },
  },
  printerColumns: [
    { name: 'AddressType', type: 'string', description: 'Type of address contained in this EndpointSlice', cell: (obj) => str(obj.addressType) },
    {
      name: 'Ports',
      type: 'string',
      description: 'Ports of the endpoints',
      cell: (obj) => listWithMore((obj.ports ?? []).map((p) => (p.port !== undefined && p.port !== null ? String(p.port) : p.name ? p.name : '*')), 3),
    },
    {
      name: 'Endpoints',
      type: 'string',
      description: 'Addresses of the endpoints',
      cell: (obj) => listWithMore((obj.endpoints ?? []).flatMap((e) => e.addresses ?? []), 3),
    },
  ],
};
