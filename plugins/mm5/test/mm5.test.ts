import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { parseAddress, type Resolution } from '@openmmsc/core';
import { buildMessage, enumDomain, recordingPushBearer, startDnsServer, startTestMmsc, waitFor, type TestDnsServer } from '@openmmsc/testkit';
import mm5, { ResolverChain, applyNaptrRegexp, buildSources, enumName, mm5Options, type Mm5OptionsInput } from '../src/index.js';

const silent = { warn: () => undefined, debug: () => undefined };
const signal = new AbortController().signal;

function chain(input: Mm5OptionsInput, baseDir = '/'): ResolverChain {
  const options = mm5Options.parse(input);
  return new ResolverChain(buildSources(options, { baseDir, now: Date.now }), options, silent);
}
const ask = (c: ResolverChain, raw: string): Promise<Resolution | undefined> => c.resolve(parseAddress(raw), signal);

/** Asks the chain for each number in turn and checks one field of the route it answers with. */
async function assertRoutes(c: ResolverChain, expected: Array<[number: string, field: 'target' | 'destination', value: string]>): Promise<void> {
  for (const [number, field, value] of expected) {
    const r = await ask(c, number);
    assert.equal(r?.kind === 'route' && r.route[field], value, `${number}: ${field}`);
  }
}

const operators = [
  { id: 'us', mcc: '001', mnc: '01', local: true, prefixes: ['+1555'] },
  { id: 'peer', mcc: '001', mnc: '02', prefixes: ['+1666'], aliases: ['+19990002'] },
  { id: 'other', domain: 'mms.other.example', prefixes: ['+1777'] },
];

describe('MM5 tables', () => {
  it('longest prefix wins, e-mail domains and short codes', async () => {
    const c = chain({
      resolvers: [
        {
          type: 'prefix',
          routes: [
            { prefix: '+1', target: 'mm4', destination: 'mms.wide.example' },
            { prefix: '+1555', target: 'local' },
            { prefix: '+15551', target: 'mm4', destination: 'mms.narrow.example' },
            { prefix: '@example.com', target: 'mm3' },
            { prefix: '#4', target: 'mm7', destination: 'vasp' },
          ],
        },
      ],
    });
    assert.deepEqual((await ask(c, '+15559990000')) as unknown, { kind: 'route', route: { target: 'local', attributes: { resolver: 'prefix#0' } } });
    assert.equal(((await ask(c, '+15551000000')) as { route: { destination: string } }).route.destination, 'mms.narrow.example');
    assert.equal(((await ask(c, '+12000000000')) as { route: { destination: string } }).route.destination, 'mms.wide.example');
    assert.equal(((await ask(c, 'a@mail.example.com')) as { route: { target: string } }).route.target, 'mm3');
    assert.equal(((await ask(c, '4355')) as { route: { target: string } }).route.target, 'mm7');
    assert.equal(await ask(c, '+4930123456'), undefined);
  });

  it('number ranges: the narrowest range wins; operators by their blocks', async () => {
    const c = chain({
      operators,
      resolvers: [
        {
          type: 'range',
          ranges: [
            { from: '+16660000000', to: '+16669999999', operator: 'peer' },
            { from: '+16660001000', to: '+16660001999', operator: 'other' },
          ],
        },
        { type: 'operators' },
      ],
    });
    assert.equal(((await ask(c, '+16660001500')) as { route: { destination: string } }).route.destination, 'mms.other.example');
    assert.equal(((await ask(c, '+16660002000')) as { route: { destination: string } }).route.destination, 'mms.mnc002.mcc001.gprs');
    assert.equal(((await ask(c, '+15550000001')) as { route: { target: string } }).route.target, 'local');
    assert.equal(await ask(c, '+4930123456'), undefined);
  });

  it('local subscribers from a list and a file; unmatched may reject', async (t) => {
    const dir = t.name.replace(/\W/g, '');
    const file = join(process.env.TMPDIR ?? '/tmp', `mm5-${dir}-${process.pid}.txt`);
    await writeFile(file, '# subscribers\n+15550000009\n');
    const c = chain({ resolvers: [{ type: 'local', numbers: ['+15550000001'], file }], unmatched: 'reject' });
    for (const s of c.sources) await (s as { refresh?: (f: boolean) => Promise<void> }).refresh?.(true);
    assert.equal(((await ask(c, '+15550000001')) as { route: { target: string } }).route.target, 'local');
    assert.equal(((await ask(c, '+15550000009')) as { route: { target: string } }).route.target, 'local');
    const r = await ask(c, '+15550000002');
    assert.equal(r?.kind, 'reject');
  });

  it('ENUM helpers', () => {
    assert.equal(enumName('+4930123', 'e164.arpa'), '3.2.1.0.3.9.4.e164.arpa');
    assert.equal(enumDomain('+4930123'), '3.2.1.0.3.9.4.e164.arpa');
    assert.equal(applyNaptrRegexp('!^.*$!mailto:x@mms.example!', '+1555'), 'mailto:x@mms.example');
    assert.equal(applyNaptrRegexp('!^\\+(.*)$!tel:+\\1;npdi;rn=peer!', '+1555'), 'tel:+1555;npdi;rn=peer');
    assert.equal(applyNaptrRegexp('/^\\+44(.*)/sip:\\1@x.example/', '+1555'), undefined);
  });
});

