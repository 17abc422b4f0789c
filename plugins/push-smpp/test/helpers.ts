/** An SMSC link of the push-smpp options, to the simulated SMSC on `port`, with test-fast timers. */
export function link(port: number, extra: Record<string, unknown> = {}) {
  return {
    host: '127.0.0.1',
    port,
    systemId: 'mmsc',
    password: 'secret',
    systemType: 'WAP',
    sourceAddr: '1234',
    sourceTon: 6,
    sourceNpi: 0,
    enquireLinkMs: 1000,
    responseTimeoutMs: 2000,
    reconnect: { baseMs: 50, maxMs: 400 },
    ...extra,
  };
}
