/** Storage errors become Kubernetes API errors here, once. */
import {
  ApiError,
  alreadyExists,
  badRequest,
  conflict,
  expired,
  internalError,
  notFound,
  timeout,
  type Qualified,
} from '../../machinery/errors/index.js';
import { StorageError } from '../../storage/errors.js';

/** Maps a storage failure on `name` of resource `q` to an ApiError. */
export function interpretStorageError(err: unknown, q: Qualified, name = ''): ApiError {
  if (err instanceof ApiError) return err;
  if (!(err instanceof StorageError)) return internalError(err);
  switch (err.code) {
    case 'KeyNotFound':
      return notFound(q, name);
    case 'KeyExists':
      return alreadyExists(q, name);
    case 'Conflict':
      return conflict(q, name, err.message);
    case 'Compacted':
      return expired(err.message);
    case 'FutureRevision':
      return timeout(err.message, 1);
    case 'InvalidObject':
      return badRequest(err.message);
    default:
      return new ApiError('ServiceUnavailable', err.message);
  }
}