describe('MM5 ENUM against a real DNS server on loopback', () => {
  let dns: TestDnsServer;
  before(async () => {
    dns = await startDnsServer({
      records: {
        // Ported away to the peer (mailto answer with an MMS domain).
        [enumDomain('+15550000100')]: [
          { type: 'NAPTR', order: 100, preference: 10, flags: 'u', service: 'E2U+sip', regexp: '!^.*$!sip:x@voice.example!' },
          { type: 'NAPTR', order: 100, preference: 20, flags: 'u', service: 'E2U+mms:mailto', regexp: '!^(.*)$!mailto:\\1/TYPE=PLMN@mms.mnc002.mcc001.gprs!' },
        ],
        // Ported in from the peer (number portability data, rn names us).
        [enumDomain('+16660000200')]: [{ type: 'NAPTR', order: 10, preference: 10, flags: 'u', service: 'E2U+pstn:tel', regexp: '!^(.*)$!tel:\\1;npdi;rn=us!' }],
        // Not ported: npdi without rn.
        [enumDomain('+16660000300')]: [{ type: 'NAPTR', order: 10, preference: 10, flags: 'u', service: 'E2U+pstn:tel', regexp: '!^(.*)$!tel:\\1;npdi!' }],
        // Private tree.
        [enumDomain('+17770000400', 'enum.operator.test')]: [{ type: 'NAPTR', order: 1, preference: 1, flags: 'U', service: 'E2U+mms:mailto', regexp: '!^.*$!mailto:user@mms.other.example!' }],
      },
      behaviour: { [enumDomain('+15550000500')]: 'silent', [enumDomain('+15550000600')]: 'servfail' },
    });
  });
  after(() => dns.stop());

  const enumChain = (extra: Record<string, unknown> = {}, suffix = 'e164.arpa') =>
    chain({
      operators,
      resolvers: [
        { type: 'enum', servers: [dns.address], suffix, timeoutMs: 300, tries: 1, ...extra } as Mm5OptionsInput['resolvers'] extends (infer R)[] | undefined ? R : never,
        { type: 'operators' },
      ],
    });

  it('a ported-out number routes to the domain in its NAPTR; the answer is cached', async () => {
    const c = enumChain();
    const before = dns.count(enumDomain('+15550000100'));
    const r = await ask(c, '+15550000100');
    assert.deepEqual(r && r.kind === 'route' && r.route.destination, 'mms.mnc002.mcc001.gprs');
    assert.equal(r && r.kind === 'route' && r.route.target, 'mm4');
    await ask(c, '+15550000100');
    assert.equal(dns.count(enumDomain('+15550000100')) - before, 1, 'second lookup came from the cache');
  });

  it('rn= names an operator; npdi without rn and NXDOMAIN fall through to the number blocks', async () => {
    await assertRoutes(enumChain(), [
      ['+16660000200', 'target', 'local'], // ported in
      ['+16660000300', 'destination', 'mms.mnc002.mcc001.gprs'], // not ported
      ['+17770000999', 'destination', 'mms.other.example'], // NXDOMAIN
    ]);
    assert.ok(dns.count(enumDomain('+17770000999')) >= 1, 'the DNS server was asked');
  });

  it('an operator-private ENUM tree', async () => {
    const c = enumChain({}, 'enum.operator.test');
    const r = await ask(c, '+17770000400');
    assert.equal(r?.kind === 'route' && r.route.destination, 'mms.other.example');
  });

  it('a timeout defers the recipient; a server failure rejects it when so configured', async () => {
    const started = Date.now();
    const timedOut = await ask(enumChain(), '+15550000500');
    assert.equal(timedOut?.kind, 'defer');
    assert.ok(Date.now() - started < 5000);
    const failed = await ask(enumChain({ onError: 'reject' }), '+15550000600');
    assert.equal(failed?.kind, 'reject');
    const next = await ask(enumChain({ onError: 'next' }), '+15550000600');
    assert.equal(next?.kind === 'route' && next.route.target, 'local');
  });
});

