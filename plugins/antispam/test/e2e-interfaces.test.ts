import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import mm1, { mm1Url } from '@openmmsc/plugin-mm1';
import { Mm7Client } from '@openmmsc/mm7';
import mm7, { mm7BaseUrl } from '@openmmsc/plugin-mm7';
import routerPrefix from '@openmmsc/plugin-router-prefix';
import { SimulatedHandset, handsetPushBearer, requireSystem, startTestMmsc, type TestMmsc } from '@openmmsc/testkit';
import antispam from '../src/index.js';
import { EICAR, startClamd, type Clamd } from './clamd-helper.js';

/** EICAR rejected end to end: a handset's m-send-req over MM1 HTTP and a VASP's SubmitReq over MM7 SOAP. */
describe('EICAR through the MM1 and MM7 interfaces', { skip: requireSystem('clamd') }, () => {
  let clamd: Clamd;
  let t: TestMmsc;
  before(async () => {
    clamd = await startClamd();
    t = await startTestMmsc({
      plugins: [
        { plugin: antispam, options: { antivirus: { enabled: true, port: clamd.port } } },
        { plugin: routerPrefix, options: { routes: [{ prefix: '+1555', target: 'local' }], unmatched: 'reject' } },
        { plugin: mm1, options: { port: 0 } },
        { plugin: mm7, options: { port: 0, vasps: [{ id: 'acme', password: 'secret', shortCodes: ['12345'] }] } },
        handsetPushBearer().plugin,
      ],
    });
  });
  after(async () => {
    await t?.stop();
    await clamd?.stop();
  });

  it('MM1: m-send-conf says content not accepted, nothing stored; a clean message is accepted', async () => {
    const phone = new SimulatedHandset({ msisdn: '+15550000001', mmscUrl: `${mm1Url(t.mmsc)}/mms` });
    const bad = await phone.send({ to: '+15550000002', subject: 'invoice', text: 'see attachment', attachments: [{ contentType: 'application/octet-stream', data: EICAR, name: 'eicar.com' }] });
    assert.equal(bad.httpStatus, 200);
    assert.match(bad.status ?? '', /content-not-accepted/);
    const good = await phone.send({ to: '+15550000002', text: 'hello' });
    assert.equal(good.status, 'ok');
    assert.ok(await t.mmsc.getMessage(good.messageId!));
  });

  it('MM7: SubmitReq answered 2004 (content refused); a clean one 1000', async () => {
    const vasp = new Mm7Client({ url: `${mm7BaseUrl(t.mmsc)}/mm7`, vaspId: 'acme', password: 'secret' });
    const bad = await vasp.submit({ from: '12345', to: ['+15550000002'], subject: 'promo', parts: [{ contentType: { type: 'application/octet-stream', params: {} }, contentLocation: 'eicar.com', data: EICAR }] });
    assert.equal(bad.status?.code, 2004, JSON.stringify(bad.status ?? bad.error));
    const good = await vasp.submit({ from: '12345', to: ['+15550000002'], subject: 'hello', parts: [{ contentType: { type: 'text/plain', params: { charset: 'utf-8' } }, data: Buffer.from('hi') }] });
    assert.equal(good.status?.code, 1000, JSON.stringify(good.status ?? good.error));
  });
});
