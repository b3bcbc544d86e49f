/**
 * Errors raised while decoding Kubernetes JSON into our messages.
 */

/**
 * A value in the JSON does not fit the schema. The message follows Go's
 * encoding/json wording, e.g.
 * `json: cannot unmarshal string into Go struct field DeploymentSpec.spec.replicas of type int32`.
 */
export class SchemaDecodeError extends Error {
  /** Dotted JSON path of the offending field ("" for the top-level value). */
  readonly path: string;

  constructor(message: string, path: string) {
    super(message);
    this.name = 'SchemaDecodeError';
    this.path = path;
  }
}

/** The schema has no message with this full name. */
export class UnknownMessageError extends Error {
  readonly typeName: string;

  constructor(typeName: string) {
    super(`schema: no message named ${typeName}`);
    this.name = 'UnknownMessageError';
    this.typeName = typeName;
  }
}
