/**
 * `serviceaccounts/NAME/token` (authentication.k8s.io/v1 TokenRequest), as upstream's TokenREST:
 * the body's name and namespace must be the account's when set, audiences default to the
 * server's (`https://kubernetes.default.svc.cluster.local`), expirationSeconds to an hour and
 * must lie between 10 minutes and 2^32 seconds, and a bound object (a Pod running as the
 * account, a Secret or a Node) must exist with the uid named. The answer is the request with
 * its status: a token and when it expires.
 *
 * The token is a JWT with upstream's service account claims, signed by the server's key (kept in
 * the data directory, or `--service-account-signing-key-file`): the service account token
 * authenticator accepts it while the account and the bound object live.
 */
import { randomUUID } from 'node:crypto';
import { badRequest, conflict, internalError, invalid } from '../../machinery/errors/index.js';
import type { KubeObject } from '../../machinery/meta/object.js';
import { invalidValue, toCauses, type FieldError } from '../../machinery/validation/field-error.js';
import type { ActionRequest, ActionResult, ActionSubresource, KindRef } from '../rest/definition.js';
import { str } from './fields.js';

const TOKEN_REQUEST_KIND: KindRef = { group: 'authentication.k8s.io', version: 'v1', kind: 'TokenRequest', typeName: 'k8s.io.api.authentication.v1.TokenRequest' };

/** kube-apiserver's default issuer, and so its default API audience. */
export const DEFAULT_ISSUER = 'https://kubernetes.default.svc.cluster.local';
const MIN_SECONDS = 10 * 60;
const MAX_SECONDS = 2 ** 32;
const DEFAULT_SECONDS = 60 * 60;

type Obj = Record<string, unknown>;
const objOf = (v: unknown): Obj => (v !== null && typeof v === 'object' && !Array.isArray(v) ? (v as Obj) : {});

const seconds = (date: Date): number => Math.floor(date.getTime() / 1000);
const rfc3339 = (date: Date): string => date.toISOString().replace(/\.\d{3}Z$/, 'Z');

/** Upstream's ValidateTokenRequest. */
function validateTokenRequest(expirationSeconds: number): FieldError[] {
  const errs: FieldError[] = [];
  if (expirationSeconds < MIN_SECONDS) errs.push(invalidValue('spec.expirationSeconds', expirationSeconds, 'may not specify a duration less than 10 minutes'));
  if (expirationSeconds > MAX_SECONDS) errs.push(invalidValue('spec.expirationSeconds', expirationSeconds, 'may not specify a duration larger than 2^32 seconds'));
  return errs;
}

const refused = (name: string, errs: FieldError[]) => invalid(TOKEN_REQUEST_KIND.kind, TOKEN_REQUEST_KIND.group, name, toCauses(errs));

/** The object a token is bound to, and the claims that name it. */
async function boundObject(req: ActionRequest, ref: Obj): Promise<{ claim: string; name: string; uid: string }> {
  const apiVersion = str(ref.apiVersion);
  const kind = str(ref.kind);
  const name = str(ref.name);
  const slash = apiVersion.indexOf('/');
  const group = slash < 0 ? '' : apiVersion.slice(0, slash);
  const version = slash < 0 ? apiVersion : apiVersion.slice(slash + 1);
  const targets: Record<string, { resource: string; namespaced: boolean }> = {
    Pod: { resource: 'pods', namespaced: true },
    Secret: { resource: 'secrets', namespaced: true },
    Node: { resource: 'nodes', namespaced: false },
  };
  const target = group === '' ? targets[kind] : undefined;
  const store = target ? req.resource('', 'v1', target.resource) : undefined;
  if (!target || !store) throw badRequest(`cannot bind token to object of type ${group}/${version}, Kind=${kind}`);
  const obj = await store.get(target.namespaced ? req.namespace : undefined, name);
  if (kind === 'Pod' && str(objOf(obj.spec).serviceAccountName) !== req.name) {
    throw badRequest(`cannot bind token for serviceaccount ${JSON.stringify(req.name)} to pod running with different serviceaccount name.`);
  }
  const uid = str(obj.metadata?.uid);
  const wanted = str(ref.uid);
  if (wanted && wanted !== uid) {
    throw conflict(
      { resource: kind, group },
      name,
      `the UID in the bound object reference (${wanted}) does not match the UID in record. The object might have been deleted and then recreated`,
    );
  }
  return { claim: kind.toLowerCase(), name, uid };
}

async function createToken(req: ActionRequest): Promise<ActionResult> {
  const body = req.body as KubeObject & Obj;
  const meta = body.metadata ?? {};
  const namespace = req.namespace ?? '';
  if (str(meta.name) && str(meta.name) !== req.name) {
    throw refused(req.name, [invalidValue('metadata.name', str(meta.name), 'must match the service account name if specified')]);
  }
  if (str(meta.namespace) && str(meta.namespace) !== namespace) {
    throw refused(req.name, [invalidValue('metadata.namespace', str(meta.namespace), 'must match the service account namespace if specified')]);
  }
  const account = await req.parent.get(req.namespace, req.name);
  const spec = objOf(body.spec);
  const signer = req.tokenSigner;
  if (!signer) throw internalError('service account tokens cannot be issued: the server has no signing key');
  const audiences = Array.isArray(spec.audiences) && spec.audiences.length > 0 ? (spec.audiences as string[]) : [...signer.audiences];
  const expirationSeconds = typeof spec.expirationSeconds === 'number' ? spec.expirationSeconds : DEFAULT_SECONDS;
  const now = new Date(Math.floor(Date.now() / 1000) * 1000);
  const errs = validateTokenRequest(expirationSeconds);
  if (errs.length > 0) throw refused('', errs);
  const ref = spec.boundObjectRef === undefined || spec.boundObjectRef === null ? undefined : objOf(spec.boundObjectRef);
  const bound = ref ? await boundObject(req, ref) : undefined;

  const expires = new Date(now.getTime() + expirationSeconds * 1000);
  const kubernetes: Obj = { namespace, serviceaccount: { name: req.name, uid: str(account.metadata?.uid) } };
  if (bound) kubernetes[bound.claim] = { name: bound.name, uid: bound.uid };
  const token = signer.sign({
    aud: audiences,
    exp: seconds(expires),
    iat: seconds(now),
    iss: signer.issuer,
    jti: randomUUID(),
    'kubernetes.io': kubernetes,
    nbf: seconds(now),
    sub: `system:serviceaccount:${namespace}:${req.name}`,
  });
  const answer: KubeObject = {
    kind: TOKEN_REQUEST_KIND.kind,
    apiVersion: `${TOKEN_REQUEST_KIND.group}/${TOKEN_REQUEST_KIND.version}`,
    metadata: { ...meta, name: req.name, namespace, creationTimestamp: rfc3339(now) },
    spec: { audiences, expirationSeconds, boundObjectRef: ref ?? null },
    status: { token, expirationTimestamp: rfc3339(expires) },
  };
  return { code: 201, object: answer };
}

/** authentication.k8s.io/v1 TokenRequest on `serviceaccounts/NAME/token`. */
export const serviceAccountToken: ActionSubresource = { name: 'token', kind: TOKEN_REQUEST_KIND, create: createToken };
