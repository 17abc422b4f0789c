import { smtpListenerSchema } from '@openmmsc/core';
import { Registry } from 'prom-client';
import { SmtpListener, type SmtpHandlers, type SmtpListenerOptions } from '../src/index.js';

export interface LogLine {
  level: 'info' | 'warn' | 'error';
  obj: object;
  msg: string | undefined;
}

/** A listener on 127.0.0.1, any port, for the domain `ours.test`; everything it logs is kept. */
export async function startListener<S = unknown>(
  options: Omit<Partial<SmtpListenerOptions>, 'limits'> & { limits?: Partial<SmtpListenerOptions['limits']> },
  handlers: Partial<SmtpHandlers<S>> = {},
): Promise<{ listener: SmtpListener<S>; port: number; logs: LogLine[]; metrics: Registry; stop: () => Promise<void> }> {
  const logs: LogLine[] = [];
  const log = {
    info: (obj: object, msg?: string) => logs.push({ level: 'info', obj, msg }),
    warn: (obj: object, msg?: string) => logs.push({ level: 'warn', obj, msg }),
    error: (obj: object, msg?: string) => logs.push({ level: 'error', obj, msg }),
  };
  const metrics = new Registry();
  const { limits, ...rest } = options;
  const listener = new SmtpListener<S>(
    {
      listener: 'test',
      host: '127.0.0.1',
      port: 0,
      name: 'mx.ours.test',
      maxMessageSize: 10_000,
      closeTimeoutMs: 2000,
      domains: ['ours.test'],
      baseDir: process.cwd(),
      limits: { ...smtpListenerSchema.parse({}), ...limits },
      metrics,
      log,
      ...rest,
    },
    { message: async (mail) => `2.0.0 took ${mail.raw.length} bytes`, ...handlers },
  );
  await listener.start();
  return { listener, port: listener.port, logs, metrics, stop: () => listener.stop() };
}

/** The value of `openmmsc_listener_refused_total` for one reason. */
export async function refusedCount(metrics: Registry, reason: string): Promise<number> {
  const m = await metrics.getSingleMetric('openmmsc_listener_refused_total')?.get();
  return m?.values.find((v) => v.labels.reason === reason)?.value ?? 0;
}
