/**
 * How gRPC request messages are read. grpc-js answers a message its deserializer throws on
 * with INTERNAL "Error deserializing request" before any handler runs; here every method's
 * deserializer instead hands the handler an UndecodableRequest, which the handler answers
 * with a Kubernetes Status (400 BadRequest) like any other bad input.
 *
 * 64-bit integers are read saturating: a valid int64 such as `limit: 2^63-1` decodes (to
 * the nearest safe JavaScript number) instead of failing, as the same value on the HTTP
 * query string is accepted; the generated decoders refuse anything beyond 2^53.
 */
import type { ServiceDefinition } from '@grpc/grpc-js';
import { BinaryReader } from '@bufbuild/protobuf/wire';
import { badRequest, type ApiError } from '../../machinery/errors/index.js';
import { protobufCause } from '../../endpoints/request/decode-errors.js';

const MAX = BigInt(Number.MAX_SAFE_INTEGER);
const MIN = BigInt(Number.MIN_SAFE_INTEGER);

function saturate(value: bigint | string): bigint {
  const n = BigInt(value);
  return n > MAX ? MAX : n < MIN ? MIN : n;
}

/** A reader whose 64-bit integers never exceed what a JavaScript number holds exactly. */
export class SaturatingReader extends BinaryReader {
  override int64(): bigint {
    return saturate(super.int64());
  }
  override uint64(): bigint {
    return saturate(super.uint64());
  }
  override sint64(): bigint {
    return saturate(super.sint64());
  }
  override fixed64(): bigint {
    return saturate(super.fixed64());
  }
  override sfixed64(): bigint {
    return saturate(super.sfixed64());
  }
}

/** What a handler receives for a request message that does not decode. */
export class UndecodableRequest {
  constructor(readonly error: ApiError) {}
}

/** The Status for a request message that failed to decode as `method`'s request type. */
function undecodable(method: string, err: unknown): ApiError {
  const cause = err instanceof Error && /recursion limit/.test(err.message) ? 'exceeded maximum nesting depth' : protobufCause(err);
  return badRequest(`the request message of ${method} could not be decoded: ${cause}`);
}

/**
 * The service with every method's request deserializer reading saturating and never
 * throwing. The generated deserializers pass their argument to `decode`, which takes a
 * reader as readily as bytes.
 */
export function tolerantRequests(definition: ServiceDefinition): ServiceDefinition {
  const out: Record<string, ServiceDefinition[string]> = {};
  for (const [key, method] of Object.entries(definition)) {
    const deserialize = method.requestDeserialize as (value: Buffer) => unknown;
    const requestDeserialize = (value: Buffer): unknown => {
      try {
        return deserialize(new SaturatingReader(value) as unknown as Buffer);
      } catch (err) {
        return new UndecodableRequest(undecodable(method.path, err));
      }
    };
    out[key] = { ...method, requestDeserialize };
  }
  return out as ServiceDefinition;
}
