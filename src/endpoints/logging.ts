/**
 * Request logging as an interceptor, so both transports log the same way: one line per
 * call at debug level, server errors at error level.
 */
import type { Logger } from 'pino';
import { ApiError } from '../machinery/errors/index.js';
import type { ApiCall, Interceptor } from './api-call.js';
import { verbLabel } from './request/verb.js';

function describe(call: ApiCall): Record<string, unknown> {
  const fields: Record<string, unknown> = { verb: verbLabel(call), resource: call.resource };
  if (call.group) fields.group = call.group;
  if (call.subresource) fields.subresource = call.subresource;
  if (call.namespace) fields.namespace = call.namespace;
  if (call.name) fields.name = call.name;
  if (call.user) fields.user = call.user.name;
  return fields;
}

/** Logs every call with its outcome and latency. */
export function loggingInterceptor(logger: Logger): Interceptor {
  return (next) => async (call) => {
    const start = performance.now();
    try {
      const result = await next(call);
      if (logger.isLevelEnabled('debug')) {
        const code = result.type === 'object' ? result.code : 200;
        logger.debug({ ...describe(call), code, ms: Math.round(performance.now() - start) }, 'request');
      }
      return result;
    } catch (err) {
      const code = err instanceof ApiError ? err.code : 500;
      const fields = { ...describe(call), code, ms: Math.round(performance.now() - start) };
      if (code >= 500) logger.error({ ...fields, err }, 'request failed');
      else if (logger.isLevelEnabled('debug')) logger.debug(fields, 'request');
      throw err;
    }
  };
}
