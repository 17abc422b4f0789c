import type { Clock, KeyValueStore, MmscRuntime } from '@openmmsc/core';
import type { LoginThrottle } from './auth/throttle.js';
import type { Sessions } from './auth/sessions.js';
import type { Log } from './log.js';
import type { ConsoleOptions } from './options.js';
import type { Alarms } from './links/alarms.js';
import type { NodeLinks } from './links/node-links.js';
import type { ClusterTraffic } from './traffic/cluster-traffic.js';
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
  /** This node's samples (alarms read the queue depths from them). */
  readonly traffic: TrafficSampler;
  /** Every node's samples, through the shared store (the charts). */
  readonly cluster: ClusterTraffic;
  readonly links: NodeLinks;
  readonly alarms: Alarms;
}
