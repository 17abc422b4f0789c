import { ADDRESS_TYPES, prefixAddressTypes, type AddressType, type CatchAllFact, type PluginFacts } from '@openmmsc/core';
import type { Mm5Options } from './options.js';

const NUMBERS: readonly AddressType[] = ['plmn'];

/** What the chain answers, for the kernel's configuration checks (`openmmsc check`, start). */
export function mm5Facts(options: Mm5Options): PluginFacts {
  const targets = new Set<string>();
  const answers = new Set<AddressType>();
  const catchAll: CatchAllFact[] = [];
  const operatorTargets = () => {
    for (const o of options.operators) targets.add(o.local ? 'local' : o.target);
  };
  const routeTarget = (entry: { target?: string | undefined; operator?: string | undefined }) => {
    if (entry.operator) operatorTargets();
    else targets.add(entry.target ?? 'mm4');
  };
  options.resolvers.forEach((r, i) => {
    // Every source but a table skips what is not a phone number.
    let types: readonly AddressType[] = NUMBERS;
    switch (r.type) {
      case 'prefix':
        types = [...new Set(r.routes.flatMap((e) => prefixAddressTypes(e.prefix)))];
        r.routes.forEach((e, j) => {
          routeTarget(e);
          if (e.prefix.length === 1) catchAll.push({ types: prefixAddressTypes(e.prefix), option: ['resolvers', i, 'routes', j] });
        });
        // A table answers "not found" for any address it has no entry for.
        if (r.onNotFound === 'reject') types = ADDRESS_TYPES;
        break;
      case 'range':
        for (const e of r.ranges) routeTarget(e);
        break;
      case 'operators':
        operatorTargets();
        break;
      case 'local':
        targets.add('local');
        break;
      case 'enum':
      case 'http':
        operatorTargets();
        targets.add(r.type === 'http' ? (r.response.target ?? 'mm4') : 'mm4');
        if (options.localDomains.length) targets.add('local');
        break;
    }
    for (const t of types) answers.add(t);
    if (r.onNotFound === 'reject') catchAll.push({ types, option: ['resolvers', i, 'onNotFound'] });
  });
  if (options.unmatched === 'reject') {
    for (const t of ADDRESS_TYPES) answers.add(t);
    catchAll.push({ types: ADDRESS_TYPES, option: ['unmatched'] });
  }
  return { resolver: { targets: [...targets], answers: [...answers], catchAll } };
}
