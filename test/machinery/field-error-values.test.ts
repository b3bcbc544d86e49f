/**
 * Field-error values render as apimachinery 1.33's field.Error.ErrorBody renders them:
 * numbers and bools with `%v`, strings with `%q`, nil as the quoted string "null", and
 * everything else with Go's `%#v` of the type upstream's validation holds it in.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  fieldErrorBody,
  GO_LABEL_SELECTOR,
  GO_STRING_MAP,
  goQuote,
  goStringSlice,
  goValue,
  intOrStringValue,
  invalidValue,
  notSupported,
  renderValue,
} from '../../src/machinery/validation/field-error.js';

describe('field error values as upstream renders them', () => {
  it('prints scalars with %v and strings with %q', () => {
    assert.equal(renderValue(3), '3');
    assert.equal(renderValue(-1), '-1');
    assert.equal(renderValue(0.5), '0.5');
    assert.equal(renderValue(true), 'true');
    assert.equal(renderValue('web'), '"web"');
    assert.equal(renderValue(''), '""');
  });

  it('quotes strings as Go does', () => {
    assert.equal(goQuote('a"b\\c'), '"a\\"b\\\\c"');
    assert.equal(goQuote('line\nnext\ttab'), '"line\\nnext\\ttab"');
    assert.equal(goQuote('\u0000\u001b\u007f'), '"\\x00\\x1b\\x7f"');
    assert.equal(goQuote('\u0085'), '"\\u0085"');
    assert.equal(goQuote('héllo ☃'), '"héllo ☃"');
  });

  it('prints nil as the quoted string "null", and typed nil slices and maps as %#v does', () => {
    assert.equal(renderValue(null), '"null"');
    assert.equal(renderValue(undefined), '"null"');
    assert.equal(renderValue(goValue(GO_LABEL_SELECTOR, undefined)), '"null"');
    assert.equal(renderValue(goValue(GO_STRING_MAP, undefined)), 'map[string]string(nil)');
    assert.equal(renderValue(goValue(goStringSlice(), null)), '[]string(nil)');
  });

  it('prints string maps and slices with %#v, keys sorted', () => {
    assert.equal(renderValue({ tier: 'fe', app: 'b' }), 'map[string]string{"app":"b", "tier":"fe"}');
    assert.equal(renderValue({}), 'map[string]string{}');
    assert.equal(renderValue(['a', 'b']), '[]string{"a", "b"}');
    assert.equal(renderValue(goValue(goStringSlice('core.ResourceQuotaScope'), ['Sometimes'])), '[]core.ResourceQuotaScope{"Sometimes"}');
  });

  it('prints structs with their Go type and field names', () => {
    assert.equal(
      renderValue(goValue(GO_LABEL_SELECTOR, { matchLabels: { app: 'web' } })),
      'v1.LabelSelector{MatchLabels:map[string]string{"app":"web"}, MatchExpressions:[]v1.LabelSelectorRequirement(nil)}',
    );
    assert.equal(
      renderValue(goValue(GO_LABEL_SELECTOR, { matchExpressions: [{ key: 'tier', operator: 'In', values: ['fe'] }] })),
      'v1.LabelSelector{MatchLabels:map[string]string(nil), MatchExpressions:[]v1.LabelSelectorRequirement{v1.LabelSelectorRequirement{Key:"tier", Operator:"In", Values:[]string{"fe"}}}}',
    );
  });

  it('prints int-or-string values as the intstr.IntOrString struct upstream passes by value', () => {
    assert.equal(renderValue(intOrStringValue('150%')), 'intstr.IntOrString{Type:1, IntVal:0, StrVal:"150%"}');
    assert.equal(renderValue(intOrStringValue(0)), 'intstr.IntOrString{Type:0, IntVal:0, StrVal:""}');
  });

  it('renders whole error bodies', () => {
    assert.equal(
      fieldErrorBody(invalidValue('spec.template.metadata.labels', goValue(GO_STRING_MAP, { app: 'b' }), '`selector` does not match template `labels`')),
      'Invalid value: map[string]string{"app":"b"}: `selector` does not match template `labels`',
    );
    assert.equal(fieldErrorBody(notSupported('spec.restartPolicy', 'Never', ['Always'])), 'Unsupported value: "Never": supported values: "Always"');
  });
});
