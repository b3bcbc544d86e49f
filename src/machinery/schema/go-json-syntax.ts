/**
 * Go's encoding/json syntax errors, worded as Go's scanner words them: clients compare
 * messages with upstream's (`invalid character 'b' looking for beginning of object key
 * string`, `unexpected end of JSON input`), so a JavaScript parser's words never reach them.
 */

type Step = (c: number) => Step | string;

const isSpace = (c: number): boolean => c === 0x20 || c === 0x09 || c === 0x0a || c === 0x0d;
const isDigit = (c: number): boolean => c >= 0x30 && c <= 0x39;
const isHex = (c: number): boolean => isDigit(c) || (c >= 0x61 && c <= 0x66) || (c >= 0x41 && c <= 0x46);

const SHORT_ESCAPES: Record<number, string> = { 7: '\\a', 8: '\\b', 9: '\\t', 10: '\\n', 11: '\\v', 12: '\\f', 13: '\\r' };

/** Go's quoteChar: a byte as strconv.Quote shows it, in single quotes. */
export function quoteGoChar(c: number): string {
  if (c === 0x27) return "'\\''";
  if (c === 0x22) return "'\"'";
  if (c < 0x20 || c === 0x7f) {
    return `'${SHORT_ESCAPES[c] ?? `\\x${c.toString(16).padStart(2, '0')}`}'`;
  }
  if (c === 0x5c) return "'\\\\'";
  // A byte above 0x7f is a rune U+0080..U+00FF to Go; the unprintable ones are escaped.
  if (c >= 0x80 && (c < 0xa1 || c === 0xad)) return `'\\u00${c.toString(16)}'`;
  return `'${String.fromCharCode(c)}'`;
}

/** The first syntax error Go's json.Unmarshal reports for `data`, or undefined when it is valid JSON. */
export function goJsonSyntaxError(data: Uint8Array): string | undefined {
  // Parse states of enclosing containers: 'k' object key, 'v' object value, 'a' array value.
  const stack: Array<'k' | 'v' | 'a'> = [];
  let endTop = false;
  const fail = (c: number, context: string): string => `invalid character ${quoteGoChar(c)} ${context}`;

  const endValue: Step = (c) => {
    const top = stack[stack.length - 1];
    if (top === undefined) {
      endTop = true;
      return endOfTop(c);
    }
    if (isSpace(c)) return endValue;
    if (top === 'k') {
      if (c === 0x3a) {
        stack[stack.length - 1] = 'v';
        return beginValue;
      }
      return fail(c, 'after object key');
    }
    if (top === 'v') {
      if (c === 0x2c) {
        stack[stack.length - 1] = 'k';
        return beginString;
      }
      if (c === 0x7d) {
        stack.pop();
        return endValue;
      }
      return fail(c, 'after object key:value pair');
    }
    if (c === 0x2c) return beginValue;
    if (c === 0x5d) {
      stack.pop();
      return endValue;
    }
    return fail(c, 'after array element');
  };
  const endOfTop: Step = (c) => (isSpace(c) ? endOfTop : fail(c, 'after top-level value'));
  const push = (state: 'k' | 'a'): string | undefined => {
    stack.push(state);
    return stack.length > 10000 ? 'exceeded max depth' : undefined;
  };
  const beginValue: Step = (c) => {
    if (isSpace(c)) return beginValue;
    switch (c) {
      case 0x7b:
        return push('k') ?? beginStringOrEmpty;
      case 0x5b:
        return push('a') ?? beginValueOrEmpty;
      case 0x22:
        return inString;
      case 0x2d:
        return neg;
      case 0x30:
        return zero;
      case 0x74:
        return literal('true', 1);
      case 0x66:
        return literal('false', 1);
      case 0x6e:
        return literal('null', 1);
    }
    if (c >= 0x31 && c <= 0x39) return one;
    return fail(c, 'looking for beginning of value');
  };
  const beginValueOrEmpty: Step = (c) => {
    if (isSpace(c)) return beginValueOrEmpty;
    if (c === 0x5d) {
      stack.pop();
      return endValue;
    }
    return beginValue(c);
  };
  const beginStringOrEmpty: Step = (c) => {
    if (isSpace(c)) return beginStringOrEmpty;
    if (c === 0x7d) {
      stack.pop();
      return endValue;
    }
    return beginString(c);
  };
  const beginString: Step = (c) => {
    if (isSpace(c)) return beginString;
    if (c === 0x22) return inString;
    return fail(c, 'looking for beginning of object key string');
  };
  const inString: Step = (c) => {
    if (c === 0x22) return endValue;
    if (c === 0x5c) return inEscape;
    if (c < 0x20) return fail(c, 'in string literal');
    return inString;
  };
  const inEscape: Step = (c) => {
    if ('bfnrt\\/"'.includes(String.fromCharCode(c))) return inString;
    if (c === 0x75) return unicodeEscape(4);
    return fail(c, 'in string escape code');
  };
  const unicodeEscape =
    (left: number): Step =>
    (c) => {
      if (!isHex(c)) return fail(c, 'in \\u hexadecimal character escape');
      return left === 1 ? inString : unicodeEscape(left - 1);
    };
  const neg: Step = (c) => (c === 0x30 ? zero : c >= 0x31 && c <= 0x39 ? one : fail(c, 'in numeric literal'));
  const one: Step = (c) => (isDigit(c) ? one : zero(c));
  const zero: Step = (c) => (c === 0x2e ? dot : c === 0x65 || c === 0x45 ? exponent : endValue(c));
  const dot: Step = (c) => (isDigit(c) ? dotDigits : fail(c, 'after decimal point in numeric literal'));
  const dotDigits: Step = (c) => (isDigit(c) ? dotDigits : c === 0x65 || c === 0x45 ? exponent : endValue(c));
  const exponent: Step = (c) => (c === 0x2b || c === 0x2d ? exponentSign : exponentSign(c));
  const exponentSign: Step = (c) => (isDigit(c) ? exponentDigits : fail(c, 'in exponent of numeric literal'));
  const exponentDigits: Step = (c) => (isDigit(c) ? exponentDigits : endValue(c));
  const literal =
    (word: string, at: number): Step =>
    (c) => {
      const want = word.charCodeAt(at);
      if (c !== want) return fail(c, `in literal ${word} (expecting ${quoteGoChar(want)})`);
      return at === word.length - 1 ? endValue : literal(word, at + 1);
    };

  let step: Step = beginValue;
  for (const c of data) {
    const next = step(c);
    if (typeof next === 'string') return next;
    step = next;
  }
  if (endTop) return undefined;
  // At the end of input a number may still complete the top-level value.
  const last = step(0x20);
  if (typeof last === 'string') return last;
  return endTop ? undefined : 'unexpected end of JSON input';
}
