/**
 * The service account token keys from the options and the PKI: the signing key (the data
 * directory's or `--service-account-signing-key-file`), the keys tokens may be signed with
 * (its public half plus `--service-account-key-file`'s), and the JWKS document they publish.
 */
import { readFile } from 'node:fs/promises';
import type { KeyObject } from 'node:crypto';
import type { ServiceAccountTokenSigner } from '../registry/rest/definition.js';
import { jwtSigner, keyId, publicJwk, publicKeysOf, type PublicJwk } from '../util/jwt.js';
import type { ServerOptions } from './options.js';
import type { ServerPki } from './pki/server-pki.js';

export interface ServiceAccountKeys {
  issuers: readonly string[];
  audiences: readonly string[];
  signer: ServiceAccountTokenSigner;
  verifyKeys: KeyObject[];
  /** `/openid/v1/jwks`. */
  jwks: { keys: PublicJwk[] };
}

export async function serviceAccountKeys(opts: ServerOptions, pki: ServerPki): Promise<ServiceAccountKeys> {
  const issuers = opts.serviceAccountIssuer.length > 0 ? opts.serviceAccountIssuer : ['https://kubernetes.default.svc.cluster.local'];
  const audiences = opts.apiAudiences.length > 0 ? opts.apiAudiences : issuers;
  const jwt = jwtSigner(pki.serviceAccountKeyPem);
  const verifyKeys: KeyObject[] = [jwt.publicKey];
  for (const file of opts.serviceAccountKeyFiles) {
    for (const key of publicKeysOf(await readFile(file, 'utf8'))) if (!verifyKeys.some((k) => keyId(k) === keyId(key))) verifyKeys.push(key);
  }
  const issuer = issuers[0] as string;
  return {
    issuers,
    audiences,
    signer: { issuer, audiences, sign: (claims) => jwt.sign(claims) },
    verifyKeys,
    jwks: { keys: verifyKeys.map(publicJwk) },
  };
}
