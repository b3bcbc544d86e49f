/**
 * The largest request body the API accepts, on every transport (upstream's default of 3 MiB).
 * HTTP refuses a larger body with 413; the gRPC server's receive limit is set from it so a
 * request HTTP would take is never refused by gRPC's own message limit first.
 */
export const MAX_REQUEST_BODY_BYTES = 3 * 1024 * 1024;
