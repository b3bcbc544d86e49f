/**
 * resource.Quantity canonical form, checked against values whose canonical
 * text upstream's apimachinery produces.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { canonicalizeQuantity, parseQuantity, QuantityParseError } from '../../src/machinery/schema/index.js';

const FORMAT = "quantities must match the regular expression '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'";
const SUFFIX = "unable to parse quantity's suffix";

function canon(text: string): string {
  return canonicalizeQuantity(text);
}

describe('Quantity canonical form', () => {
  it('keeps canonical spellings verbatim', () => {
    for (const text of ['0', '1', '100m', '250m', '1Ki', '123Mi', '129M', '129e6', '12e6', '1e3', '5n', '100u', '1E', '-1', '2048', '1024']) {
      assert.equal(canon(text), text, text);
    }
  });

  it('writes zero as "0" whatever the spelling', () => {
    for (const text of ['0m', '-0', '0.0', '000', '0Ki', '0e3', '0.000n']) assert.equal(canon(text), '0', text);
  });

  it('picks the largest decimal SI suffix that keeps an integer mantissa', () => {
    assert.equal(canon('1000m'), '1');
    assert.equal(canon('0.5'), '500m');
    assert.equal(canon('0.001'), '1m');
    assert.equal(canon('0.0005k'), '500m');
    assert.equal(canon('1.01'), '1010m');
    assert.equal(canon('1000'), '1k');
    assert.equal(canon('1500'), '1500');
    assert.equal(canon('1.5M'), '1500k');
    assert.equal(canon('2000000'), '2M');
    assert.equal(canon('1.0'), '1');
    assert.equal(canon('-1500m'), '-1500m');
    assert.equal(canon('-0.5'), '-500m');
    assert.equal(canon('1000E'), '1e21');
  });

  it('keeps the binary SI family when the value is a whole multiple of 1024', () => {
    assert.equal(canon('1024Mi'), '1Gi');
    assert.equal(canon('1024Ki'), '1Mi');
    assert.equal(canon('8Mi'), '8Mi');
    assert.equal(canon('1.5Gi'), '1536Mi');
    assert.equal(canon('-2048Ki'), '-2Mi');
  });

  it('writes binary values below 1024 or with a fraction in decimal SI', () => {
    assert.equal(canon('0.5Ki'), '512');
    assert.equal(canon('0.5Mi'), '512Ki');
    assert.equal(canon('1.1Ki'), '1126400m');
  });

  it('keeps the decimal exponent family', () => {
    assert.equal(canon('1e2'), '100');
    assert.equal(canon('1.5e3'), '1500');
    assert.equal(canon('10e5'), '1e6');
    assert.equal(canon('1E-3'), '1E-3');
    assert.equal(canon('1E-4'), '100e-6');
  });

  it('rounds fractions finer than a nano unit away from zero', () => {
    assert.equal(canon('0.1n'), '1n');
    assert.equal(canon('1.0000000001'), '1000000001n');
    assert.equal(canon('-0.1n'), '-1n');
    assert.equal(canon('1e-999999'), '1e-9');
  });

  it('caps binary quantities at the int64 range', () => {
    assert.equal(canon('8Ei'), '9223372036854775807');
    assert.equal(canon('7Ei'), '7Ei');
  });

  it('ignores surrounding whitespace', () => {
    assert.equal(canon(' 2Gi '), '2Gi');
  });

  it('parses exactly', () => {
    assert.deepEqual(parseQuantity('1.5Gi'), { unscaled: 16106127360n, scale: -1, format: 'BinarySI' });
    assert.deepEqual(parseQuantity('250m'), { unscaled: 250n, scale: -3, format: 'DecimalSI', verbatim: '250m' });
  });

  it("rejects malformed text with upstream's messages", () => {
    for (const text of ['', 'abc', '1.5x', '1 2', '1e3.5']) {
      assert.throws(() => canon(text), (err: unknown) => err instanceof QuantityParseError && err.message === FORMAT, JSON.stringify(text));
    }
    for (const text of ['1e', '1Ki5', '1kk', '1iK', '--1']) {
      assert.throws(() => canon(text), (err: unknown) => err instanceof QuantityParseError && err.message === SUFFIX, JSON.stringify(text));
    }
  });
});
