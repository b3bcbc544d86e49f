/**
 * Keeping a proxied backend's links under the proxy prefix, as upstream's proxy transport
 * does: a `Location` header and the URL-valued attributes of HTML tags that name a path on
 * the backend itself (a rooted path, or an absolute URL whose host is the backend's or the
 * one the client asked for) get the proxy prefix put in front. HTML is rewritten as it
 * streams (a tokenizing rewriter emits every untouched token byte for byte), decoded and
 * re-encoded when the backend compressed it with gzip or deflate; any other encoding passes
 * through untouched, as upstream leaves bodies it cannot read.
 */
import { posix } from 'node:path';
import { Transform, type Duplex, type TransformCallback } from 'node:stream';
import { StringDecoder } from 'node:string_decoder';
import zlib from 'node:zlib';
import { RewritingStream } from 'parse5-html-rewriting-stream';

/** Which attributes of which tags hold a URL (upstream's table, from the HTML 4 and HTML 5 attribute indexes). */
const URL_ATTRIBUTES: Readonly<Record<string, readonly string[]>> = {
  a: ['href'],
  applet: ['codebase'],
  area: ['href'],
  audio: ['src'],
  base: ['href'],
  blockquote: ['cite'],
  body: ['background'],
  button: ['formaction'],
  command: ['icon'],
  del: ['cite'],
  embed: ['src'],
  form: ['action'],
  frame: ['longdesc', 'src'],
  head: ['profile'],
  html: ['manifest'],
  iframe: ['longdesc', 'src'],
  img: ['longdesc', 'src', 'usemap'],
  input: ['src', 'usemap', 'formaction'],
  ins: ['cite'],
  link: ['href'],
  object: ['classid', 'codebase', 'data', 'usemap'],
  q: ['cite'],
  script: ['src'],
  source: ['src'],
  video: ['poster', 'src'],
};

/** What a link is judged against. */
export interface LinkContext {
  /** The proxy prefix as the client sent it, e.g. `/api/v1/namespaces/NS/services/NAME:PORT/proxy`. */
  prefix: string;
  /** `host[:port]` the proxy dialled. */
  backendHost: string;
  /** The Host header the client sent (the API server, or `kubectl proxy` in front of it). */
  requestHost: string;
}

/** A URL split the way Go's url.Parse splits it (scheme, authority, path, query, fragment), kept raw. */
interface SplitUrl {
  scheme?: string;
  userinfo?: string;
  host?: string;
  path: string;
  query?: string;
  fragment?: string;
}

function splitUrl(value: string): SplitUrl | undefined {
  // Control characters make Go's parser fail; such a value is left alone.
  if (/[\x00-\x1f\x7f]/.test(value)) return undefined;
  let rest = value;
  const out: SplitUrl = { path: '' };
  const hash = rest.indexOf('#');
  if (hash >= 0) {
    out.fragment = rest.slice(hash + 1);
    rest = rest.slice(0, hash);
  }
  const scheme = /^([a-zA-Z][a-zA-Z0-9+.-]*):/.exec(rest);
  if (scheme) {
    out.scheme = (scheme[1] as string).toLowerCase();
    rest = rest.slice(scheme[0].length);
  } else if (/^[^/?]*:/.test(rest)) {
    return undefined; // "first path segment in URL cannot contain colon"
  }
  const q = rest.indexOf('?');
  if (q >= 0) {
    out.query = rest.slice(q + 1);
    rest = rest.slice(0, q);
  }
  if (rest.startsWith('//') && (out.scheme !== undefined || !rest.startsWith('///'))) {
    const end = rest.indexOf('/', 2);
    let authority = end < 0 ? rest.slice(2) : rest.slice(2, end);
    rest = end < 0 ? '' : rest.slice(end);
    // Userinfo belongs to the authority, not to the host that is compared.
    const at = authority.lastIndexOf('@');
    if (at >= 0) {
      out.userinfo = authority.slice(0, at);
      authority = authority.slice(at + 1);
    }
    out.host = authority;
  }
  out.path = rest;
  return out;
}

function joinUrl(u: SplitUrl): string {
  let s = '';
  if (u.scheme) s += `${u.scheme}:`;
  if (u.host !== undefined && (u.host !== '' || u.userinfo !== undefined)) s += `//${u.userinfo !== undefined ? `${u.userinfo}@` : ''}${u.host}`;
  s += u.path;
  if (u.query !== undefined) s += `?${u.query}`;
  if (u.fragment !== undefined) s += `#${u.fragment}`;
  return s;
}

/** A path's bytes after percent-decoding, or undefined for a malformed escape (Go's parser refuses it). */
function unescapePath(raw: string): string | undefined {
  if (/%(?![0-9a-fA-F]{2})/.test(raw)) return undefined;
  const bytes: number[] = [];
  const utf8 = Buffer.from(raw, 'utf8');
  for (let i = 0; i < utf8.length; i++) {
    const b = utf8[i] as number;
    if (b === 0x25) {
      bytes.push(parseInt(utf8.subarray(i + 1, i + 3).toString(), 16));
      i += 2;
    } else bytes.push(b);
  }
  return Buffer.from(bytes).toString('latin1');
}

