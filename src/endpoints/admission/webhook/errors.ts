/**
 * The errors of webhook admission in upstream's (1.33) wording: a refusal keeps the
 * webhook's own status (code at least 400, its reason, possibly none) with the message
 * `admission webhook "NAME" denied the request: …`; a webhook that cannot be called is
 * `failed calling webhook "NAME": …` (500 InternalError unless its failure policy ignores it);
 * a dry run refused by a webhook with side effects is a 400.
 */
import { ApiError, badRequest, internalError, reasonForHttpCode, type StatusReason } from '../../../machinery/errors/index.js';
import type { WebhookStatus } from './review.js';

/** A failure to talk to the webhook (not a refusal): subject to the failure policy. */
export class WebhookCallError extends Error {
  constructor(
    readonly webhook: string,
    readonly reason: string,
  ) {
    super(`failed calling webhook "${webhook}": ${reason}`);
    this.name = 'WebhookCallError';
  }

  /** The 500 upstream answers when the failure policy is Fail. */
  toApiError(): ApiError {
    return internalError(this);
  }
}

/** upstream's ToStatusErr: the webhook's status, made a refusal. */
export function webhookDenied(webhook: string, result: WebhookStatus | undefined): ApiError {
  const deniedBy = `admission webhook "${webhook}" denied the request`;
  const code = typeof result?.code === 'number' && result.code >= 400 ? result.code : 400;
  const reason = typeof result?.reason === 'string' ? result.reason : '';
  const message = result?.message ? `${deniedBy}: ${result.message}` : reason ? `${deniedBy}: ${reason}` : `${deniedBy} without explanation`;
  const err = new ApiError((reason || reasonForHttpCode(code)) as StatusReason, message, undefined, code);
  if (reason === '') delete err.status.reason;
  if (result?.details && typeof result.details === 'object') err.status.details = result.details;
  return err;
}

/** upstream's NewDryRunUnsupportedErr. */
export function dryRunUnsupported(webhook: string): ApiError {
  return badRequest(`admission webhook "${webhook}" does not support dry run`);
}