describe('MM5 HTTP HLR gateway', () => {
  let server: Server;
  let base = '';
  const seen: string[] = [];
  before(async () => {
    server = createServer((req, res) => {
      const url = new URL(req.url ?? '/', 'http://x');
      const msisdn = url.searchParams.get('msisdn') ?? '';
      seen.push(`${req.method} ${msisdn} ${req.headers['x-api-key'] ?? ''}`);
      if (msisdn === '15550000700') return void res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ result: { network: { mcc: '001', mnc: '2' } } }));
      if (msisdn === '15550000701') return void res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ result: { network: { mcc: '001', mnc: '1' } } }));
      if (msisdn === '15550000702') return void res.writeHead(503).end('busy');
      if (msisdn === '15550000703') return void setTimeout(() => res.writeHead(200).end('{}'), 2000);
      if (msisdn === '15550000704') return void res.writeHead(400).end('bad');
      if (msisdn === '15550000705' || msisdn === '15550000706') {
        const timer = setTimeout(() => res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ result: { network: { mcc: '001', mnc: '2' } } })), 150);
        req.socket.on('close', () => {
          clearTimeout(timer);
          if (!res.writableEnded) seen.push(`cancelled ${msisdn}`);
        });
        return;
      }
      res.writeHead(404).end();
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  after(() => new Promise<void>((r) => server.close(() => r())));

  const httpChain = () =>
    chain({
      localDomains: ['mms.mnc001.mcc001.gprs'],
      resolvers: [
        {
          type: 'http',
          url: `${base}/hlr?msisdn={digits}`,
          headers: { 'x-api-key': 'k1' },
          timeoutMs: 300,
          response: { fields: { mcc: 'result.network.mcc', mnc: 'result.network.mnc' }, domain: 'mms.mnc{mnc:3}.mcc{mcc}.gprs' },
        },
        { type: 'prefix', routes: [{ prefix: '+1555', target: 'mm4', destination: 'mms.home.example' }] },
      ],
    });

  it('maps the answer to a domain; our own domain is local; 404 asks the next resolver', async () => {
    await assertRoutes(httpChain(), [
      ['+15550000700', 'destination', 'mms.mnc002.mcc001.gprs'], // away
      ['+15550000701', 'target', 'local'], // home
      ['+15550000799', 'destination', 'mms.home.example'], // unknown: the next resolver
    ]);
    assert.ok(seen.includes('GET 15550000700 k1'));
  });

  it('5xx and timeouts defer; a permanent 4xx rejects', async () => {
    const c = httpChain();
    assert.equal((await ask(c, '+15550000702'))?.kind, 'defer');
    assert.equal((await ask(c, '+15550000703'))?.kind, 'defer');
    assert.equal((await ask(c, '+15550000704'))?.kind, 'reject');
  });

  it('a lookup that gives up does not fail the others sharing its question; the question is cancelled when all have', async () => {
    const c = httpChain();
    const count = (line: string) => seen.filter((s) => s === line).length;
    // First asker gives up after 30 ms, the second waits: one request, the second gets its route.
    const quitter = new AbortController();
    const first = c.resolve(parseAddress('+15550000705'), quitter.signal);
    const second = c.resolve(parseAddress('+15550000705'), new AbortController().signal);
    setTimeout(() => quitter.abort(new Error('submission cancelled')), 30);
    const [a, b] = await Promise.all([first, second]);
    assert.equal(a?.kind, 'defer', 'the one that gave up is deferred');
    assert.equal(b?.kind === 'route' && b.route.destination, 'mms.mnc002.mcc001.gprs', 'the other is answered');
    assert.equal(count('GET 15550000705 k1'), 1, 'one question for both');
    assert.equal(count('cancelled 15550000705'), 0, 'the shared question was not cancelled');

    // Both give up: the request to the gateway is cancelled.
    const x = new AbortController();
    const y = new AbortController();
    const both = [c.resolve(parseAddress('+15550000706'), x.signal), c.resolve(parseAddress('+15550000706'), y.signal)];
    setTimeout(() => x.abort(), 20);
    setTimeout(() => y.abort(), 40);
    assert.deepEqual((await Promise.all(both)).map((r) => r?.kind), ['defer', 'defer']);
    await waitFor('the gateway to see its request cancelled', () => count('cancelled 15550000706') === 1, { timeoutMs: 2000 });
    // A later lookup asks again (nothing cancelled was kept) and is answered.
    const later = await ask(c, '+15550000706');
    assert.equal(later?.kind === 'route' && later.route.destination, 'mms.mnc002.mcc001.gprs');
    assert.equal(count('GET 15550000706 k1'), 2);
  });
});

