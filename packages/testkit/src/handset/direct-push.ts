import { definePlugin, type PushRequest } from '@openmmsc/core';
import { segmentForSms } from '@openmmsc/codec';
import type { SimulatedHandset } from './simulated-handset.js';

/**
 * A push bearer that hands notifications straight to simulated handsets in this process: the WAP
 * Push is cut into SMS segments (UDH with WDP ports and concatenation) and each is delivered to
 * the handset, which reassembles it. For tests that do not need an SMSC.
 */
export function handsetPushBearer(name = 'test-handset-push') {
  const handsets = new Map<string, SimulatedHandset>();
  const pushes: PushRequest[] = [];
  let reference = 0;
  const plugin = definePlugin({
    name,
    version: '0.0.0',
    apiVersion: '^1.0.0',
    setup(ctx) {
      ctx.provide('PushBearer', {
        name,
        push: async (request) => {
          pushes.push(request);
          const handset = handsets.get(request.to.value);
          if (!handset) return { status: 'failed', reason: `no simulated handset ${request.to.value}` };
          if (request.pdu) {
            reference = (reference + 1) & 0xff;
            for (const segment of segmentForSms(request.pdu, { reference })) handset.deliverSms(segment, { udhi: true, originator: 'mmsc' });
          } else if (request.text !== undefined) {
            handset.deliverText(request.text);
          } else {
            return { status: 'failed', reason: 'nothing to push' };
          }
          return { status: 'sent', reference: `direct-${pushes.length}` };
        },
      });
    },
  });
  return {
    plugin,
    pushes,
    attach(handset: SimulatedHandset): void {
      handsets.set(handset.msisdn, handset);
    },
  };
}
