/**
 * X.509 certificates for the server's own PKI, built with @peculiar/x509 over Node's WebCrypto:
 * a self-signed CA, and leaf certificates it signs for serving (serverAuth, with SANs) and for
 * clients (clientAuth; CN the user, O the groups, as kube-apiserver's x509 authenticator reads them).
 * Keys are ECDSA P-256: quick to make, and accepted by kubectl, client-go and every TLS stack here.
 */
import 'reflect-metadata';
import * as x509 from '@peculiar/x509';
import { createPrivateKey, randomBytes, webcrypto } from 'node:crypto';

type CryptoKey = webcrypto.CryptoKey;
type CryptoKeyPair = webcrypto.CryptoKeyPair;

x509.cryptoProvider.set(webcrypto as unknown as Parameters<typeof x509.cryptoProvider.set>[0]);

const EC_ALGORITHM = { name: 'ECDSA', namedCurve: 'P-256', hash: 'SHA-256' } as const;
const RSA_ALGORITHM = { name: 'RSASSA-PKCS1-v1_5', hash: 'SHA-256' } as const;
const DAY_MS = 24 * 60 * 60 * 1000;

/** A certificate and its private key, both PEM. */
export interface KeyPairPem {
  certPem: string;
  keyPem: string;
}

/** What a leaf certificate says and may be used for. */
export interface LeafRequest {
  commonName: string;
  organizations?: readonly string[];
  dnsNames?: readonly string[];
  ipAddresses?: readonly string[];
  usage: 'serverAuth' | 'clientAuth';
  validDays: number;
}

const pem = (label: string, der: ArrayBuffer): string => {
  const b64 = Buffer.from(der).toString('base64').replace(/.{64}/g, '$&\n');
  return `-----BEGIN ${label}-----\n${b64}${b64.length % 65 === 0 ? '' : '\n'}-----END ${label}-----\n`;
};

async function newKeys(): Promise<CryptoKeyPair> {
  return (await webcrypto.subtle.generateKey(EC_ALGORITHM, true, ['sign', 'verify'])) as CryptoKeyPair;
}

async function privateKeyPem(key: CryptoKey): Promise<string> {
  return pem('PRIVATE KEY', await webcrypto.subtle.exportKey('pkcs8', key));
}

/** A random positive serial number (RFC 5280: at most 20 octets). */
const serialNumber = (): string => {
  const bytes = randomBytes(16);
  bytes[0] = (bytes[0] ?? 0) & 0x7f;
  return bytes.toString('hex');
};

/** Distinguished-name text with each value escaped as RFC 4514 asks. */
function distinguishedName(commonName: string, organizations: readonly string[] = []): string {
  const escape = (v: string): string => v.replace(/([,+"\\<>;=])/g, '\\$1').replace(/^([ #])/, '\\$1').replace(/ $/, '\\ ');
  return [...organizations.map((o) => `O=${escape(o)}`), `CN=${escape(commonName)}`].join(', ');
}

/** Imports a PKCS#8 or SEC1/PKCS#1 PEM private key (EC P-256 or RSA) for signing. */
async function signingKey(keyPem: string): Promise<{ key: CryptoKey; algorithm: typeof EC_ALGORITHM | typeof RSA_ALGORITHM }> {
  const keyObject = createPrivateKey(keyPem);
  const der = keyObject.export({ type: 'pkcs8', format: 'der' });
  const algorithm = keyObject.asymmetricKeyType === 'rsa' ? RSA_ALGORITHM : EC_ALGORITHM;
  const key = await webcrypto.subtle.importKey('pkcs8', der, algorithm, false, ['sign']);
  return { key, algorithm };
}

/** A new self-signed CA certificate and its key. */
export async function createCertificateAuthority(commonName: string, validDays: number): Promise<KeyPairPem> {
  const keys = await newKeys();
  const now = Date.now();
  const cert = await x509.X509CertificateGenerator.createSelfSigned({
    serialNumber: serialNumber(),
    name: distinguishedName(commonName),
    notBefore: new Date(now - 60_000),
    notAfter: new Date(now + validDays * DAY_MS),
    keys,
    signingAlgorithm: EC_ALGORITHM,
    extensions: [
      new x509.BasicConstraintsExtension(true, undefined, true),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign | x509.KeyUsageFlags.digitalSignature, true),
      await x509.SubjectKeyIdentifierExtension.create(keys.publicKey),
    ],
  });
  return { certPem: cert.toString('pem') + '\n', keyPem: await privateKeyPem(keys.privateKey) };
}

/** A new leaf certificate signed by `ca`, with a fresh key. */
export async function issueCertificate(ca: KeyPairPem, request: LeafRequest): Promise<KeyPairPem> {
  const caCert = new x509.X509Certificate(ca.certPem);
  const signer = await signingKey(ca.keyPem);
  const keys = await newKeys();
  const now = Date.now();
  const names: x509.JsonGeneralName[] = [
    ...(request.dnsNames ?? []).map((value) => ({ type: 'dns' as const, value })),
    ...(request.ipAddresses ?? []).map((value) => ({ type: 'ip' as const, value })),
  ];
  const extensions: x509.Extension[] = [
    new x509.BasicConstraintsExtension(false, undefined, true),
    new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature | x509.KeyUsageFlags.keyEncipherment, true),
    new x509.ExtendedKeyUsageExtension([request.usage === 'serverAuth' ? x509.ExtendedKeyUsage.serverAuth : x509.ExtendedKeyUsage.clientAuth]),
    await x509.AuthorityKeyIdentifierExtension.create(caCert),
  ];
  if (names.length > 0) extensions.push(new x509.SubjectAlternativeNameExtension(names));
  const cert = await x509.X509CertificateGenerator.create({
    serialNumber: serialNumber(),
    subject: distinguishedName(request.commonName, request.organizations),
    issuer: caCert.subject,
    notBefore: new Date(now - 60_000),
    notAfter: new Date(Math.min(now + request.validDays * DAY_MS, caCert.notAfter.getTime())),
    publicKey: keys.publicKey,
    signingKey: signer.key,
    signingAlgorithm: signer.algorithm,
    extensions,
  });
  return { certPem: cert.toString('pem') + '\n', keyPem: await privateKeyPem(keys.privateKey) };
}

/** What a certificate names: its SANs and when it stops being valid. */
export function describeCertificate(certPem: string): { dnsNames: string[]; ipAddresses: string[]; notAfter: Date; issuer: string; subject: string } {
  const cert = new x509.X509Certificate(certPem);
  const san = cert.getExtension(x509.SubjectAlternativeNameExtension);
  const json = san ? san.names.toJSON() : [];
  return {
    dnsNames: json.filter((n) => n.type === 'dns').map((n) => n.value),
    ipAddresses: json.filter((n) => n.type === 'ip').map((n) => n.value),
    notAfter: cert.notAfter,
    issuer: cert.issuer,
    subject: cert.subject,
  };
}
