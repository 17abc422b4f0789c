import type { KernelJobKind } from '../services/job-queue.js';

/** Deterministic job ids: enqueueing the same work twice is a no-op while it is pending. */
export const jobIds = {
  notify: (messageId: string, index: number) => `notify:${messageId}:${index}`,
  /** The m-cancel-req (or whatever the handset's interface speaks) for a withdrawn notification. */
  cancelPush: (messageId: string, index: number) => `notify:${messageId}:${index}:cancel`,
  deliver: (messageId: string, index: number) => `deliver:${messageId}:${index}`,
  reroute: (messageId: string, index: number) => `route:${messageId}:${index}`,
  report: (messageId: string, index: number, kind: string, status: string) => `report:${messageId}:${index}:${kind}:${status}`,
  expire: (messageId: string) => `expire:${messageId}`,
  purge: (messageId: string) => `purge:${messageId}`,
};

/**
 * The kind each of those ids is enqueued as (a re-route is a `deliver` job, a purge an `expire`
 * one): what a cancel names, so a queue kept per kind looks in that one only.
 */
export const jobKindOf = {
  notify: 'notify',
  cancelPush: 'notify',
  deliver: 'deliver',
  reroute: 'deliver',
  report: 'report',
  expire: 'expire',
  purge: 'expire',
} as const satisfies Record<keyof typeof jobIds, KernelJobKind>;
