/**
 * An operator with console pages open during the run: the traffic charts and the links page
 * re-read every second (the pages' fastest cadence), and a message search every five seconds.
 */
export async function openConsolePage(admin: string): Promise<() => void> {
  const base = `${admin}/console`;
  const res = await fetch(`${base}/api/session`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ user: 'bench', password: 'bench-console-password' }) });
  if (res.status !== 200) throw new Error(`console log-in: ${res.status}`);
  const cookie = (res.headers.get('set-cookie') ?? '').split(';')[0]!;
  const get = (path: string) => fetch(`${base}${path}`, { headers: { cookie } }).then((r) => r.arrayBuffer());
  let tick = 0;
  const timer = setInterval(() => {
    tick++;
    void Promise.all([get('/api/traffic?range=hour'), get('/links/fragment'), tick % 5 === 0 ? get('/api/messages?address=%2B15551000001') : undefined]).catch(() => undefined);
  }, 1000);
  return () => clearInterval(timer);
}
