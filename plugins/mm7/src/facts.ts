import { configuredAddress, parseAddress, type AddressType, type KernelConfig, type PluginFacts, type SizeLimitFact } from '@openmmsc/core';
import type { Mm7Options } from './options.js';

/** What MM7 routes and limits, for the kernel's configuration checks (`openmmsc check`, start). */
export function mm7Facts(options: Mm7Options, config: Readonly<KernelConfig>): PluginFacts {
  const a = config.addressing;
  const addressing = { internationalPrefix: a.internationalPrefix, nationalPrefix: a.nationalPrefix, shortCodeMaxDigits: a.shortCodeMaxDigits, ...(a.defaultCountryCode ? { defaultCountryCode: a.defaultCountryCode } : {}) };
  const answers = new Set<AddressType>();
  const sizeLimits: SizeLimitFact[] = [];
  options.vasps.forEach((vasp, i) => {
    for (const raw of [...vasp.shortCodes, ...vasp.addresses]) {
      try {
        answers.add(configuredAddress(raw, (r) => parseAddress(r, addressing)).type);
      } catch {
        // setup refuses it with the reason; nothing to cross-check here
      }
    }
    if (vasp.maxMessageSize !== undefined) {
      sizeLimits.push({ option: ['vasps', i, 'maxMessageSize'], bytes: vasp.maxMessageSize, applies: `submissions of VASP ${vasp.id}` });
    }
  });
  return {
    provides: ['ReportSender'],
    delivers: ['mm7'],
    resolver: { targets: ['mm7'], answers: [...answers] },
    sizeLimits,
  };
}
