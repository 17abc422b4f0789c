/**
 * Escaping text for XML 1.0 (§2.4, §3.3.3) and HTML: one function for SOAP envelopes, SMIL, PAP
 * control documents, STI requests and HTML bodies. The apostrophe is written `&#39;`, which both
 * XML and HTML read (HTML 4 has no `&apos;`).
 */
const ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

/** Text or an attribute value (either quote) as XML/HTML character data. */
export function escapeXml(text: string): string {
  // Characters XML 1.0 cannot carry at all (and HTML reads as errors) are dropped, not written.
  // eslint-disable-next-line no-control-regex
  return text.replace(/[&<>"']/g, (c) => ESCAPES[c]!).replace(/[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]/g, '');
}

/** The same escaping, named for HTML callers. */
export const escapeHtml = escapeXml;
