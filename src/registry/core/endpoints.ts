/** core/v1 Endpoints: addresses must be IPs, ports valid; stored under `services/endpoints`. */
import type { Endpoints } from '../../../gen/kube/core-v1.js';
import { type FieldError, invalidValue, notSupported, required } from '../../machinery/validation/field-error.js';
import { isValidIp } from '../../machinery/validation/ip.js';
import { isDns1123Label, isDns1123Subdomain } from '../../machinery/validation/names.js';
import { isValidPortNum } from '../../machinery/validation/ports.js';
import type { ResourceDefinition } from '../rest/definition.js';
import { str } from './fields.js';
import { declared } from '../rest/declared.js';

function defaultEndpoints(obj: Endpoints): void {
  for (const subset of obj.subsets ?? []) {
    for (const port of subset.ports ?? []) if (port.protocol === undefined) port.protocol = 'TCP';
  }
}

function validateEndpoints(obj: Endpoints): FieldError[] {
  const errs: FieldError[] = [];
  (obj.subsets ?? []).forEach((subset, i) => {
    const p = `subsets[${i}]`;
    for (const list of ['addresses', 'notReadyAddresses'] as const) {
      (subset[list] ?? []).forEach((addr, j) => {
        const ip = str(addr.ip);
        for (const msg of isValidIp(ip)) errs.push(invalidValue(`${p}.${list}[${j}].ip`, ip, msg));
        const nodeName = str(addr.nodeName);
        if (nodeName) for (const msg of isDns1123Subdomain(nodeName)) errs.push(invalidValue(`${p}.${list}[${j}].nodeName`, nodeName, msg));
      });
    }
    const ports = subset.ports ?? [];
    ports.forEach((port, j) => {
      const pp = `${p}.ports[${j}]`;
      const name = str(port.name);
      if (ports.length > 1 && !name) errs.push(required(`${pp}.name`, ''));
      if (name) for (const msg of isDns1123Label(name)) errs.push(invalidValue(`${pp}.name`, name, msg));
      for (const msg of isValidPortNum(Number(port.port))) errs.push(invalidValue(`${pp}.port`, port.port ?? 0, msg));
      const proto = port.protocol;
      if (proto !== 'TCP' && proto !== 'UDP' && proto !== 'SCTP') errs.push(notSupported(`${pp}.protocol`, proto ?? '', ['SCTP', 'TCP', 'UDP']));
    });
  });
  return errs;
}

/** The Endpoints resource. */
export const endpoints: ResourceDefinition<Endpoints> = {
  ...declared('', 'endpoints', { v1: { defaults: (obj) => defaultEndpoints(obj as Endpoints) } }),
  allowCreateOnUpdate: true,
  storagePath: 'services/endpoints',
  nameValidator: isDns1123Subdomain,
  strategy: {
    prepareForCreate: defaultEndpoints,
    prepareForUpdate: defaultEndpoints,
    validate: validateEndpoints,
    validateUpdate: (obj) => validateEndpoints(obj),
  },
  printerColumns: [
    {
      name: 'Endpoints',
      type: 'string',
      description: 'Endpoints of the service',
      cell(obj) {
        // Upstream's formatEndpoints: each subset's ports, each with every address; headless subsets list bare IPs.
        const out: string[] = [];
        const hostPort = (ip: string, port: unknown) => `${ip.includes(':') ? `[${ip}]` : ip}:${String(port)}`;
        for (const subset of obj.subsets ?? []) {
          const addresses = (subset.addresses ?? []).map((a) => str(a.ip));
          const ports = subset.ports ?? [];
          if (ports.length === 0) out.push(...addresses);
          for (const port of ports) out.push(...addresses.map((ip) => hostPort(ip, port.port)));
        }
        if ((obj.subsets ?? []).length === 0) return '<none>';
        return out.length > 3 ? `${out.slice(0, 3).join(',')} + ${out.length - 3} more...` : out.join(',');
      },
    },
  ],
};

