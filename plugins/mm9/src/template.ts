import { makeAvp, type Avp, type Dictionary } from '@openmmsc/diameter';
import type { AvpTemplate } from './options.js';

/** Values templates may use as `{name}`; undefined ones make an AVP disappear. */
export type TemplateVars = Record<string, string | number | undefined>;

const PLACEHOLDER = /\{([A-Za-z0-9_]+)\}/g;

function substitute(value: string | number, vars: TemplateVars): string | number | undefined {
  if (typeof value === 'number') return value;
  let missing = false;
  let any = false;
  const whole = /^\{([A-Za-z0-9_]+)\}$/.exec(value);
  if (whole) {
    const v = vars[whole[1]!];
    return v === undefined || v === '' ? undefined : v;
  }
  const out = value.replace(PLACEHOLDER, (_m, key: string) => {
    any = true;
    const v = vars[key];
    if (v === undefined || v === '') {
      missing = true;
      return '';
    }
    return String(v);
  });
  return any && missing && out.trim() === '' ? undefined : out;
}

/**
 * Renders AVP templates: each `{placeholder}` is replaced from `vars` (per recipient for
 * `repeat: recipients`), an AVP with no value left (or a group with no children left) is dropped.
 */
export function renderTemplates(templates: readonly AvpTemplate[], vars: TemplateVars, recipients: readonly TemplateVars[], dict: Dictionary): Avp[] {
  const out: Avp[] = [];
  for (const t of templates) {
    const scopes = t.repeat === 'recipients' ? recipients.map((r) => ({ ...vars, ...r })) : [vars];
    for (const scope of scopes) {
      const def = dict.get(t.name);
      if (def.type === 'Grouped') {
        const children = renderTemplates(t.avps ?? [], scope, recipients, dict);
        if (children.length) out.push(makeAvp(def, children, dict));
        continue;
      }
      if (t.value === undefined) continue;
      const v = substitute(t.value, scope);
      if (v === undefined) continue;
      out.push(makeAvp(def, v, dict));
    }
  }
  return out;
}

/** Service-Information / MMS-Information as TS 32.299 §7.2 describes it, from what the MMSC knows. */
export const DEFAULT_SERVICE_INFORMATION: AvpTemplate[] = [
  {
    name: 'Service-Information',
    avps: [
      {
        name: 'MMS-Information',
        avps: [
          {
            name: 'Originator-Address',
            avps: [
              { name: 'Address-Type', value: '{originatorType}' },
              { name: 'Address-Data', value: '{originator}' },
            ],
          },
          {
            name: 'Recipient-Address',
            repeat: 'recipients',
            avps: [
              { name: 'Address-Type', value: '{recipientType}' },
              { name: 'Address-Data', value: '{recipient}' },
              { name: 'Addressee-Type', value: '{addresseeType}' },
            ],
          },
          { name: 'Submission-Time', value: '{submissionTime}' },
          {
            name: 'MM-Content-Type',
            avps: [
              { name: 'Additional-Type-Information', value: '{contentType}' },
              { name: 'Content-Size', value: '{size}' },
            ],
          },
          { name: 'Priority', value: '{priority}' },
          { name: 'Message-ID', value: '{messageId}' },
          { name: 'Message-Type', value: 'm-send-req' },
          { name: 'Message-Size', value: '{size}' },
          { name: 'Message-Class', avps: [{ name: 'Class-Identifier', value: '{messageClass}' }] },
          { name: 'Delivery-Report-Requested', value: '{deliveryReport}' },
          { name: 'Read-Reply-Report-Requested', value: '{readReport}' },
          { name: 'VASP-Id', value: '{vaspId}' },
          { name: 'VAS-Id', value: '{vasId}' },
          {
            name: 'Originator-Interface',
            avps: [
              { name: 'Interface-Id', value: '{interface}' },
              { name: 'Interface-Type', value: '{interfaceType}' },
            ],
          },
        ],
      },
    ],
  },
];
