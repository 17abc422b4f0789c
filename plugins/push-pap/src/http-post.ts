import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';

/** POSTs `body`; resolves with the status and (at most 64 KB of) the answer. */
export function post(url: URL, headers: Record<string, string>, body: Buffer, signal: AbortSignal, timeoutMs: number): Promise<{ status: number; text: string }> {
  const timeout = AbortSignal.timeout(timeoutMs);
  const both = AbortSignal.any([signal, timeout]);
  return new Promise((resolve, reject) => {
    const fail = (e: Error) => {
      if (timeout.aborted) reject(Object.assign(new Error('timeout'), { name: 'TimeoutError' }));
      else if (signal.aborted) reject(Object.assign(new Error('aborted'), { name: 'AbortError' }));
      else reject(e);
    };
    const req = (url.protocol === 'https:' ? httpsRequest : httpRequest)(
      url,
      { method: 'POST', headers: { ...headers, 'content-length': String(body.length) }, signal: both },
      (res) => {
        const chunks: Buffer[] = [];
        let size = 0;
        res.on('data', (c: Buffer) => {
          size += c.length;
          if (size > 65_536) req.destroy(new Error('PPG answer larger than 64 KB'));
          else chunks.push(c);
        });
        res.on('end', () => resolve({ status: res.statusCode ?? 0, text: Buffer.concat(chunks).toString('utf8') }));
        res.on('error', fail);
      },
    );
    req.on('error', fail);
    req.end(body);
  });
}
