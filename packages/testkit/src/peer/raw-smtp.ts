/**
 * An SMTP client written from RFC 5321 rather than with the SMTP libraries the MMSC uses: it speaks
 * SMTP over a raw socket (an MM4 peer, a mail relay). The receiving side is `raw-smtp-sink.ts`.
 */
import { connect, type Socket } from 'node:net';

export interface SmtpExchange {
  /** Every reply line, in order. */
  lines: string[];
  mailFrom: string;
  rcpt: string[];
  /** The final reply to the message (after DATA), or to the command that ended the dialogue. */
  data: string;
  /** Milliseconds from the end of the content to that reply (when the content was sent). */
  answeredInMs?: number;
}

/** Reads SMTP replies (multi-line `250-…` ones joined) from a socket. */
function replyReader(socket: Socket, lines: string[]): () => Promise<string> {
  let buffer = '';
  const replies: string[] = [];
  let waiting: ((reply: string) => void) | undefined;
  let current: string[] = [];
  socket.on('data', (chunk: Buffer) => {
    buffer += chunk.toString('latin1');
    let nl: number;
    while ((nl = buffer.indexOf('\r\n')) >= 0) {
      const line = buffer.slice(0, nl);
      buffer = buffer.slice(nl + 2);
      lines.push(line);
      current.push(line);
      if (/^\d{3} /.test(line) || /^\d{3}$/.test(line)) {
        const reply = current.join('\n');
        current = [];
        if (waiting) {
          const w = waiting;
          waiting = undefined;
          w(reply);
        } else replies.push(reply);
      }
    }
  });
  return () =>
    new Promise((resolve, reject) => {
      const next = replies.shift();
      if (next !== undefined) return resolve(next);
      const timer = setTimeout(() => reject(new Error(`no SMTP reply; so far: ${lines.join(' | ')}`)), 10_000);
      waiting = (reply) => {
        clearTimeout(timer);
        resolve(reply);
      };
    });
}

/** One SMTP transaction over a raw socket: EHLO, MAIL, RCPT…, DATA (dot-stuffed), QUIT. */
export async function sendSmtp(o: {
  port: number;
  localAddress?: string;
  mailFrom: string;
  rcptTo: string[];
  data: string | Buffer;
  /** Declare the content's size at MAIL FROM (`SIZE=`, RFC 1870), as MTAs do when the server announces SIZE. */
  declareSize?: boolean;
}): Promise<SmtpExchange> {
  const socket = connect({ host: '127.0.0.1', port: o.port, ...(o.localAddress ? { localAddress: o.localAddress } : {}) });
  const lines: string[] = [];
  const next = replyReader(socket, lines);
  const command = async (line: string) => {
    socket.write(`${line}\r\n`);
    return next();
  };
  const result: SmtpExchange = { lines, mailFrom: '', rcpt: [], data: '' };
  try {
    const greeting = await next();
    if (!greeting.startsWith('220')) return { ...result, data: greeting };
    await command('EHLO peer.test');
    let body = Buffer.isBuffer(o.data) ? o.data.toString('latin1') : o.data;
    if (!body.endsWith('\r\n')) body += '\r\n';
    result.mailFrom = await command(`MAIL FROM:<${o.mailFrom}>${o.declareSize ? ` SIZE=${Buffer.byteLength(body, 'latin1')}` : ''}`);
    if (!result.mailFrom.startsWith('250')) return { ...result, data: result.mailFrom };
    for (const r of o.rcptTo) result.rcpt.push(await command(`RCPT TO:<${r}>`));
    if (!result.rcpt.some((r) => r.startsWith('250'))) return { ...result, data: result.rcpt.at(-1) ?? '' };
    const go = await command('DATA');
    if (!go.startsWith('354')) return { ...result, data: go };
    const sent = new Promise<number>((resolve) => socket.write(Buffer.from(`${body.replace(/(^|\r\n)\./g, '$1..')}.\r\n`, 'latin1'), () => resolve(performance.now())));
    result.data = await next();
    result.answeredInMs = performance.now() - (await sent);
    await command('QUIT').catch(() => '');
    return result;
  } finally {
    socket.destroy();
  }
}

/** Header value of a raw mail we received (first occurrence, unfolded), for quick checks. */
export function rawHeader(raw: Buffer, name: string): string | undefined {
  const head = raw.toString('latin1').split(/\r\n\r\n/)[0] ?? '';
  const m = new RegExp(`^${name}:[ \\t]*(.*(?:\\r\\n[ \\t].*)*)`, 'im').exec(head);
  return m?.[1]?.replace(/\r\n[ \t]+/g, ' ').trim();
}
