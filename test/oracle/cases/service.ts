/** Service: ports keyed by port+protocol (protocol defaulting to TCP), an atomic selector, atomic externalIPs. */
import { apply, object, seq, update, type OracleSuite } from './steps.js';

type Obj = Record<string, unknown>;

function svc(spec: Obj, metadata: Obj = {}): Obj {
  return object('v1', 'Service', 'web', { spec }, metadata);
}

const http = { name: 'http', port: 80, targetPort: 8080 };
const https = { name: 'https', port: 443, targetPort: 8443, protocol: 'TCP' };

export const serviceSuite: OracleSuite = {
  name: 'Service',
  schema: { message: 'k8s.io.api.core.v1.Service' },
  cases: [
    seq('svc: one applier creates', apply('a', svc({ selector: { app: 'web' }, ports: [http, https] }))),
    seq('svc: two appliers each own a port', apply('a', svc({ selector: { app: 'web' }, ports: [http] })), apply('b', svc({ ports: [https] })), apply('a', svc({ selector: { app: 'web' } }))),
    seq('svc: the same port over UDP is another element', apply('a', svc({ ports: [{ name: 'dns', port: 53 }] })), apply('b', svc({ ports: [{ name: 'dns-udp', port: 53, protocol: 'UDP' }] }))),
    seq('svc: an omitted protocol and TCP are the same element', apply('a', svc({ ports: [{ port: 80, targetPort: 8080 }] })), apply('b', svc({ ports: [{ port: 80, protocol: 'TCP', targetPort: 9090 }] }))),
    seq('svc: the selector is atomic', apply('a', svc({ selector: { app: 'web' } })), apply('b', svc({ selector: { app: 'web', tier: 'x' } })), apply('b', svc({ selector: { tier: 'x' } }), true)),
    seq('svc: the same selector from two appliers is shared', apply('a', svc({ selector: { app: 'web' } })), apply('b', svc({ selector: { app: 'web' } })), apply('a', svc({}))),
    seq(
      'svc: an allocator sets clusterIP by update; the applier keeps its ports',
      apply('a', svc({ type: 'ClusterIP', ports: [http] })),
      update('allocator', svc({ type: 'ClusterIP', ports: [http], clusterIP: '10.0.0.10', clusterIPs: ['10.0.0.10'] })),
      apply('a', svc({ type: 'NodePort', ports: [http] })),
    ),
    seq('svc: a port the applier alone owns is pruned', apply('a', svc({ ports: [http, https] })), apply('a', svc({ ports: [https] }))),
    seq('svc: a port another applier shares is kept', apply('a', svc({ ports: [http, https] })), apply('b', svc({ ports: [http] })), apply('a', svc({ ports: [https] }))),
    seq('svc: targetPort number then name', apply('a', svc({ ports: [http] })), apply('b', svc({ ports: [{ port: 80, targetPort: 'web' }] })), apply('b', svc({ ports: [{ port: 80, targetPort: 'web' }] }), true)),
    seq('svc: externalIPs are atomic', apply('a', svc({ externalIPs: ['1.2.3.4'] })), apply('b', svc({ externalIPs: ['1.2.3.4', '5.6.7.8'] })), update('editor', svc({ externalIPs: ['9.9.9.9'] }))),
    seq('svc: an empty ports list', apply('a', svc({ ports: [] })), apply('b', svc({ ports: [http] })), apply('a', svc({ ports: [] }))),
    seq(
      'svc: three managers on one port, one forcing',
      apply('a', svc({ ports: [{ port: 80, targetPort: 8080, name: 'http' }] })),
      apply('b', svc({ ports: [{ port: 80, targetPort: 8080 }] })),
      update('editor', svc({ ports: [{ port: 80, targetPort: 8080, name: 'web' }] })),
      apply('c', svc({ ports: [{ port: 80, targetPort: 9090, name: 'c' }] }), true),
      apply('a', svc({ ports: [] })),
    ),
  ],
};
