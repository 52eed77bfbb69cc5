/**
 * The GeoReport v2 XML answers, written by hand: a handful of fixed shapes, so a tiny writer with
 * one escaper is all it takes (no XML library on the server).
 */

/** A value of the spec's shapes: text, a number, a flag, nothing, a list or a nested element. */
export type XmlValue = string | number | boolean | null | undefined | XmlValue[] | { [name: string]: XmlValue };

const escapeXml = (s: string) =>
  s
    // Characters XML 1.0 cannot carry at all.
    .replace(/[^\x09\x0A\x0D\x20-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]/gu, '')
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&apos;');

/**
 * Each list's element name for its items (`services` holds `service`s ...), as the spec writes
 * them. A list named here is written as that list element with one child per item.
 */
const ITEM_OF: Record<string, string> = {
  services: 'service',
  service_requests: 'request',
  errors: 'error',
  attributes: 'attribute',
  values: 'value',
  endpoints: 'endpoint',
  formats: 'format',
};

function element(name: string, value: XmlValue): string {
  if (value === null || value === undefined) return `<${name}/>`;
  if (Array.isArray(value)) {
    const item = ITEM_OF[name] ?? 'item';
    return `<${name}>${value.map((v) => element(item, v)).join('')}</${name}>`;
  }
  if (typeof value === 'object') return `<${name}>${Object.entries(value).map(([k, v]) => element(k, v)).join('')}</${name}>`;
  return `<${name}>${escapeXml(String(value))}</${name}>`;
}

/** A whole document: `toXml('services', [...])` gives `<?xml …?><services><service>…</service></services>`. */
export const toXml = (root: string, value: XmlValue): string => `<?xml version="1.0" encoding="utf-8"?>${element(root, value)}`;
