// The configuration form of a data source, generated from its keys. The checks mirror the
// server's (backend/source Key.Check) so that most mistakes show before saving; the server
// stays the judge and its errors are mapped back onto the fields.
import { MASK, type SourceConfigView, type SourceKey } from '../../api/sources';

export type FormValues = Record<string, string>;
export type FieldErrors = Record<string, string>;

/** The form's starting values: what is saved (a set secret as MASK), else empty. */
export function initialValues(keys: SourceKey[], view: SourceConfigView | undefined): FormValues {
  const saved = new Map(view?.values.map((v) => [v.key, v]) ?? []);
  const out: FormValues = {};
  for (const k of keys) {
    const v = saved.get(k.name);
    out[k.name] = v?.set ? v.value : '';
  }
  return out;
}

/** Why a value is not acceptable for its key, or null. An empty value with a default is fine. */
export function checkValue(key: SourceKey, raw: string): string | null {
  const value = raw.trim();
  if (value === '') {
    return key.required && !key.default ? `${key.label} is required` : null;
  }
  if (key.secret && value === MASK) return null;
  switch (key.kind) {
    case 'url': {
      let u: URL | null = null;
      try {
        u = new URL(value);
      } catch {
        u = null;
      }
      if (!u || (u.protocol !== 'http:' && u.protocol !== 'https:') || !u.host) {
        return 'Enter an http(s) URL such as https://example.com';
      }
      return null;
    }
    case 'number':
      return /^-?\d+$/.test(value) ? null : 'Enter a whole number';
    case 'enum':
      return key.options?.includes(value) ? null : `Choose one of ${(key.options ?? []).join(', ')}`;
    case 'list':
      return value.split(',').some((p) => p.trim() !== '') ? null : 'Enter at least one item, separated by commas';
    default:
      return null;
  }
}

export function validateForm(keys: SourceKey[], values: FormValues): FieldErrors {
  const errors: FieldErrors = {};
  for (const k of keys) {
    const msg = checkValue(k, values[k.name] ?? '');
    if (msg) errors[k.name] = msg;
  }
  return errors;
}

/**
 * What saving sends: `set` the values that changed (a secret left as MASK is kept as it
 * is), `unset` the keys that were saved and are now empty.
 */
export function changes(keys: SourceKey[], values: FormValues, view: SourceConfigView | undefined) {
  const saved = new Map(view?.values.map((v) => [v.key, v]) ?? []);
  const set: Record<string, string> = {};
  const unset: string[] = [];
  for (const k of keys) {
    const value = (values[k.name] ?? '').trim();
    const was = saved.get(k.name);
    if (value === '') {
      if (was?.set) unset.push(k.name);
      continue;
    }
    if (k.secret && value === MASK) continue;
    if (!was?.set || was.value !== value) set[k.name] = value;
  }
  return { set, unset };
}

/** The values a connection test needs: every non-empty field (MASK keeps the saved secret). */
export function testValues(keys: SourceKey[], values: FormValues): Record<string, string> {
  const out: Record<string, string> = {};
  for (const k of keys) {
    const v = (values[k.name] ?? '').trim();
    if (v !== '') out[k.name] = v;
  }
  return out;
}

/**
 * Maps a server error (one problem per line, each starting with the key's name, e.g.
 * "GITHUB_URL must be an http(s) URL ...") onto the fields; lines that name no key are
 * returned as `other`.
 */
export function serverErrors(keys: SourceKey[], message: string): { fields: FieldErrors; other: string[] } {
  const fields: FieldErrors = {};
  const other: string[] = [];
  // Longest names first, so GIT_REPOS_DEPTH is not taken for GIT_REPOS.
  const byLength = [...keys].sort((a, b) => b.name.length - a.name.length);
  for (const line of message.split('\n').map((l) => l.trim()).filter(Boolean)) {
    const key = byLength.find((k) => line.startsWith(`${k.name} `) || line.startsWith(`${k.name}:`));
    if (!key) {
      other.push(line);
      continue;
    }
    const rest = line.slice(key.name.length);
    // "KEY: what the source says" reads as is; "KEY must be ..." reads with the label.
    const text = rest.startsWith(':') ? rest.slice(1).trim() : `${key.label}${rest}`;
    fields[key.name] = fields[key.name] ? `${fields[key.name]}; ${text}` : text;
  }
  return { fields, other };
}
