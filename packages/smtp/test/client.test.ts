/** SmtpClient against hand-written SMTP servers: what each reply comes to, MX order, TLS. */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { RawSmtpSink, makeTestPki, requireSystem, startDnsServer, type RawSmtpScript, type TestPki } from '@openmmsc/testkit';
import { readFileSync } from 'node:fs';
import { SmtpClient, type SmtpRoute } from '../src/index.js';

const timeouts = { connectMs: 3000, greetingMs: 3000, socketMs: 5000 };
const RAW = Buffer.from('From: a@ours.test\r\nTo: b@peer.test\r\nSubject: hi\r\n\r\nhello\r\n');
const message = (to: string[] = ['b@peer.test']) => ({ envelope: { from: 'a@ours.test', to }, raw: RAW });
const route = (port: number, more: Partial<SmtpRoute> = {}): SmtpRoute => ({ domain: 'peer.test', host: '127.0.0.1', port, secure: false, requireTls: false, maxConnections: 1, ...more });

async function withServer(script: RawSmtpScript, run: (server: RawSmtpSink, client: SmtpClient) => Promise<void>): Promise<void> {
  const server = await new RawSmtpSink(script).start();
  const client = new SmtpClient({ name: 'mmsc.ours.test', baseDir: process.cwd(), timeouts });
  try {
    await run(server, client);
  } finally {
    await client.close();
    await server.stop();
  }
}

describe('SmtpClient: replies classified', () => {
  it('sent: the host took it; the envelope, our EHLO name and the content arrive as given', async () => {
    await withServer({ afterData: '250 2.0.0 queued as 42' }, async (server, client) => {
      const outcome = await client.send(route(server.port), message());
      assert.equal(outcome.status, 'sent');
      assert.deepEqual(outcome.status === 'sent' && [outcome.response, outcome.host], ['250 2.0.0 queued as 42', '127.0.0.1']);
      assert.equal(server.mails.length, 1);
      assert.equal(server.mails[0]!.helo, 'mmsc.ours.test');
      assert.equal(server.mails[0]!.mailFrom, 'a@ours.test');
      assert.deepEqual(server.mails[0]!.rcptTo, ['b@peer.test']);
      assert.equal(server.mails[0]!.raw.toString(), RAW.toString());
    });
  });

  it('retry: a 4xx to the recipient', async () => {
    await withServer({ rcpt: () => '450 4.2.1 mailbox busy' }, async (server, client) => {
      const outcome = await client.send(route(server.port), message());
      assert.equal(outcome.status, 'retry');
      assert.match(outcome.status === 'retry' ? outcome.reason : '', /^127\.0\.0\.1: .*450 4\.2\.1 mailbox busy/);
    });
  });

  it('refused: a 5xx to the recipient, with its code', async () => {
    await withServer({ rcpt: () => '550 5.1.1 no such user' }, async (server, client) => {
      const outcome = await client.send(route(server.port), message());
      assert.equal(outcome.status, 'refused');
      assert.equal(outcome.status === 'refused' && outcome.code, 550);
      assert.match(outcome.status === 'refused' ? outcome.reason : '', /5\.1\.1 no such user/);
    });
  });

  it('refused: 552 after the content (too large for the host)', async () => {
    await withServer({ afterData: '552 5.3.4 message too big' }, async (server, client) => {
      const outcome = await client.send(route(server.port), message());
      assert.deepEqual(outcome.status === 'refused' && [outcome.code, /5\.3\.4 message too big/.test(outcome.reason)], [552, true]);
    });
  });

  it('retry: a 4xx after the content', async () => {
    await withServer({ afterData: '451 4.3.0 try later' }, async (server, client) => {
      assert.equal((await client.send(route(server.port), message())).status, 'retry');
    });
  });

  it('refused: some recipients refused, the others taken', async () => {
    await withServer({ rcpt: (a) => (a.startsWith('x') ? '550 5.1.1 no such user' : '250 2.1.5 ok') }, async (server, client) => {
      const outcome = await client.send(route(server.port), message(['b@peer.test', 'x@peer.test']));
      assert.equal(outcome.status, 'refused');
      assert.match(outcome.status === 'refused' ? outcome.reason : '', /refused 1 recipient\(s\)/);
      assert.equal(outcome.status === 'refused' && outcome.code, 550);
    });
  });

  it('retry: a greeting that refuses (421), and a host that does not listen', async () => {
    await withServer({ greeting: '421 4.3.2 too busy' }, async (server, client) => {
      const outcome = await client.send(route(server.port), message());
      assert.equal(outcome.status, 'retry');
      assert.match(outcome.status === 'retry' ? outcome.reason : '', /421/);
    });
    const gone = await new RawSmtpSink().start();
    const port = gone.port;
    await gone.stop();
    const client = new SmtpClient({ name: 'mmsc.ours.test', baseDir: process.cwd(), timeouts });
    try {
      const outcome = await client.send(route(port), message());
      assert.equal(outcome.status, 'retry');
      assert.match(outcome.status === 'retry' ? outcome.reason : '', /ECONNREFUSED/);
    } finally {
      await client.close();
    }
  });
});