/** Bytes a path keeps as they are when Go escapes it: unreserved characters and `$&+,/:;=@`. */
const PATH_KEEPS = /[A-Za-z0-9\-_.~$&+,/:;=@]/;

/** Go's path escaping of decoded bytes (held one per char, latin1). */
function escapePath(bytes: string): string {
  let out = '';
  for (const ch of bytes) out += PATH_KEEPS.test(ch) ? ch : `%${ch.charCodeAt(0).toString(16).toUpperCase().padStart(2, '0')}`;
  return out;
}

/** Whether a raw path is already a valid escaping Go would keep as written (its validEncoded). */
function keptAsWritten(raw: string): boolean {
  return /^(?:[A-Za-z0-9\-_.~$&+,/:;=@!'()*[\]]|%[0-9a-fA-F]{2})*$/.test(raw);
}

/**
 * One link, rewritten to stay under the proxy (upstream's rewriteURL): relative links and
 * links to other hosts keep their target; a rooted path on the backend gets the prefix,
 * dropping the backend's scheme and host so the browser stays on the API server. As
 * upstream serializes every link it parsed, a path with characters a URL may not carry
 * comes back percent-escaped.
 */
export function rewriteLink(value: string, ctx: LinkContext): string {
  const url = splitUrl(value);
  if (!url) return value;
  const decoded = unescapePath(url.path);
  if (decoded === undefined) return value;
  const asWritten = (): string => {
    if (!keptAsWritten(url.path)) url.path = escapePath(decoded);
    return joinUrl(url);
  };
  const host = url.host ?? '';
  if (host !== '' && host !== ctx.backendHost && host !== ctx.requestHost) return asWritten();
  if (!url.path.startsWith('/')) return asWritten();
  if (host === ctx.requestHost && host !== '') {
    // Already aimed at the server the client talks to: its scheme and host stay.
  } else {
    delete url.scheme;
    delete url.userinfo;
    delete url.host;
  }
  const prefix = unescapePath(ctx.prefix) ?? ctx.prefix;
  if (decoded.startsWith(prefix)) return asWritten();
  // Joined and cleaned as Go's path.Join does (no trailing slash), then the link's own trailing slash put back.
  let joined = posix.join(prefix, decoded).replace(/(.)\/+$/, '$1');
  if (decoded.endsWith('/') && !joined.endsWith('/')) joined += '/';
  url.path = escapePath(joined);
  return joinUrl(url);
}

/** Whether a response's body is HTML to rewrite (the media type exactly `text/html`, as upstream compares it). */
export function isHtml(contentType: string | string[] | undefined): boolean {
  const value = Array.isArray(contentType) ? contentType[0] : contentType;
  return (value ?? '').split(';', 1)[0]?.trim() === 'text/html';
}

/** UTF-8 bytes to text without splitting a character across chunks. */
function utf8Decoder(): Transform {
  const decoder = new StringDecoder('utf8');
  return new Transform({
    readableObjectMode: true,
    transform(chunk: Buffer, _enc, done: TransformCallback) {
      const text = decoder.write(chunk);
      done(null, text === '' ? undefined : text);
    },
    flush(done: TransformCallback) {
      const text = decoder.end();
      done(null, text === '' ? undefined : text);
    },
  });
}

/** Text back to UTF-8 bytes. */
function utf8Encoder(): Transform {
  return new Transform({
    writableObjectMode: true,
    transform(chunk: string, _enc, done: TransformCallback) {
      done(null, Buffer.from(chunk, 'utf8'));
    },
  });
}

function linkRewriter(ctx: LinkContext): RewritingStream {
  const rewriter = new RewritingStream();
  rewriter.on('startTag', (tag, raw) => {
    const names = URL_ATTRIBUTES[tag.tagName];
    if (!names) return rewriter.emitRaw(raw);
    let changed = false;
    for (const attr of tag.attrs) {
      if (attr.prefix || !names.includes(attr.name)) continue;
      const next = rewriteLink(attr.value, ctx);
      if (next !== attr.value) {
        attr.value = next;
        changed = true;
      }
    }
    // Untouched tags keep their exact bytes; only a rewritten one is serialized again.
    if (changed) rewriter.emitStartTag(tag);
    else rewriter.emitRaw(raw);
  });
  return rewriter;
}

/**
 * The stages that rewrite an HTML body's links for the given Content-Encoding (decode,
 * rewrite, encode again), or undefined when the encoding is one the proxy does not read
 * (the body then passes as it is).
 */
export function htmlLinkRewriter(encoding: string | undefined, ctx: LinkContext): Duplex[] | undefined {
  const coding = (encoding ?? '').trim().toLowerCase();
  const text = [utf8Decoder(), linkRewriter(ctx), utf8Encoder()];
  if (coding === '') return text;
  if (coding === 'gzip' || coding === 'x-gzip') return [zlib.createGunzip(), ...text, zlib.createGzip()];
  if (coding === 'deflate') return [zlib.createInflate(), ...text, zlib.createDeflate()];
  return undefined;
}
