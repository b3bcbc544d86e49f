/**
 * The gRPC side of the gRPC-vs-HTTP benchmarks: the generated ConfigMapService client on ONE
 * channel (one HTTP/2 connection) with the admin's TLS client certificate, as an in-cluster
 * component holds it, and the HTTP JSON client the same benchmarks compare it with.
 */
import { credentials as channelCredentials } from '@grpc/grpc-js';
import { ConfigMapServiceClient } from '../gen/wheelhouse/core/v1/services.js';
import { configMap, httpClient, type HttpClient, type Row, type ServerProcess } from './context.js';
import type { Figures } from './measure.js';

export { unary } from '../test/parity/grpc-helpers.js';

/**
 * The ConfigMap client over one channel to a server started with `{ tls: true }`. Replies are
 * unlimited (a LIST of 10 000 ConfigMaps is over 10 MB; the server sends lists whole), as a
 * client reading whole lists sets; everything else is grpc-js's default.
 */
export function configMapClient(server: ServerProcess): ConfigMapServiceClient {
  const tls = server.credentials;
  if (!tls) throw new Error('the gRPC benchmarks need a server started with { tls: true }');
  const creds = channelCredentials.createSsl(Buffer.from(tls.caPem), Buffer.from(tls.keyPem), Buffer.from(tls.certPem));
  return new ConfigMapServiceClient(server.grpcAddress, creds, { 'grpc.max_receive_message_length': -1 });
}

/** The HTTP JSON side: keep-alive HTTPS sockets (up to `maxSockets`) with the same admin certificate. */
export function httpsClient(server: ServerProcess, maxSockets: number): HttpClient {
  if (!server.credentials) throw new Error('the gRPC benchmarks need a server started with { tls: true }');
  return httpClient(maxSockets, server.credentials);
}

/** Creates the namespace (unless `default`) and `count` 1 KiB ConfigMaps `prefix-0…` in it over HTTP. */
export async function seedConfigMaps(server: ServerProcess, namespace: string, prefix: string, count: number): Promise<void> {
  const client = httpsClient(server, 32);
  try {
    if (namespace !== 'default') {
      const res = await client.send(new URL(`${server.url}/api/v1/namespaces`), 'POST', JSON.stringify({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: namespace } }));
      if (res.status !== 201) throw new Error(`namespace ${namespace}: ${res.status} ${res.text}`);
    }
    const url = new URL(`${server.url}/api/v1/namespaces/${namespace}/configmaps`);
    let next = 0;
    await Promise.all(
      Array.from({ length: 32 }, async () => {
        while (next < count) {
          const res = await client.send(url, 'POST', JSON.stringify(configMap(prefix, next++)));
          if (res.status !== 201) throw new Error(`seeding ${namespace}: ${res.status} ${res.text}`);
        }
      }),
    );
  } finally {
    client.close();
  }
}

/** The round of median throughput among rounds of one scenario (the rounds alternate transports). */
export function medianRound(rounds: Figures[]): Figures {
  const sorted = [...rounds].sort((a, b) => a.opsPerSec - b.opsPerSec);
  const median = sorted[Math.floor((sorted.length - 1) / 2)];
  if (!median) throw new Error('no rounds');
  return median;
}

/**
 * Rows for one scenario measured both ways: HTTP JSON's figures, then gRPC's with HTTP JSON's as
 * the baseline (so the ratio is gRPC ÷ HTTP JSON). `figures` picks which figures (of `measure`'s
 * or the scenario's own) it reports, and under what name (e.g. p50 as `ms per list`).
 */
export function versusRows<K extends string>(what: string, http: Record<K, number>, grpc: Record<K, number>, figures: { key: K; label: string; unit: string }[]): Row[] {
  const rows: Row[] = [];
  for (const f of figures) {
    const name = `${what}: ${f.label}`;
    rows.push({ metric: `${name} (HTTP JSON)`, value: http[f.key], unit: f.unit });
    rows.push({ metric: `${name} (gRPC)`, value: grpc[f.key], unit: f.unit, baseline: { name: 'HTTP JSON', value: http[f.key] } });
  }
  return rows;
}
