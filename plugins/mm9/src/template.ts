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

/** An AVP whose value is `value` (placeholders allowed). */
const avp = (name: string, value: string): AvpTemplate => ({ name, value });
/** A Grouped AVP with these children. */
const grouped = (name: string, avps: AvpTemplate[]): AvpTemplate => ({ name, avps });

/** Service-Information / MMS-Information as TS 32.299 §7.2 describes it, from what the MMSC knows. */
export const DEFAULT_SERVICE_INFORMATION: AvpTemplate[] = [
  grouped('Service-Information', [
    grouped('MMS-Information', [
      grouped('Originator-Address', [avp('Address-Type', '{originatorType}'), avp('Address-Data', '{originator}')]),
      {
        ...grouped('Recipient-Address', [avp('Address-Type', '{recipientType}'), avp('Address-Data', '{recipient}'), avp('Addressee-Type', '{addresseeType}')]),
        repeat: 'recipients',
      },
      avp('Submission-Time', '{submissionTime}'),
      grouped('MM-Content-Type', [avp('Additional-Type-Information', '{contentType}'), avp('Content-Size', '{size}')]),
      avp('Priority', '{priority}'),
      avp('Message-ID', '{messageId}'),
      avp('Message-Type', 'm-send-req'),
      avp('Message-Size', '{size}'),
      grouped('Message-Class', [avp('Class-Identifier', '{messageClass}')]),
      avp('Delivery-Report-Requested', '{deliveryReport}'),
      avp('Read-Reply-Report-Requested', '{readReport}'),
      avp('VASP-Id', '{vaspId}'),
      avp('VAS-Id', '{vasId}'),
      grouped('Originator-Interface', [avp('Interface-Id', '{interface}'), avp('Interface-Type', '{interfaceType}')]),
    ]),
  ]),
];
