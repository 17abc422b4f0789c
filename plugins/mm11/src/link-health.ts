import { reportLink } from '@openmmsc/core';
import type { Registry } from 'prom-client';

/**
 * The external STI transcoder as `openmmsc_link_up{kind="sti",name}` (the operator console lists
 * it among the links, with an alarm when it goes down): each request tells whether the
 * transcoder answered; a refused job is an answer. STI has no ping, so between requests the
 * last word stands (up until a request fails).
 */
export function stiLinkState(registry: Registry, url: string): { answered(ok: boolean): void } {
  let up = true;
  // Named by its URL, without any credentials in it: metrics are read by more people than config.
  const name = new URL(url);
  name.username = '';
  name.password = '';
  reportLink(registry, 'sti', name.toString(), () => (up ? 1 : 0));
  return { answered: (ok) => void (up = ok) };
}
