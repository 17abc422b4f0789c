import type { RecipientOutcome } from '@openmmsc/campaign';
import type { Session } from '../auth/sessions.js';
import type { CampaignState } from '../campaigns/campaign-store.js';
import type { TemplateSummary } from '../campaigns/templates.js';
import { html, time, type Html } from '../http/html.js';
import { saveAsTemplate, templatePicker, templatesTable } from './templates-list.js';

/** Shown of the per-recipient outcomes on the page; the report has them all. */
const SHOWN = 200;

export function campaignsPage(prefix: string, session: Session, campaigns: readonly CampaignState[], templates: readonly TemplateSummary[], selected: string): Html {
  const form =
    session.role === 'view'
      ? ''
      : html`<form method="post" action="${prefix}/campaigns" class="campaign" id="new-campaign" enctype="application/x-www-form-urlencoded">
<input type="hidden" name="_csrf" value="${session.csrf}">
${templatePicker(templates, selected)}
<label>Name <input name="name" required maxlength="100"></label>
<label>From (short code or number; the template's if empty) <input name="from" maxlength="64"></label>
<label>Subject <input name="subject" maxlength="200"></label>
<label>Text <textarea name="text" rows="3" maxlength="5000"></textarea></label>
<label>Image, audio or video (optional) <input type="file" name="attachment" accept="image/*,audio/*,video/*"></label>
<label>Recipients, one per line (or the first column of a CSV) <textarea name="recipients" rows="6"></textarea></label>
<label>or a recipient file <input type="file" name="recipientFile" accept=".txt,.csv,text/plain,text/csv"></label>
<label>Recipients per message <input name="batch" type="number" min="1" max="100" value="1"></label>
<button>Start campaign</button>
<p class="template-save"><label>Template name <input name="templateName" maxlength="100"></label> <button type="button" id="save-template">Save the content as a template</button></p></form>`;
  const rows = campaigns.map(
    (c) => html`<tr data-campaign="${c.id}"><td><a href="${prefix}/campaigns/${c.id}">${c.name}</a></td><td>${c.state}</td><td>${c.done}/${c.total}</td><td>${c.accepted}</td><td>${c.rejected}</td><td>${c.createdBy}</td><td>${time(c.createdAt)}</td></tr>`,
  );
  return html`${form}${templatesTable(prefix, session, templates)}<h3>Campaigns</h3><table class="campaigns"><thead><tr><th>name</th><th>state</th><th>done</th><th>accepted</th><th>refused</th><th>by</th><th>created</th></tr></thead><tbody>${rows}</tbody></table>`;
}

/** Progress and outcomes; the page re-reads this fragment by itself while the campaign runs. */
export function campaignProgress(prefix: string, c: CampaignState, outcomes: readonly RecipientOutcome[]): Html {
  const rows = outcomes.slice(0, SHOWN).map((o) => html`<tr class="${o.accepted ? 'ok' : 'error'}"><td>${o.address}</td><td>${o.accepted ? 'accepted' : 'refused'}</td><td>${o.status}</td><td>${o.messageId ? html`<a href="${prefix}/messages/${encodeURIComponent(o.messageId)}">${o.messageId}</a>` : ''}</td></tr>`);
  return html`<p><progress max="${c.total}" value="${c.done}"></progress> <span class="campaign-state" data-state="${c.state}">${c.state}</span> · <span class="done">${c.done}</span>/${c.total} recipients · ${c.accepted} accepted · ${c.rejected} refused${c.finishedAt ? ` · finished ${time(c.finishedAt)}` : ''}</p>
<p><a href="${prefix}/campaigns/${c.id}/report.csv" download>Download the report (CSV)</a></p>
<table class="outcomes"><thead><tr><th>recipient</th><th>outcome</th><th>status</th><th>message</th></tr></thead><tbody>${rows}</tbody></table>${outcomes.length > SHOWN ? html`<p>${outcomes.length - SHOWN} more in the report.</p>` : ''}`;
}

export function campaignPage(prefix: string, session: Session, c: CampaignState, outcomes: readonly RecipientOutcome[]): Html {
  const cancel =
    session.role !== 'view' && c.state === 'running'
      ? html`<form method="post" action="${prefix}/campaigns/${c.id}/cancel"><input type="hidden" name="_csrf" value="${session.csrf}"><button>Cancel the campaign</button></form>`
      : '';
  return html`<p>From <code>${c.from}</code>${c.subject ? html`, subject “${c.subject}”` : ''}, ${c.batch} recipient(s) per message, started by ${c.createdBy} at ${time(c.createdAt)}.</p>
<div id="progress"${c.state === 'running' ? html` data-refresh="${prefix}/campaigns/${c.id}/fragment" data-every="1000"` : ''}>${campaignProgress(prefix, c, outcomes)}</div>${cancel}${saveAsTemplate(prefix, session, c.id)}`;
}
