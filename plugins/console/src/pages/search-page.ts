import type { SearchQuery, SearchResult } from '../trace/search.js';
import { html, time, type Html } from '../http/html.js';

export const STATE_CHOICES = ['', 'pending', 'received', 'routed', 'charged', 'notified', 'retrieved', 'forwarded', 'delivered', 'rejected', 'expired'] as const;

/** The search form (GET, so a search is a link to share) and its results. */
export function searchPage(prefix: string, raw: Record<string, string | undefined>, result: SearchResult | undefined): Html {
  const field = (name: string, label: string, type = 'text', placeholder = '') =>
    html`<label>${label} <input name="${name}" type="${type}" value="${raw[name] ?? ''}" placeholder="${placeholder}"></label>`;
  const form = html`<form method="get" action="${prefix}/messages" class="search">
${field('id', 'Message id')}${field('address', 'MSISDN or e-mail', 'text', '+15550000002')}${field('vasp', 'VASP')}${field('iface', 'Interface', 'text', 'mm1')}
<label>State <select name="state">${STATE_CHOICES.map((s) => html`<option value="${s}"${raw.state === s ? html` selected` : ''}>${s || 'any'}</option>`)}</select></label>
${field('since', 'From', 'datetime-local')}${field('until', 'To', 'datetime-local')}<button>Search</button></form>`;
  if (!result) return form;
  const rows = result.hits.map(
    (e) => html`<tr><td><a href="${prefix}/messages/${encodeURIComponent(e.id)}">${e.id}</a></td><td>${time(e.at)}</td><td>${e.iface}${e.vasp ? ` (${e.vasp})` : ''}</td><td>${e.from}</td><td>${e.to.join(', ')}</td><td>${e.subject ?? ''}</td><td>${e.states ? summarize(e.states) : 'not stored'}</td></tr>`,
  );
  return html`${form}<p class="summary">${result.hits.length} messages, ${result.scanned} index entries read, ${time(result.since)} – ${time(result.until)}${result.stopped ? html` · <strong>stopped: ${result.stopped}</strong>` : ''}</p>
<table class="results"><thead><tr><th>id</th><th>received</th><th>interface</th><th>from</th><th>to</th><th>subject</th><th>recipients</th></tr></thead><tbody>${rows}</tbody></table>`;
}

function summarize(states: string[]): string {
  const counts = new Map<string, number>();
  for (const s of states) counts.set(s, (counts.get(s) ?? 0) + 1);
  return [...counts].map(([s, n]) => (n > 1 ? `${n} ${s}` : s)).join(', ');
}

/** The query string of the search form as a `SearchQuery`; an unreadable value is an error message. */
export function parseSearch(raw: Record<string, string | undefined>): SearchQuery | string {
  const q: SearchQuery = {};
  const text = (k: 'id' | 'address' | 'vasp' | 'iface') => {
    const v = raw[k]?.trim();
    if (v) q[k] = v.slice(0, 256);
  };
  text('id');
  text('address');
  text('vasp');
  text('iface');
  if (raw.state) {
    if (!(STATE_CHOICES as readonly string[]).includes(raw.state)) return `unknown state ${raw.state}`;
    q.state = raw.state as NonNullable<SearchQuery['state']>;
  }
  for (const k of ['since', 'until'] as const) {
    const v = raw[k]?.trim();
    if (!v) continue;
    // datetime-local has no zone: the console works in UTC, as its times are shown.
    const at = /^\d+$/.test(v) ? Number(v) : Date.parse(/[zZ]|[+-]\d\d:?\d\d$/.test(v) ? v : `${v}Z`);
    if (!Number.isFinite(at)) return `${k}: not a time (${v})`;
    q[k] = at;
  }
  return q;
}
