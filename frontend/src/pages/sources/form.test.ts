import { describe, expect, it } from 'vitest';
import { MASK, type SourceConfigView, type SourceKey } from '../../api/sources';
import { changes, checkValue, initialValues, serverErrors, testValues, validateForm } from './form';

const keys: SourceKey[] = [
  { name: 'HUB_TOKEN', label: 'Token', help: 'a token', kind: 'text', required: true, secret: true },
  { name: 'HUB_URL', label: 'API URL', help: '', kind: 'url', required: false, secret: false, default: 'https://api.hub.test' },
  { name: 'HUB_ORG', label: 'Organization', help: '', kind: 'text', required: true, secret: false },
  { name: 'HUB_ORGS', label: 'More organizations', help: '', kind: 'list', required: false, secret: false },
  { name: 'HUB_DEPTH', label: 'Depth', help: '', kind: 'number', required: false, secret: false },
  { name: 'HUB_MODE', label: 'Mode', help: '', kind: 'enum', required: true, secret: false, options: ['all', 'mine'], default: 'all' },
];

const view = (values: SourceConfigView['values']): SourceConfigView => ({
  source: 'hub',
  name: 'Hub',
  configured: values.some((v) => v.set),
  complete: false,
  problems: [],
  values,
});

describe('source form', () => {
  it('starts from the saved values, a set secret as its mask, unset keys empty', () => {
    const v = view([
      { key: 'HUB_TOKEN', value: MASK, secret: true, set: true },
      { key: 'HUB_ORG', value: 'acme', secret: false, set: true },
      { key: 'HUB_URL', value: '', secret: false, set: false, default: 'https://api.hub.test' },
    ]);
    expect(initialValues(keys, v)).toEqual({ HUB_TOKEN: MASK, HUB_URL: '', HUB_ORG: 'acme', HUB_ORGS: '', HUB_DEPTH: '', HUB_MODE: '' });
    expect(initialValues(keys, undefined).HUB_TOKEN).toBe('');
  });

  it('checks each kind like the server does', () => {
    const [token, url, org, orgs, depth, mode] = keys as [SourceKey, SourceKey, SourceKey, SourceKey, SourceKey, SourceKey];
    expect(checkValue(token, '')).toBe('Token is required');
    expect(checkValue(token, MASK)).toBeNull();
    expect(checkValue(url, '')).toBeNull(); // has a default
    expect(checkValue(url, 'api.hub.test')).toMatch(/http\(s\) URL/);
    expect(checkValue(url, 'ftp://hub.test')).toMatch(/http\(s\) URL/);
    expect(checkValue(url, 'https://hub.example.com/api/v3')).toBeNull();
    expect(checkValue(org, '   ')).toBe('Organization is required');
    expect(checkValue(orgs, ' , ,')).toMatch(/at least one/);
    expect(checkValue(orgs, 'a, b')).toBeNull();
    expect(checkValue(depth, '3.5')).toBe('Enter a whole number');
    expect(checkValue(depth, '-2')).toBeNull();
    expect(checkValue(mode, '')).toBeNull(); // required, but defaulted
    expect(checkValue(mode, 'some')).toBe('Choose one of all, mine');
    expect(validateForm(keys, { HUB_TOKEN: '', HUB_ORG: 'acme', HUB_URL: 'nope' })).toEqual({
      HUB_TOKEN: 'Token is required',
      HUB_URL: 'Enter an http(s) URL such as https://example.com',
    });
  });

  it('sends only what changed: a kept secret stays out, a cleared key is unset', () => {
    const v = view([
      { key: 'HUB_TOKEN', value: MASK, secret: true, set: true },
      { key: 'HUB_ORG', value: 'acme', secret: false, set: true },
      { key: 'HUB_DEPTH', value: '3', secret: false, set: true },
    ]);
    expect(changes(keys, { HUB_TOKEN: MASK, HUB_ORG: 'acme', HUB_DEPTH: '3' }, v)).toEqual({ set: {}, unset: [] });
    expect(changes(keys, { HUB_TOKEN: 'new-token', HUB_ORG: ' globex ', HUB_DEPTH: '', HUB_URL: 'https://h.test' }, v)).toEqual({
      set: { HUB_TOKEN: 'new-token', HUB_ORG: 'globex', HUB_URL: 'https://h.test' },
      unset: ['HUB_DEPTH'],
    });
    // Nothing saved yet: every filled field is set.
    expect(changes(keys, { HUB_TOKEN: 't', HUB_ORG: 'acme' }, undefined)).toEqual({ set: { HUB_TOKEN: 't', HUB_ORG: 'acme' }, unset: [] });
  });

  it('tests with every filled field, the mask standing for the saved secret', () => {
    expect(testValues(keys, { HUB_TOKEN: MASK, HUB_ORG: ' acme ', HUB_URL: '' })).toEqual({ HUB_TOKEN: MASK, HUB_ORG: 'acme' });
  });

  it('maps the server errors onto the fields', () => {
    const msg = [
      'HUB_URL must be an http(s) URL such as https://example.com, not "x"',
      'HUB_ORGS: no such organization',
      'HUB_ORG is required: the organization',
      'HUB_TOKEN2 is not a key of hub (keys: HUB_TOKEN, HUB_URL)',
    ].join('\n');
    expect(serverErrors(keys, msg)).toEqual({
      fields: {
        HUB_URL: 'API URL must be an http(s) URL such as https://example.com, not "x"',
        HUB_ORGS: 'no such organization', // not taken for HUB_ORG
        HUB_ORG: 'Organization is required: the organization',
      },
      other: ['HUB_TOKEN2 is not a key of hub (keys: HUB_TOKEN, HUB_URL)'],
    });
  });
});
