import type { Clock, KeyValueStore, MmscRuntime } from '@openmmsc/core';
import type { LoginThrottle } from './auth/throttle.js';
import type { Sessions } from './auth/sessions.js';
import type { Log } from './log.js';
import type { ConsoleOptions } from './options.js';
import type { Alarms } from './links/alarms.js';
import type { LinkMonitor } from './links/link-monitor.js';
import type { TrafficSampler } from './traffic/sampler.js';

/** What every route of the console works with. */
export interface ConsoleApp {
  readonly options: ConsoleOptions;
  readonly prefix: string;
  readonly secureCookie: boolean;
  readonly sessions: Sessions;
  readonly throttle: LoginThrottle;
  readonly kv: KeyValueStore;
  readonly mmsc: MmscRuntime;
  readonly clock: Clock;
  readonly log: Log;
  readonly traffic: TrafficSampler;
  readonly links: LinkMonitor;
  readonly alarms: Alarms;
}
