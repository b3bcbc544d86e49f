/** Objects tests build again and again: expected failure Statuses and a small Deployment. */

type Json = Record<string, any>;

/** The failure Status upstream answers with (details only when given). */
export function failureStatus(code: number, reason: string, message: string, details?: Json): Json {
  const s: Json = { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message, reason, code };
  if (details) s.details = details;
  return s;
}

/** A minimal apps/v1 Deployment whose selector matches its template. */
export function deploymentManifest(name: string, replicas = 1): Json {
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name },
    spec: {
      replicas,
      selector: { matchLabels: { app: name } },
      template: { metadata: { labels: { app: name } }, spec: { containers: [{ name: 'c', image: 'nginx' }] } },
    },
  };
}
