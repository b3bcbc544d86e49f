/**
 * Compact JWS (RFC 7515) tokens signed and checked with Node's crypto: ES256 for EC P-256 keys,
 * RS256 for RSA keys, the two kube-apiserver signs service account tokens with. A key's id is
 * upstream's: the unpadded base64url SHA-256 of its DER public key.
 */
import { createHash, createPrivateKey, createPublicKey, sign, verify, type JsonWebKey, type KeyObject } from 'node:crypto';

export type JwtClaims = Record<string, unknown>;

/** A verification key as the JWKS document lists it. */
export interface PublicJwk extends JsonWebKey {
  kid: string;
  use: 'sig';
  alg: 'ES256' | 'RS256';
}

const b64url = (data: string | Buffer): string => Buffer.from(data).toString('base64url');

function algorithmOf(key: KeyObject): 'ES256' | 'RS256' {
  if (key.asymmetricKeyType === 'ec') return 'ES256';
  if (key.asymmetricKeyType === 'rsa') return 'RS256';
  throw new Error(`unsupported service account key type ${key.asymmetricKeyType ?? 'unknown'}: want EC P-256 or RSA`);
}

/** upstream's key id: base64url(SHA-256(DER public key)). */
export function keyId(publicKey: KeyObject): string {
  return createHash('sha256').update(publicKey.export({ type: 'spki', format: 'der' })).digest('base64url');
}

/** A signer over one private key (PEM). */
export interface JwtSigner {
  readonly kid: string;
  readonly publicKey: KeyObject;
  sign(claims: JwtClaims): string;
}

export function jwtSigner(privateKeyPem: string): JwtSigner {
  const privateKey = createPrivateKey(privateKeyPem);
  const publicKey = createPublicKey(privateKey);
  const alg = algorithmOf(privateKey);
  const kid = keyId(publicKey);
  const header = b64url(JSON.stringify({ alg, kid }));
  return {
    kid,
    publicKey,
    sign(claims) {
      const input = `${header}.${b64url(JSON.stringify(claims))}`;
      const signature = sign('sha256', Buffer.from(input), alg === 'ES256' ? { key: privateKey, dsaEncoding: 'ieee-p1363' } : privateKey);
      return `${input}.${b64url(signature)}`;
    },
  };
}

/** Public keys from PEM text: public keys, certificates or private keys (whose public half is taken). */
export function publicKeysOf(pem: string): KeyObject[] {
  const blocks = pem.match(/-----BEGIN [A-Z ]+-----[\s\S]+?-----END [A-Z ]+-----/g) ?? [];
  return blocks.map((block) => createPublicKey(block));
}

/** The JWKS entry of a public key. */
export function publicJwk(key: KeyObject): PublicJwk {
  return { ...key.export({ format: 'jwk' }), kid: keyId(key), use: 'sig', alg: algorithmOf(key) };
}

/** A token split into its parts: undefined when it is not a compact JWS with JSON header and claims. */
export function parseJwt(token: string): { header: JwtClaims; claims: JwtClaims; input: string; signature: Buffer } | undefined {
  const parts = token.split('.');
  if (parts.length !== 3) return undefined;
  const [h, c, s] = parts as [string, string, string];
  try {
    const header = JSON.parse(Buffer.from(h, 'base64url').toString('utf8')) as unknown;
    const claims = JSON.parse(Buffer.from(c, 'base64url').toString('utf8')) as unknown;
    if (!header || typeof header !== 'object' || Array.isArray(header) || !claims || typeof claims !== 'object' || Array.isArray(claims)) return undefined;
    return { header: header as JwtClaims, claims: claims as JwtClaims, input: `${h}.${c}`, signature: Buffer.from(s, 'base64url') };
  } catch {
    return undefined;
  }
}

/** Whether one of `keys` signed the parsed token (matching the header's alg). */
export function verifySignature(parsed: { header: JwtClaims; input: string; signature: Buffer }, keys: readonly KeyObject[]): boolean {
  const alg = parsed.header.alg;
  for (const key of keys) {
    let keyAlg: string;
    try {
      keyAlg = algorithmOf(key);
    } catch {
      continue;
    }
    if (keyAlg !== alg) continue;
    const ok = verify('sha256', Buffer.from(parsed.input), alg === 'ES256' ? { key, dsaEncoding: 'ieee-p1363' } : key, parsed.signature);
    if (ok) return true;
  }
  return false;
}
