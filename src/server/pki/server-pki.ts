/**
 * The server's own PKI, kept in `DATA_DIR/pki/` (0600 files in the 0700 data directory) and
 * reused on restart, as kubeadm lays one out:
 *
 * - `ca.crt`/`ca.key`: the cluster CA. It signs the serving certificate and the admin's client
 *   certificate, and client certificates it signed authenticate (with `--client-ca-file`'s).
 * - `apiserver.crt`/`apiserver.key`: the serving certificate for the HTTP API and gRPC, naming
 *   localhost, 127.0.0.1, the bind address, the `kubernetes` Service's DNS names and cluster IP.
 *   Issued again when the names it must carry change or it is within 30 days of expiry.
 * - `admin.crt`/`admin.key`: the admin kubeconfig's client certificate (`admin`, `system:masters`).
 * - `sa.key`: the service account token signing key (EC P-256, ES256 tokens).
 *
 * `--tls-cert-file`/`--tls-private-key-file` replace the serving pair, `--client-ca-file` adds the
 * CAs whose client certificates authenticate, `--service-account-signing-key-file` replaces `sa.key`.
 */
import { generateKeyPairSync } from 'node:crypto';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { hostname, networkInterfaces } from 'node:os';
import { isIP } from 'node:net';
import { join } from 'node:path';
import { createCertificateAuthority, describeCertificate, issueCertificate, type KeyPairPem } from './certificates.js';

/** The names every serving certificate carries besides the bind address and the Service IP. */
export const KUBERNETES_SERVICE_NAMES: readonly string[] = [
  'localhost',
  'kubernetes',
  'kubernetes.default',
  'kubernetes.default.svc',
  'kubernetes.default.svc.cluster.local',
];

const CA_DAYS = 3650;
const LEAF_DAYS = 365;
const RENEW_BEFORE_MS = 30 * 24 * 60 * 60 * 1000;

export interface PkiOptions {
  dataDir: string;
  bindAddress: string;
  /** The `kubernetes` Service's cluster IP. */
  serviceIp: string;
  tlsCertFile?: string;
  tlsPrivateKeyFile?: string;
  clientCaFile?: string;
  serviceAccountSigningKeyFile?: string;
}

/** What the transports, the authenticators and the kubeconfig need. */
export interface ServerPki {
  /** The CA certificate clients trust the server with (PEM; the user's serving chain when given). */
  trustedCaPem: string;
  serving: KeyPairPem;
  /** The CA certificates whose client certificates authenticate (PEM bundle). */
  clientCaPem: string;
  /** The admin kubeconfig's client certificate. */
  admin: KeyPairPem;
  /** The service account token signing key (PKCS#8 PEM). */
  serviceAccountKeyPem: string;
}

async function readIfPresent(path: string): Promise<string | undefined> {
  try {
    return await readFile(path, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw err;
  }
}

async function readPair(dir: string, name: string): Promise<KeyPairPem | undefined> {
  const certPem = await readIfPresent(join(dir, `${name}.crt`));
  const keyPem = await readIfPresent(join(dir, `${name}.key`));
  return certPem && keyPem ? { certPem, keyPem } : undefined;
}

async function writePair(dir: string, name: string, pair: KeyPairPem): Promise<KeyPairPem> {
  await writeFile(join(dir, `${name}.key`), pair.keyPem, { mode: 0o600 });
  await writeFile(join(dir, `${name}.crt`), pair.certPem, { mode: 0o600 });
  return pair;
}

/** The addresses a wildcard bind answers on: every local interface's. */
function localAddresses(): string[] {
  return Object.values(networkInterfaces())
    .flatMap((list) => list ?? [])
    .map((i) => i.address.replace(/%.*$/, ''));
}

/** The DNS names and IPs the serving certificate must name. */
export function servingNames(bindAddress: string, serviceIp: string): { dnsNames: string[]; ipAddresses: string[] } {
  const dnsNames = new Set(KUBERNETES_SERVICE_NAMES);
  const ipAddresses = new Set(['127.0.0.1', serviceIp]);
  if (bindAddress === '0.0.0.0' || bindAddress === '::') {
    for (const address of localAddresses()) ipAddresses.add(address);
    dnsNames.add(hostname());
  } else if (isIP(bindAddress) !== 0) {
    ipAddresses.add(bindAddress);
  } else {
    dnsNames.add(bindAddress);
  }
  return { dnsNames: [...dnsNames], ipAddresses: [...ipAddresses] };
}

function covers(pair: KeyPairPem, names: { dnsNames: string[]; ipAddresses: string[] }): boolean {
  const cert = describeCertificate(pair.certPem);
  if (cert.notAfter.getTime() - Date.now() < RENEW_BEFORE_MS) return false;
  return names.dnsNames.every((n) => cert.dnsNames.includes(n)) && names.ipAddresses.every((ip) => cert.ipAddresses.includes(ip));
}

/** Reads the PKI from the data directory, creating what is missing. */
export async function ensureServerPki(opts: PkiOptions): Promise<ServerPki> {
  const dir = join(opts.dataDir, 'pki');
  await mkdir(dir, { recursive: true, mode: 0o700 });
  const ca = (await readPair(dir, 'ca')) ?? (await writePair(dir, 'ca', await createCertificateAuthority('wheelhouse-ca', CA_DAYS)));

  let serving: KeyPairPem;
  let trustedCaPem = ca.certPem;
  if (opts.tlsCertFile || opts.tlsPrivateKeyFile) {
    if (!opts.tlsCertFile || !opts.tlsPrivateKeyFile) throw new Error('--tls-cert-file and --tls-private-key-file must be given together');
    serving = { certPem: await readFile(opts.tlsCertFile, 'utf8'), keyPem: await readFile(opts.tlsPrivateKeyFile, 'utf8') };
    // The user's chain: clients are told to trust its last certificate (its root when it carries one).
    const chain = serving.certPem.match(/-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g) ?? [];
    trustedCaPem = `${chain[chain.length - 1] ?? serving.certPem}\n`;
  } else {
    const names = servingNames(opts.bindAddress, opts.serviceIp);
    const existing = await readPair(dir, 'apiserver');
    serving =
      existing && covers(existing, names)
        ? existing
        : await writePair(dir, 'apiserver', await issueCertificate(ca, { commonName: 'kube-apiserver', ...names, usage: 'serverAuth', validDays: LEAF_DAYS }));
  }

  const admin =
    (await readPair(dir, 'admin')) ??
    (await writePair(dir, 'admin', await issueCertificate(ca, { commonName: 'admin', organizations: ['system:masters'], usage: 'clientAuth', validDays: LEAF_DAYS })));

  const clientCaPem = opts.clientCaFile ? `${await readFile(opts.clientCaFile, 'utf8')}\n${ca.certPem}` : ca.certPem;

  let serviceAccountKeyPem: string;
  if (opts.serviceAccountSigningKeyFile) {
    serviceAccountKeyPem = await readFile(opts.serviceAccountSigningKeyFile, 'utf8');
  } else {
    const path = join(dir, 'sa.key');
    const existing = await readIfPresent(path);
    if (existing) {
      serviceAccountKeyPem = existing;
    } else {
      const { privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
      serviceAccountKeyPem = privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
      await writeFile(path, serviceAccountKeyPem, { mode: 0o600 });
    }
  }
  return { trustedCaPem, serving, clientCaPem, admin, serviceAccountKeyPem };
}
