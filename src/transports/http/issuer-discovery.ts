/** Service account issuer discovery over HTTP: `/.well-known/openid-configuration` and `/openid/v1/jwks`. */
import type { Express, Response } from 'express';

/** What `/.well-known/openid-configuration` and `/openid/v1/jwks` publish. */
export interface IssuerDiscovery {
  issuer: string;
  jwks: { keys: { alg: string }[] };
}

/**
 * Service account issuer discovery, as upstream publishes it: an OpenID provider configuration
 * naming the issuer and the JWKS URI, and the JWKS of the keys tokens are signed with.
 */
export function mountIssuerDiscovery(app: Express, discovery: IssuerDiscovery): void {
  const config = {
    issuer: discovery.issuer,
    jwks_uri: `${discovery.issuer.replace(/\/$/, '')}/openid/v1/jwks`,
    response_types_supported: ['id_token'],
    subject_types_supported: ['public'],
    id_token_signing_alg_values_supported: [...new Set(discovery.jwks.keys.map((k) => k.alg))],
  };
  const send = (res: Response, type: string, doc: unknown): void => {
    res.status(200).setHeader('Cache-Control', 'public, max-age=3600').type(type).send(JSON.stringify(doc));
  };
  app.get(['/.well-known/openid-configuration', '/.well-known/openid-configuration/'], (_req, res) => send(res, 'application/json', config));
  app.get(['/openid/v1/jwks', '/openid/v1/jwks/'], (_req, res) => send(res, 'application/jwk-set+json', discovery.jwks));
}