describe('MM5 in a running MMSC', () => {
  it('routes per recipient in the route stage, and a failed lookup defers only that recipient', async () => {
    const dns = await startDnsServer({
      records: { [enumDomain('+16660000001')]: [{ type: 'NAPTR', order: 1, preference: 1, flags: 'u', service: 'E2U+pstn:tel', regexp: '!^(.*)$!tel:\\1;rn=us!' }] },
      behaviour: { [enumDomain('+16660000002')]: 'silent' },
    });
    const push = recordingPushBearer();
    const t = await startTestMmsc({
      plugins: [
        {
          plugin: mm5,
          options: {
            operators,
            resolvers: [{ type: 'local', numbers: ['+15550000002'] }, { type: 'enum', servers: [dns.address], timeoutMs: 200, tries: 1 }, { type: 'operators' }],
            unmatched: 'reject',
            retryAfterMs: 300,
          },
        },
        push.plugin,
      ],
    });
    try {
      const r = await t.mmsc.submit({
        message: buildMessage({ to: ['+15550000002', '+16660000001', '+16660000002', '+17770000003', '+4930000000'] }),
        origin: { interface: 'api' },
      });
      const r0 = r;
      assert.equal(r.status, 'accepted');
      assert.deepEqual(
        r.recipients.map((x) => x.status),
        ['accepted', 'accepted', 'deferred', 'accepted', 'rejected'],
      );
      const recipients = await t.mmsc.getRecipients(r.messageId);
      assert.equal(recipients[0]!.route?.target, 'local');
      assert.equal(recipients[1]!.route?.target, 'local', 'ported in through ENUM');
      assert.equal(recipients[3]!.route?.destination, 'mms.other.example');
      assert.equal(recipients[3]!.route?.by, '@openmmsc/plugin-mm5');
      assert.equal(recipients[2]!.state, 'received');

      // The DNS server recovers: the deferred recipient is routed by the kernel's re-route job.
      dns.set(enumDomain('+16660000002'), [{ type: 'NAPTR', order: 1, preference: 1, flags: 'u', service: 'E2U+mms:mailto', regexp: '!^.*$!mailto:x@mms.other.example!' }]);
      dns.setBehaviour(enumDomain('+16660000002'), 'answer');
      const rerouted = await waitFor('the deferred recipient is routed later', async () => {
        const r = (await t.mmsc.getRecipients(r0.messageId))[2];
        return r?.route && r;
      });
      assert.equal(rerouted.route?.destination, 'mms.other.example');
    } finally {
      await t.stop();
      await dns.stop();
    }
  });
});