describe('SmtpClient: MX hosts', () => {
  it('tries the MX hosts by preference: past one that answers 421 to the next', async () => {
    const good = await new RawSmtpSink().start(0, '127.0.0.3');
    const busy = await new RawSmtpSink({ greeting: '421 4.3.2 too busy' }).start(good.port, '127.0.0.2');
    const dns = await startDnsServer({
      records: {
        'peer.test': [
          { type: 'MX', preference: 20, exchange: 'mx2.peer.test' },
          { type: 'MX', preference: 10, exchange: 'mx1.peer.test' },
        ],
        'mx1.peer.test': [{ type: 'A', address: '127.0.0.2' }],
        'mx2.peer.test': [{ type: 'A', address: '127.0.0.3' }],
      },
    });
    const client = new SmtpClient({ name: 'mmsc.ours.test', baseDir: process.cwd(), dnsServers: [dns.address], timeouts });
    try {
      const outcome = await client.send({ domain: 'peer.test', port: good.port, secure: false, requireTls: false, maxConnections: 1 }, message());
      assert.deepEqual(outcome.status === 'sent' && outcome.host, '127.0.0.3');
      assert.equal(busy.connections, 1, 'the preferred host was tried first');
      assert.equal(good.mails.length, 1);
      await client.send({ domain: 'peer.test', port: good.port, secure: false, requireTls: false, maxConnections: 1 }, message());
      assert.equal(dns.count('peer.test'), 1, 'the MX answer is cached');
    } finally {
      await client.close();
      await dns.stop();
      await good.stop();
      await busy.stop();
    }
  });

  it('retry, naming the domain, when it has no mail host at all', async () => {
    const dns = await startDnsServer({ records: {} });
    const client = new SmtpClient({ name: 'mmsc.ours.test', baseDir: process.cwd(), dnsServers: [dns.address], timeouts });
    try {
      const outcome = await client.send({ domain: 'nowhere.test', port: 25, secure: false, requireTls: false, maxConnections: 1 }, message());
      assert.equal(outcome.status, 'retry');
      assert.match(outcome.status === 'retry' ? outcome.reason : '', /^no mail host for nowhere\.test/);
    } finally {
      await client.close();
      await dns.stop();
    }
  });
});

describe('SmtpClient: TLS', { skip: requireSystem('openssl') }, () => {
  let pki: TestPki;
  let tls: { key: string; cert: string };
  before(async () => {
    pki = await makeTestPki();
    tls = { key: readFileSync(pki.server.key, 'utf8'), cert: readFileSync(pki.server.cert, 'utf8') };
  });
  after(async () => {
    await pki?.remove();
  });

  it('upgrades with STARTTLS, verifies the certificate against the CA (a file) and names the MX host in SNI', async () => {
    const server = await new RawSmtpSink({ tls }).start();
    const dns = await startDnsServer({ records: { 'peer.test': [{ type: 'MX', preference: 10, exchange: 'localhost' }], localhost: [{ type: 'A', address: '127.0.0.1' }] } });
    const client = new SmtpClient({ name: 'mmsc.ours.test', baseDir: pki.dir, dnsServers: [dns.address], timeouts });
    try {
      const outcome = await client.send({ domain: 'peer.test', port: server.port, secure: false, requireTls: true, maxConnections: 1, tls: { ca: 'ca.crt' } }, message());
      assert.equal(outcome.status, 'sent', JSON.stringify(outcome));
      assert.equal(server.mails[0]!.secure, true);
      assert.equal(server.mails[0]!.servername, 'localhost');
    } finally {
      await client.close();
      await dns.stop();
      await server.stop();
    }
  });

  it('does not send to a host whose certificate it cannot verify, nor in the clear when TLS is required', async () => {
    const offering = await new RawSmtpSink({ tls }).start();
    const clear = await new RawSmtpSink().start();
    const client = new SmtpClient({ name: 'mmsc.ours.test', baseDir: process.cwd(), timeouts });
    try {
      const untrusted = await client.send(route(offering.port, { requireTls: true, tls: { servername: 'localhost' } }), message());
      assert.equal(untrusted.status, 'retry', `no CA given: the certificate is not trusted; ${JSON.stringify(untrusted)}`);
      assert.equal(offering.mails.length, 0);
      const plain = await client.send(route(clear.port, { requireTls: true }), message());
      assert.equal(plain.status, 'retry', JSON.stringify(plain));
      assert.match(plain.status === 'retry' ? plain.reason : '', /TLS not available: 502/, 'refusing STARTTLS is no verdict on the message: retry');
      assert.equal(clear.mails.length, 0);
      const allowed = await client.send(route(clear.port), message());
      assert.equal(allowed.status, 'sent', 'without requireTls the clear host is fine');
    } finally {
      await client.close();
      await offering.stop();
      await clear.stop();
    }
  });
});
