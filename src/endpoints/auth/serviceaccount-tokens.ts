/**
 * Service account token authentication, as upstream's JWT token authenticator: a token whose
 * issuer is this server's must carry a signature by one of the service account keys, be within
 * its validity window, name one of the API audiences, and name a ServiceAccount — and, for a
 * bound token, a Pod, Secret or Node — that still exists with the uid the token recorded. A
 * token from another issuer is not this authenticator's; a broken one of ours is refused.
 */
import type { KeyObject } from 'node:crypto';
import type { KubeObject } from '../../machinery/meta/object.js';
import { parseJwt, verifySignature, type JwtClaims } from '../../util/jwt.js';
import type { UserInfo } from '../api-call.js';
import type { TokenAuthenticator } from './authenticator.js';
import { serviceAccountGroups, serviceAccountUsername } from './user.js';

/** Reads an object the token names: undefined when it does not exist. */
export type ObjectLookup = (resource: 'serviceaccounts' | 'pods' | 'secrets' | 'nodes', namespace: string | undefined, name: string) => Promise<KubeObject | undefined>;

export interface ServiceAccountTokenOptions {
  /** `--service-account-issuer` values: the first signs, all are accepted. */
  issuers: readonly string[];
  /** `--api-audiences` (default: the issuers). */
  audiences: readonly string[];
  /** The keys tokens may be signed with. */
  keys: readonly KeyObject[];
  lookup: ObjectLookup;
  now?: () => number;
}

/** A token authenticated, or the reason it was refused (upstream logs it; the client sees 401). */
class TokenRefused extends Error {}

/** Seconds of clock skew tolerated on exp, nbf and iat, as upstream. */
const LEEWAY_SECONDS = 60;

type Obj = Record<string, unknown>;
const obj = (v: unknown): Obj => (v !== null && typeof v === 'object' && !Array.isArray(v) ? (v as Obj) : {});
const str = (v: unknown): string => (typeof v === 'string' ? v : '');

function checkTimes(claims: JwtClaims, now: number): void {
  const exp = claims.exp;
  if (typeof exp !== 'number') throw new TokenRefused('token has no expiry');
  if (now > exp + LEEWAY_SECONDS) throw new TokenRefused('token has expired');
  const nbf = claims.nbf;
  if (typeof nbf === 'number' && now < nbf - LEEWAY_SECONDS) throw new TokenRefused('token is not valid yet');
}

function checkAudience(claims: JwtClaims, audiences: readonly string[]): void {
  const aud = typeof claims.aud === 'string' ? [claims.aud] : Array.isArray(claims.aud) ? claims.aud.filter((a): a is string => typeof a === 'string') : [];
  if (!aud.some((a) => audiences.includes(a))) throw new TokenRefused('token audiences are not accepted');
}

/** The bound object must exist with the recorded uid and not be going away. */
async function checkBound(lookup: ObjectLookup, resource: 'pods' | 'secrets' | 'nodes', namespace: string | undefined, ref: Obj, now: number): Promise<void> {
  const name = str(ref.name);
  const found = name ? await lookup(resource, namespace, name) : undefined;
  if (!found) throw new TokenRefused(`${resource} ${name} not found`);
  if (str(found.metadata?.uid) !== str(ref.uid)) throw new TokenRefused(`${resource} ${name} uid does not match the token`);
  const deletion = str(found.metadata?.deletionTimestamp);
  if (deletion && Date.parse(deletion) / 1000 < now) throw new TokenRefused(`${resource} ${name} is being deleted`);
}

/** The user a service account token proves. */
async function userOf(claims: JwtClaims, opts: ServiceAccountTokenOptions, now: number): Promise<UserInfo> {
  const kube = obj(claims['kubernetes.io']);
  const namespace = str(kube.namespace);
  const account = obj(kube.serviceaccount);
  const name = str(account.name);
  const uid = str(account.uid);
  if (!namespace || !name || claims.sub !== serviceAccountUsername(namespace, name)) throw new TokenRefused('token names no service account');
  const sa = await opts.lookup('serviceaccounts', namespace, name);
  if (!sa) throw new TokenRefused(`service account ${namespace}/${name} not found`);
  if (str(sa.metadata?.uid) !== uid) throw new TokenRefused(`service account ${namespace}/${name} uid does not match the token`);
  if (str(sa.metadata?.deletionTimestamp)) throw new TokenRefused(`service account ${namespace}/${name} is being deleted`);

  const extra: Record<string, string[]> = {};
  const jti = str(claims.jti);
  if (jti) extra['authentication.kubernetes.io/credential-id'] = [`JTI=${jti}`];
  if (kube.pod !== undefined) {
    await checkBound(opts.lookup, 'pods', namespace, obj(kube.pod), now);
    extra['authentication.kubernetes.io/pod-name'] = [str(obj(kube.pod).name)];
    extra['authentication.kubernetes.io/pod-uid'] = [str(obj(kube.pod).uid)];
  }
  if (kube.secret !== undefined) await checkBound(opts.lookup, 'secrets', namespace, obj(kube.secret), now);
  if (kube.node !== undefined) {
    await checkBound(opts.lookup, 'nodes', undefined, obj(kube.node), now);
    extra['authentication.kubernetes.io/node-name'] = [str(obj(kube.node).name)];
    extra['authentication.kubernetes.io/node-uid'] = [str(obj(kube.node).uid)];
  }
  const user: UserInfo = { name: serviceAccountUsername(namespace, name), uid, groups: serviceAccountGroups(namespace) };
  if (Object.keys(extra).length > 0) user.extra = extra;
  return user;
}

/**
 * The authenticator. It answers undefined for tokens that are not JWTs of one of our issuers
 * (another authenticator may know them) and throws for ours that do not hold.
 */
export function serviceAccountTokenAuthenticator(opts: ServiceAccountTokenOptions): TokenAuthenticator {
  return async (token) => {
    const parsed = parseJwt(token);
    if (!parsed || typeof parsed.claims.iss !== 'string' || !opts.issuers.includes(parsed.claims.iss)) return undefined;
    const now = (opts.now ?? Date.now)() / 1000;
    try {
      if (!verifySignature(parsed, opts.keys)) throw new TokenRefused('token signature is invalid');
      checkTimes(parsed.claims, now);
      checkAudience(parsed.claims, opts.audiences);
      return await userOf(parsed.claims, opts, now);
    } catch (err) {
      if (err instanceof TokenRefused) return null;
      throw err;
    }
  };
}
