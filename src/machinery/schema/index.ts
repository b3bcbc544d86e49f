/**
 * Descriptor-driven conversion between Kubernetes JSON, ts-proto messages and
 * the Kubernetes protobuf wire form, for every message in proto/.
 */
export { SchemaDecodeError, UnknownMessageError } from './errors.js';
export type { JsonObject, JsonValue } from './json.js';
export { kubeJsonToMessage, type KubeJsonDecodeOptions, type KubeJsonDecodeResult } from './kube-json-decode.js';
export { messageToKubeJson } from './kube-json-encode.js';
export { normalizeKubeJson, type NormalizedKubeJson } from './normalize.js';
export { decodeProtobufObject, encodeProtobufObject } from './protobuf.js';
export { encodeWireMessage, trailingRepeatedKey, varintBytes, wireMessageSize } from './wire-encode.js';
export {
  hasK8sMagic,
  k8sEnvelopeFraming,
  K8S_PROTOBUF_MAGIC,
  parseK8sEnvelope,
  writeK8sEnvelope,
  type K8sEnvelope,
  type K8sEnvelopeInput,
} from './envelope.js';
export { getMessagePlan, hasMessage, type FieldPlan, type MessagePlan } from './plan.js';
export { formatGoDuration, parseGoDuration } from './go-duration.js';
export {
  canonicalizeQuantity,
  formatQuantity,
  parseQuantity,
  QuantityParseError,
  type ParsedQuantity,
  type QuantityFormat,
} from './quantity.js';
