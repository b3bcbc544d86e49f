/**
 * `--authorization-mode`: a chain of authorizers asked in order; the first that allows or
 * denies decides, and when none has an opinion the request is refused with their reasons.
 * As kube-apiserver, members of `system:masters` are allowed before the chain is asked.
 */
import { SYSTEM_MASTERS } from '../auth/user.js';
import type { AuthorizationAttributes, Authorizer, Decision, UserRules } from './attributes.js';

export const AUTHORIZATION_MODES = ['AlwaysAllow', 'AlwaysDeny', 'Node', 'RBAC'] as const;
export type AuthorizationMode = (typeof AUTHORIZATION_MODES)[number];

const NO_OPINION: Decision = { decision: 'noOpinion', reason: '' };

const everything = (): UserRules => ({
  resourceRules: [{ verbs: ['*'], apiGroups: ['*'], resources: ['*'] }],
  nonResourceRules: [{ verbs: ['*'], nonResourceURLs: ['*'] }],
  incomplete: false,
  errors: [],
});
const nothing = (): UserRules => ({ resourceRules: [], nonResourceRules: [], incomplete: false, errors: [] });

export const alwaysAllow: Authorizer = { authorize: () => ({ decision: 'allow', reason: '' }), rulesFor: everything };
/** Upstream's AlwaysDeny has no opinion, with a reason that ends up in the 403. */
export const alwaysDeny: Authorizer = { authorize: () => ({ decision: 'noOpinion', reason: 'Everything is forbidden.' }), rulesFor: nothing };
/** Members of `system:masters` may do anything. */
export const privilegedGroups: Authorizer = {
  authorize: (a) => (a.user.groups.includes(SYSTEM_MASTERS) ? { decision: 'allow', reason: '' } : NO_OPINION),
  rulesFor: (user) => (user.groups.includes(SYSTEM_MASTERS) ? everything() : nothing()),
};

/** Parses `--authorization-mode` (comma-separated, each mode once). */
export function parseAuthorizationModes(text: string): AuthorizationMode[] {
  const modes = text.split(',').map((m) => m.trim()).filter((m) => m !== '');
  if (modes.length === 0) throw new Error('at least one authorization-mode must be passed');
  const seen = new Set<string>();
  for (const mode of modes) {
    if (!(AUTHORIZATION_MODES as readonly string[]).includes(mode)) {
      throw new Error(`authorization-mode "${mode}" is not a valid mode (supported: ${AUTHORIZATION_MODES.join(', ')})`);
    }
    if (seen.has(mode)) throw new Error(`authorization-mode "${mode}" has mode specified more than once`);
    seen.add(mode);
  }
  return modes as AuthorizationMode[];
}

/** The chain: privileged groups first, then each authorizer in order. */
export function unionAuthorizer(authorizers: Authorizer[]): Authorizer {
  const chain = [privilegedGroups, ...authorizers];
  return {
    async authorize(a: AuthorizationAttributes): Promise<Decision> {
      const reasons: string[] = [];
      for (const authorizer of chain) {
        const d = await authorizer.authorize(a);
        if (d.decision !== 'noOpinion') return d;
        if (d.reason) reasons.push(d.reason);
      }
      return { decision: 'noOpinion', reason: reasons.join('\n') };
    },
    async rulesFor(user, namespace) {
      const out = nothing();
      for (const authorizer of chain) {
        if (!authorizer.rulesFor) {
          out.incomplete = true;
          continue;
        }
        const r = await authorizer.rulesFor(user, namespace);
        out.resourceRules.push(...r.resourceRules);
        out.nonResourceRules.push(...r.nonResourceRules);
        out.incomplete ||= r.incomplete;
        out.errors.push(...r.errors);
      }
      return out;
    },
  };
}
