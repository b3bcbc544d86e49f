/** An SDK clientset for a test server: gRPC over TLS with the admin's client certificate. */
import { connect, type Clientset } from '../../src/client/index.js';
import type { RunningServer } from '../../src/server/server.js';

export function testClientset(server: RunningServer): Clientset {
  return connect({ server: server.grpcAddress, caPem: server.pki.trustedCaPem, certPem: server.pki.admin.certPem, keyPem: server.pki.admin.keyPem, tlsServerName: 'localhost' });
}
