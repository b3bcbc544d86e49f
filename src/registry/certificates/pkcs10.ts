/**
 * The one check upstream makes of a CertificateSigningRequest's `spec.request`: a PEM
 * "CERTIFICATE REQUEST" block holding a PKCS#10 request (RFC 2986) whose signature verifies
 * with its own public key. Node's crypto verifies signatures but does not parse requests,
 * so the DER structure is read here: just enough to find the signed bytes, the key, the
 * algorithm and the signature.
 */
import { createPublicKey, verify, type KeyObject } from 'node:crypto';
import { decodePem } from '../../util/pem.js';

/** Why a request is refused, worded as Go's pem/x509 packages word it; undefined when it is sound. */
export function certificateRequestProblem(request: Uint8Array): string | undefined {
  // Go's pem.Decode takes the first block whatever its type; upstream then refuses any other type.
  const block = decodePem(Buffer.from(request).toString('latin1'))?.block;
  if (!block || block.type !== 'CERTIFICATE REQUEST') return 'PEM block type must be CERTIFICATE REQUEST';
  const der = block.bytes;
  let parsed: ParsedRequest;
  try {
    parsed = parseRequest(der);
  } catch (err) {
    if (err instanceof DerError) return err.message;
    throw err;
  }
  return signatureProblem(parsed);
}

class DerError extends Error {}

interface Tlv {
  tag: number;
  /** The whole element, header included. */
  raw: Buffer;
  /** The contents. */
  value: Buffer;
}

/** One DER element at `offset` of `buf`, and where the next one starts. */
function readTlv(buf: Buffer, offset: number): { tlv: Tlv; next: number } {
  if (offset + 2 > buf.length) throw new DerError('asn1: syntax error: data truncated');
  const tag = buf[offset] as number;
  let len = buf[offset + 1] as number;
  let header = 2;
  if (len & 0x80) {
    const n = len & 0x7f;
    if (n === 0 || n > 4) throw new DerError('asn1: syntax error: length too large');
    if (offset + 2 + n > buf.length) throw new DerError('asn1: syntax error: data truncated');
    len = 0;
    for (let i = 0; i < n; i++) len = len * 256 + (buf[offset + 2 + i] as number);
    header += n;
  }
  const end = offset + header + len;
  if (end > buf.length) throw new DerError('asn1: syntax error: data truncated');
  return { tlv: { tag, raw: buf.subarray(offset, end), value: buf.subarray(offset + header, end) }, next: end };
}

/** The elements of a constructed value. */
function children(value: Buffer): Tlv[] {
  const out: Tlv[] = [];
  for (let at = 0; at < value.length; ) {
    const { tlv, next } = readTlv(value, at);
    out.push(tlv);
    at = next;
  }
  return out;
}

const SEQUENCE = 0x30;
const OID = 0x06;
const BIT_STRING = 0x03;
const INTEGER = 0x02;

function expect(tlv: Tlv | undefined, tag: number): Tlv {
  if (!tlv || tlv.tag !== tag) throw new DerError("asn1: structure error: tags don't match");
  return tlv;
}

function oidText(value: Buffer): string {
  const parts: number[] = [];
  let acc = 0;
  for (const byte of value) {
    acc = acc * 128 + (byte & 0x7f);
    if (!(byte & 0x80)) {
      if (parts.length === 0) parts.push(acc < 80 ? Math.floor(acc / 40) : 2, acc < 80 ? acc % 40 : acc - 80);
      else parts.push(acc);
      acc = 0;
    }
  }
  return parts.join('.');
}

interface ParsedRequest {
  signed: Buffer;
  publicKeyInfo: Buffer;
  algorithm: string;
  signature: Buffer;
}

function parseRequest(der: Buffer): ParsedRequest {
  const { tlv: outer, next } = readTlv(der, 0);
  if (next !== der.length) throw new DerError('x509: trailing data');
  const [info, algorithm, signature] = children(expect(outer, SEQUENCE).value);
  const infoParts = children(expect(info, SEQUENCE).value);
  expect(infoParts[0], INTEGER);
  expect(infoParts[1], SEQUENCE);
  const spki = expect(infoParts[2], SEQUENCE);
  const algOid = expect(children(expect(algorithm, SEQUENCE).value)[0], OID);
  const bits = expect(signature, BIT_STRING).value;
  if (bits.length === 0 || bits[0] !== 0) throw new DerError('asn1: structure error: invalid padding bits in BIT STRING');
  return { signed: (info as Tlv).raw, publicKeyInfo: spki.raw, algorithm: oidText(algOid.value), signature: bits.subarray(1) };
}

/** Signature algorithms by OID: the digest Node verifies with (null: the key's own, Ed25519). */
const ALGORITHMS: Readonly<Record<string, { digest: string | null; family: 'rsa' | 'ecdsa' | 'ed25519' }>> = {
  '1.2.840.113549.1.1.5': { digest: 'sha1', family: 'rsa' },
  '1.2.840.113549.1.1.11': { digest: 'sha256', family: 'rsa' },
  '1.2.840.113549.1.1.12': { digest: 'sha384', family: 'rsa' },
  '1.2.840.113549.1.1.13': { digest: 'sha512', family: 'rsa' },
  '1.2.840.10045.4.1': { digest: 'sha1', family: 'ecdsa' },
  '1.2.840.10045.4.3.2': { digest: 'sha256', family: 'ecdsa' },
  '1.2.840.10045.4.3.3': { digest: 'sha384', family: 'ecdsa' },
  '1.2.840.10045.4.3.4': { digest: 'sha512', family: 'ecdsa' },
  '1.3.101.112': { digest: null, family: 'ed25519' },
};

const VERIFY_FAILURE: Readonly<Record<string, string>> = {
  rsa: 'crypto/rsa: verification error',
  ecdsa: 'x509: ECDSA verification failure',
  ed25519: 'x509: Ed25519 verification failure',
};

function signatureProblem(req: ParsedRequest): string | undefined {
  const alg = ALGORITHMS[req.algorithm];
  if (!alg) return 'x509: cannot verify signature: algorithm unimplemented';
  let key: KeyObject;
  try {
    key = createPublicKey({ key: req.publicKeyInfo, format: 'der', type: 'spki' });
  } catch {
    return 'x509: unknown public key algorithm';
  }
  const keyFamily = key.asymmetricKeyType === 'ec' ? 'ecdsa' : key.asymmetricKeyType;
  if (keyFamily !== alg.family) return 'x509: signature algorithm specifies an ' + alg.family.toUpperCase() + ' public key, but have public key of type ' + String(key.asymmetricKeyType);
  let ok = false;
  try {
    ok = verify(alg.digest, req.signed, key, req.signature);
  } catch {
    ok = false;
  }
  return ok ? undefined : VERIFY_FAILURE[alg.family];
}
