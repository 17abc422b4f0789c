import { formatAddress } from '../model/address.js';
import { messageSize } from '../model/message.js';
import type { SubmissionStage } from '../pipeline/stages.js';
import { CONTINUE, type Reason, type StageOutcome } from '../pipeline/verdict.js';
import type { KernelContext } from './kernel-context.js';
import { deferRecipient, rejectRecipient, storedMessage, type WorkingSet } from './working-set.js';

type Step = (k: KernelContext, ws: WorkingSet, signal: AbortSignal) => StageOutcome | Promise<StageOutcome>;

/**
 * The kernel's own work in each submission stage, around the plugins' hooks (what `PIPELINE`
 * describes in words). The after-steps have nothing to do once no recipient is left in play.
 */
export const KERNEL_STEPS: Record<SubmissionStage, { before?: Step; after: Step }> = {
  receive: {
    before: async (k, ws) => {
      const limits = checkLimits(k, ws);
      return limits.kind !== 'continue' ? limits : k.senderLimits.check(ws);
    },
    after: remeasure,
  },
  route: {
    after: async (k, ws, signal) => {
      await resolveRoutes(k, ws, signal);
      refuseUnacceptedTargets(k, ws);
      return CONTINUE;
    },
  },
  transcode: { after: applyTranscoder },
  charge: { after: authorizeCharges },
  // Persisting follows the last stage in `submit`: a reroute runs stages without storing anew.
  store: { after: () => CONTINUE },
};

/** Receive stage, before plugins: the kernel's own limits. */
export function checkLimits(k: KernelContext, ws: WorkingSet): StageOutcome {
  const { maxRecipients, maxMessageSize } = k.config.limits;
  if (ws.active.length === 0) return { kind: 'reject', reason: { code: 'format-corrupt', message: 'message has no recipients' } };
  if (ws.active.length > maxRecipients) {
    return {
      kind: 'reject',
      reason: { code: 'too-many-recipients', message: `${ws.active.length} recipients; at most ${maxRecipients} allowed` },
    };
  }
  ws.size = messageSize(ws.message);
  if (ws.size > maxMessageSize) {
    return {
      kind: 'reject',
      reason: { code: 'size-exceeded', message: `message is ${ws.size} bytes; at most ${maxMessageSize} allowed` },
    };
  }
  return CONTINUE;
}

/** Receive stage, after plugins: hooks may have changed the parts. */
function remeasure(_k: KernelContext, ws: WorkingSet): StageOutcome {
  if (ws.active.length > 0) ws.size = messageSize(ws.message);
  return CONTINUE;
}

/** After routing: a recipient routed to a target its ingress does not accept is refused, never relayed. */
function refuseUnacceptedTargets(k: KernelContext, ws: WorkingSet): void {
  const accepted = ws.acceptTargets;
  if (!accepted) return;
  const now = k.clock.now();
  for (const recipient of [...ws.active]) {
    const target = recipient.route?.target;
    if (target === undefined || accepted.includes(target)) continue;
    const reason: Reason = { code: 'service-denied', message: `relaying denied: ${recipient.address.value} is not served here` };
    rejectRecipient(ws, recipient, reason, 'kernel', now);
  }
}

/** Route stage, after plugins: MM5 resolvers for whatever no handler routed, then "no route". */
export async function resolveRoutes(k: KernelContext, ws: WorkingSet, signal: AbortSignal): Promise<void> {
  const resolvers = k.services.all('RoutingResolver');
  const now = k.clock.now();
  for (const recipient of [...ws.active]) {
    if (recipient.route) continue;
    for (const resolver of resolvers) {
      let answer;
      try {
        answer = await resolver.resolve(recipient.address, signal);
      } catch (error) {
        k.log.warn({ err: error, resolver: resolver.name, messageId: ws.id }, 'routing resolver failed; recipient deferred');
        answer = { kind: 'defer' as const, reason: { code: 'network-problem' as const, message: `lookup failed (${resolver.name})` } };
      }
      if (!answer) continue;
      if (answer.kind === 'route') recipient.route = { ...answer.route, by: resolver.name };
      else if (answer.kind === 'reject') rejectRecipient(ws, recipient, answer.reason, resolver.name, now);
      else deferRecipient(ws, recipient, answer.reason, answer.retryAfterMs);
      break;
    }
  }
  for (const recipient of [...ws.active]) {
    if (recipient.route) {
      recipient.history.push({ state: 'routed', at: now, by: recipient.route.by });
    } else {
      rejectRecipient(
        ws,
        recipient,
        { code: 'address-unresolved', message: `no route to ${formatAddress(recipient.address)}` },
        'kernel',
        now,
      );
    }
  }
}

/**
 * Transcode stage, after plugins: each recipient whose class is known now gets it. A deferred
 * transcoder (`adaptLater`) adapts once the message is stored, off the sender's path; another
 * adapts now, once per class.
 */
export async function applyTranscoder(k: KernelContext, ws: WorkingSet, signal: AbortSignal): Promise<StageOutcome> {
  const transcoder = k.services.single('Transcoder');
  if (!transcoder?.capabilitiesFor) return CONTINUE;
  for (const recipient of ws.active) {
    if (recipient.variant) continue;
    const capabilities = transcoder.capabilitiesFor(recipient);
    if (!capabilities) continue;
    if (transcoder.adaptLater) {
      ws.adaptLater.set(capabilities.class, capabilities);
    } else if (!ws.variants.has(capabilities.class)) {
      const result = await transcoder.transcode({
        message: { id: ws.id, headers: ws.message.headers, size: ws.size, expiresAt: ws.expiresAt },
        parts: ws.message.parts,
        recipient,
        capabilities,
        signal,
      });
      if (!result) continue;
      ws.variants.set(capabilities.class, result.parts);
    }
    recipient.variant = capabilities.class;
  }
  return CONTINUE;
}

/** Charge stage, after plugins: every charging backend may refuse the message or recipients. */
export async function authorizeCharges(k: KernelContext, ws: WorkingSet, signal: AbortSignal): Promise<StageOutcome> {
  for (const backend of k.services.all('ChargingBackend')) {
    if (!backend.authorize || ws.active.length === 0) continue;
    const request = {
      message: storedMessage(ws, ws.active.length),
      recipients: ws.active.map((r) =>
        r.route ? { address: r.address, index: r.index, kind: r.kind, route: r.route } : { address: r.address, index: r.index, kind: r.kind },
      ),
      signal,
    };
    const decision = await backend.authorize(request);
    if (decision.kind !== 'accept') return decision;
    if (backend.release) ws.authorized.push({ backend, request });
    const now = k.clock.now();
    for (const recipient of [...ws.active]) {
      const d = decision.perRecipient?.get(recipient.index);
      if (!d) continue;
      if (d.kind === 'reject') rejectRecipient(ws, recipient, d.reason, backend.name, now);
      else if (d.charge) recipient.charge = { ...recipient.charge, ...d.charge };
    }
  }
  const now = k.clock.now();
  for (const recipient of ws.active) recipient.history.push({ state: 'charged', at: now, by: 'kernel' });
  return CONTINUE;
}
