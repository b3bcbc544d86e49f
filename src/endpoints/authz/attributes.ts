/** What a request asks to do, as upstream's authorizer.Attributes: a resource request or a non-resource path. */
import type { UserInfo } from '../api-call.js';

export interface ResourceAttributes {
  user: UserInfo;
  verb: string;
  resourceRequest: true;
  apiGroup: string;
  apiVersion: string;
  resource: string;
  subresource: string;
  namespace: string;
  name: string;
  /** The request's field selector, for authorizers that allow a list or watch by it (the Node authorizer); absent: none. */
  fieldSelector?: string;
}

export interface NonResourceAttributes {
  user: UserInfo;
  verb: string;
  resourceRequest: false;
  path: string;
}

export type AuthorizationAttributes = ResourceAttributes | NonResourceAttributes;

/** An authorizer's answer; `noOpinion` passes the question to the next one in the chain. */
export type Decision = { decision: 'allow' | 'deny' | 'noOpinion'; reason: string };

/** The rules a user holds, as SelfSubjectRulesReview lists them. */
export interface UserRules {
  resourceRules: { verbs: string[]; apiGroups?: string[]; resources?: string[]; resourceNames?: string[] }[];
  nonResourceRules: { verbs: string[]; nonResourceURLs?: string[] }[];
  /** Some authorizer could not list its rules, or some were unreadable. */
  incomplete: boolean;
  errors: string[];
}

/** One authorizer of the `--authorization-mode` chain. */
export interface Authorizer {
  authorize(attributes: AuthorizationAttributes): Decision | Promise<Decision>;
  /** The rules `user` holds in `namespace` (cluster-wide ones included); absent: it cannot list them. */
  rulesFor?(user: UserInfo, namespace: string): UserRules | Promise<UserRules>;
}
