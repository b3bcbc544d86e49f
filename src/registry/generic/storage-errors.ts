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
  tooLargeResourceVersion,
  unknownError,
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
    case 'Compacted': {
      const e = expired(err.message);
      if (err.continueToken !== undefined) e.status.metadata = { continue: err.continueToken };
      return e;
    }
    case 'FutureRevision':
      // A read pinned to a revision the store has not reached (etcd's future revision).
      return tooLargeResourceVersion(err.revision ?? 0, err.currentRevision ?? 0);
    case 'InvalidObject':
      // A request parameter the store cannot use (resourceVersion, continue token).
      return badRequest(err.message);
    case 'Timeout':
      return timeout(err.message);
    case 'Unavailable':
      return new ApiError('ServiceUnavailable', err.message);
    case 'Internal':
      return internalError(err);
    case 'RequestTooLarge':
      // kube-apiserver passes etcd's error on as it is: a 500 without a reason.
      return unknownError(err.message);
  }
}
