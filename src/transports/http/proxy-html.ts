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
    out.scheme = scheme[1] as string;
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
    out.host = end < 0 ? rest.slice(2) : rest.slice(2, end);
    rest = end < 0 ? '' : rest.slice(end);
    // Userinfo belongs to the authority, not to the host that is compared.
    const at = out.host.lastIndexOf('@');
    if (at >= 0) out.host = out.host.slice(at + 1);
  }
  out.path = rest;
  return out;
}

function joinUrl(u: SplitUrl): string {
  let s = '';
  if (u.scheme) s += `${u.scheme}:`;
  if (u.host) s += `//${u.host}`;
  s += u.path;
  if (u.query !== undefined) s += `?${u.query}`;
  if (u.fragment !== undefined) s += `#${u.fragment}`;
  return s;
}

/**
 * One link, rewritten to stay under the proxy (upstream's rewriteURL): relative links and
 * links to other hosts are left as they are; a rooted path on the backend gets the prefix,
 * dropping the backend's scheme and host so the browser stays on the API server.
 */
export function rewriteLink(value: string, ctx: LinkContext): string {
  const url = splitUrl(value);
  if (!url) return value;
  const host = url.host ?? '';
  if (host !== '' && host !== ctx.backendHost && host !== ctx.requestHost) return value;
  if (!url.path.startsWith('/')) return value;
  if (host === ctx.requestHost && host !== '') {
    // Already aimed at the server the client talks to: its scheme and host stay.
  } else {
    delete url.scheme;
    delete url.host;
  }
  if (url.path.startsWith(ctx.prefix)) return joinUrl(url);
  const trailing = url.path.endsWith('/');
  // Joined and cleaned as Go's path.Join does (no trailing slash), then the link's own trailing slash put back.
  url.path = posix.join(ctx.prefix, url.path).replace(/(.)\/+$/, '$1');
  if (trailing && !url.path.endsWith('/')) url.path += '/';
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
