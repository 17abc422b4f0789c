/**
 * An operator with console pages open during the run: the traffic charts and the links page
 * re-read at the cadence the pages themselves use (their `data-every`, from `traffic.sampleMs`)
 * or every `pollMs` if given (a stress: faster than any page), and a message search every five
 * polls.
 */
export async function openConsolePage(admin: string, pollMs?: number): Promise<{ stop: () => void; everyMs: number }> {
  const base = `${admin}/console`;
  const res = await fetch(`${base}/api/session`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ user: 'bench', password: 'bench-console-password' }) });
  if (res.status !== 200) throw new Error(`console log-in: ${res.status}`);
  const cookie = (res.headers.get('set-cookie') ?? '').split(';')[0]!;
  const get = (path: string) => fetch(`${base}${path}`, { headers: { cookie } }).then((r) => r.text());
  const page = await get('/traffic?range=hour');
  const pageEvery = Number(/data-every="(\d+)"/.exec(page)?.[1]);
  if (!Number.isFinite(pageEvery) || pageEvery <= 0) throw new Error('the traffic page names no refresh cadence (data-every)');
  const everyMs = pollMs ?? pageEvery;
  let tick = 0;
  const timer = setInterval(() => {
    tick++;
    void Promise.all([get('/api/traffic?range=hour'), get('/links/fragment'), tick % 5 === 0 ? get('/api/messages?address=%2B15551000001') : undefined]).catch(() => undefined);
  }, everyMs);
  return { stop: () => clearInterval(timer), everyMs };
}
