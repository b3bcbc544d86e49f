/**
 * gRPC messages framed once and written as they are to every stream. grpc-js frames each
 * reply itself: it serializes the message, allocates a buffer of five more bytes (the
 * compressed flag and the length) and copies the message in, per call. For a watch event
 * written to a thousand streams that is a thousand copies of the same bytes, held until each
 * stream sends them. A `SharedFrame` carries the whole frame, built once per event; a watch
 * stream whose call takes frames hands the same buffer to HTTP/2 for every watcher.
 *
 * Taking frames relies on grpc-js's server call (`serializeMessage`, the framing step of
 * `BaseServerInterceptingCall`); where that is not found (another grpc-js, server
 * interceptors), the stream writes the message bytes instead and grpc-js frames them, so the
 * wire is the same either way.
 */
import type { ServerWritableStream } from '@grpc/grpc-js';

/** A complete gRPC message frame: flag byte, 32-bit big-endian length, message. */
export class SharedFrame {
  constructor(readonly frame: Buffer) {}

  /** The message inside the frame (no copy). */
  get message(): Buffer {
    return this.frame.subarray(5);
  }
}

/** The uncompressed frame of `message`: one copy, made once for every stream that writes it. */
export function frameMessage(message: Uint8Array): Buffer {
  const frame = Buffer.allocUnsafe(message.byteLength + 5);
  frame.writeUInt8(0, 0);
  frame.writeUInt32BE(message.byteLength, 1);
  frame.set(message, 5);
  return frame;
}

/** The part of grpc-js's server call that frames replies. */
interface FramingCall {
  serializeMessage(value: unknown): Buffer;
}

function framingCall(stream: ServerWritableStream<unknown, unknown>): FramingCall | undefined {
  const call = (stream as unknown as { call?: Partial<FramingCall> }).call;
  return typeof call?.serializeMessage === 'function' ? (call as FramingCall) : undefined;
}

/**
 * Lets `stream` take `SharedFrame`s: written as they are, anything else framed as grpc-js
 * frames it. False when this grpc-js's call is not the one expected (write messages then).
 */
export function acceptSharedFrames(stream: ServerWritableStream<unknown, unknown>): boolean {
  const call = framingCall(stream);
  if (!call) return false;
  const frameOf = call.serializeMessage.bind(call);
  call.serializeMessage = (value: unknown): Buffer => (value instanceof SharedFrame ? value.frame : frameOf(value));
  return true;
}
