import type { RecipientRecord, StateChange } from '@openmmsc/core';
import { html, time, type Html } from '../http/html.js';

/**
 * What an entry of a recipient's history means to an operator. Events without a name here (a
 * plugin may record any) show as their token in words, with their detail in the detail column.
 */
export function describe(entry: StateChange, recipient: RecipientRecord): string {
  if (entry.event) {
    const named: Record<string, string> = {
      'push-failed': 'push failed',
      pushed: `notification pushed (${entry.by}) after the handset had fetched`,
      'delivery-report-sent': 'delivery report sent to the originator',
      'read-report-sent': 'read report sent to the originator',
      'cancel-sent': 'cancel pushed to the handset',
      'cancel-confirmed': 'handset confirmed the cancel',
      'cdr-written': 'charging record written',
      adapted: 'adapted variant produced',
      'adaptation-failed': 'adaptation failed',
    };
    return named[entry.event] ?? entry.event.replace(/^operator-/, 'operator: ').replace(/-/g, ' ');
  }
  switch (entry.state) {
    case 'received':
      return `received over ${entry.by}`;
    case 'routed':
      return recipient.route ? `routed to ${recipient.route.target}${recipient.route.destination ? ` (${recipient.route.destination})` : ''}` : 'routed';
    case 'charged':
      return 'charged';
    case 'notified':
      return `notification pushed (${entry.by})`;
    case 'retrieved':
      return `fetched by the handset (${entry.by})`;
    case 'forwarded':
      return `handed over (${entry.by})`;
    case 'delivered':
      return 'delivered';
    case 'rejected':
      return 'failed';
    case 'expired':
      return 'expired';
  }
}

/** The history as a table: time, what happened, state after, by (plugin/interface), node, reason. */
export function timeline(recipient: RecipientRecord): Html {
  return html`<table class="timeline"><thead><tr><th>time</th><th>what</th><th>state</th><th>by</th><th>node</th><th>detail</th></tr></thead><tbody>
${recipient.history.map(
  (e) => html`<tr class="${e.event ? 'event' : `state-${e.state}`}" data-kind="${e.event ?? e.state}"><td>${time(e.at)}</td><td>${describe(e, recipient)}</td><td>${e.state}</td><td>${e.by}</td><td>${e.node ?? ''}</td><td>${e.reason ?? ''}</td></tr>`,
)}</tbody></table>`;
}

/** Recipient attributes: push reference, adaptation class (variant), content-location token… */
export function attributesOf(recipient: RecipientRecord): Html {
  const entries = Object.entries(recipient.attributes).filter(([k]) => !/token|secret/i.test(k));
  if (recipient.charge) entries.push(...Object.entries(recipient.charge).map(([k, v]): [string, string | number | boolean] => [`charge.${k}`, v]));
  if (entries.length === 0) return html``;
  return html`<dl class="attributes">${entries.map(([k, v]) => html`<dt>${k}</dt><dd>${String(v)}</dd>`)}</dl>`;
}
