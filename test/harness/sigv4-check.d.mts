/** Types of `sigv4-check.mjs` (plain JavaScript, shared with the bench stub). */
import type { IncomingHttpHeaders } from 'node:http';

/** The secret access key of an access key id, or undefined for a key the "service" does not know. */
export type SecretLookup = (accessKeyId: string) => string | undefined;

export interface ReceivedRequest {
  method: string;
  /** The request target as it arrived: path and query, still percent-encoded. */
  url: string;
  /** As node:http gives them: lowercase names, repeated headers joined with ", ". */
  headers: IncomingHttpHeaders;
  body: Buffer;
}

export type SignatureVerdict =
  | { valid: true; accessKeyId: string }
  | {
      valid: false;
      accessKeyId: string | undefined;
      /** The error type DynamoDB answers with, e.g. `InvalidSignatureException`. */
      type: string;
      /** DynamoDB's message for it. */
      message: string;
      /** What exactly did not match, for the test log. */
      reason: string;
    };

/** DynamoDB's message for a signature that does not match, word for word. */
export const SIGNATURE_MISMATCH_MESSAGE: string;

export function sha256Hex(data: string | Buffer): string;

/** Verifies the request's SigV4 signature for `service` with the secret `secretOf` gives its key. */
export function verifySigV4(
  request: ReceivedRequest,
  secretOf: SecretLookup,
  service?: string,
): SignatureVerdict;

/** Steps 4 and 5: the hex signature of a canonical request under `secret` and `scope` (DATE/REGION/SERVICE/aws4_request). */
export function sigV4Signature(
  secret: string,
  scope: string,
  amzDate: string,
  canonicalRequest: string,
): string;
