import type { Session } from '../auth/sessions.js';

/** Text escaped for HTML element content and double-quoted attributes. */
export function esc(value: unknown): string {
  return String(value ?? '').replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

/** A template literal whose interpolations are escaped unless they are `Html` already. */
export class Html {
  constructor(readonly text: string) {}
  toString(): string {
    return this.text;
  }
}

export function html(strings: TemplateStringsArray, ...values: unknown[]): Html {
  let out = strings[0]!;
  values.forEach((v, i) => {
    out += render(v) + strings[i + 1]!;
  });
  return new Html(out);
}

function render(v: unknown): string {
  if (v instanceof Html) return v.text;
  if (Array.isArray(v)) return v.map(render).join('');
  if (v === undefined || v === null || v === false) return '';
  return esc(v);
}

export function time(at: number | undefined): string {
  return at === undefined ? '' : new Date(at).toISOString().replace('T', ' ').replace(/\.\d+Z$/, 'Z');
}

const NAV = [
  ['messages', 'Messages'],
  ['traffic', 'Traffic'],
  ['links', 'Links'],
  ['campaigns', 'Campaigns'],
] as const;

/** Every page: the same head (local stylesheet and script only), navigation and log-out form. */
export function layout(prefix: string, title: string, session: Session | undefined, body: Html, active?: string): string {
  const nav = session
    ? html`<nav>${NAV.map(([p, label]) => html`<a href="${prefix}/${p}"${active === p ? new Html(' class="active"') : ''}>${label}</a>`)}
<form method="post" action="${prefix}/logout" class="logout"><input type="hidden" name="_csrf" value="${session.csrf}"><span class="who">${session.user} (${session.role})</span><button>Log out</button></form></nav>`
    : '';
  return html`<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<title>${title} · OpenMMSC console</title><link rel="stylesheet" href="${prefix}/static/console.css">
<script src="${prefix}/static/console.js" defer></script></head>
<body data-prefix="${prefix}"${session ? html` data-csrf="${session.csrf}"` : ''}><header><h1>OpenMMSC console</h1>${nav}</header>
<main><h2>${title}</h2>${body}</main></body></html>`.text;
}
