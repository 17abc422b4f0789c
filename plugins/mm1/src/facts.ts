import type { PluginFacts } from '@openmmsc/core';
import type { Mm1Options } from './options.js';

/** MM1's own size limits, for the kernel's configuration checks (`openmmsc check`, start). */
export function mm1Facts(options: Mm1Options): PluginFacts {
  return {
    provides: ['ReportSender'],
    sizeLimits: [
      { option: ['limits', 'maxMessageSize'], bytes: options.limits.maxMessageSize, applies: 'MM1 submissions of subscribers without a size class' },
      ...Object.entries(options.limits.classes).map(([name, c]) => ({
        option: ['limits', 'classes', name, 'maxMessageSize'],
        bytes: c.maxMessageSize,
        applies: `MM1 submissions of size class "${name}"`,
      })),
    ],
  };
}
