import type { Session } from '../auth/sessions.js';
import type { TemplateSummary } from '../campaigns/templates.js';
import { html, time, type Html } from '../http/html.js';

/** The template picker of the campaign form: choosing one fills the form (console.js) and the server fills what is left empty. */
export function templatePicker(templates: readonly TemplateSummary[], selected: string): Html {
  if (templates.length === 0) return html``;
  const options = templates.map(
    (t) => html`<option value="${t.id}" data-from="${t.from}" data-subject="${t.subject}" data-text="${t.text}"${t.id === selected ? html` selected` : ''}>${t.name}${t.media ? ` (+ ${t.media.contentType})` : ''}</option>`,
  );
  return html`<label>Template <select name="template" id="template"><option value="">none</option>${options}</select></label>`;
}

/** The saved templates: what each sends; use it, or delete it (role operate). */
export function templatesTable(prefix: string, session: Session, templates: readonly TemplateSummary[]): Html {
  const rows = templates.map(
    (t) => html`<tr data-template="${t.id}"><td>${t.name}</td><td>${t.from}</td><td>${t.subject}</td><td>${t.text.length > 80 ? `${t.text.slice(0, 80)}…` : t.text}</td><td>${t.media ? `${t.media.name} (${t.media.contentType}, ${t.media.size} bytes)` : ''}</td><td>${t.createdBy}</td><td>${time(t.createdAt)}</td><td>${
      session.role === 'view'
        ? ''
        : html`<a href="${prefix}/campaigns?template=${t.id}">use</a> <form method="post" action="${prefix}/templates/${t.id}/delete" class="inline action"><input type="hidden" name="_csrf" value="${session.csrf}"><button>Delete template</button></form>`
    }</td></tr>`,
  );
  return html`<h3>Templates</h3>${templates.length === 0 ? html`<p>No template saved yet.</p>` : html`<table class="templates"><thead><tr><th>name</th><th>from</th><th>subject</th><th>text</th><th>media</th><th>by</th><th>saved</th><th></th></tr></thead><tbody>${rows}</tbody></table>`}`;
}

/** On a campaign's page: keep its content as a template. */
export function saveAsTemplate(prefix: string, session: Session, campaignId: string): Html {
  if (session.role === 'view') return html``;
  return html`<form method="post" action="${prefix}/campaigns/${campaignId}/template" class="save-template"><input type="hidden" name="_csrf" value="${session.csrf}"><label>Template name <input name="name" required maxlength="100"></label> <button>Save the content as a template</button></form>`;
}
