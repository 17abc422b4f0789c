import { reportLink } from '@openmmsc/core';
import type { Registry } from 'prom-client';
import type { ClamdClient } from './clamd.js';

/** A scan or ping younger than this tells the state; an older one is refreshed by a ping on scrape. */
const FRESH_MS = 30_000;

/**
 * clamd as `openmmsc_link_up{kind="clamav",name}` (the operator console shows it among the links):
 * scans report their outcome; a scrape pings only when no scan or ping told the state recently.
 */
export function clamdHealth(registry: Registry, clamd: ClamdClient, name: string, now: () => number): { saw(ok: boolean): void } {
  let last: { at: number; ok: boolean } | undefined;
  const saw = (ok: boolean) => void (last = { at: now(), ok });
  reportLink(registry, 'clamav', name, async () => {
    if (!last || now() - last.at > FRESH_MS) saw(await clamd.ping().catch(() => false));
    return last!.ok ? 1 : 0;
  });
  return { saw };
}
