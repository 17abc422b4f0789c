import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { z } from 'zod';
import {
  ClientAccount,
  ClientAccounts,
  SourceAddresses,
  clientAccountFields,
  configuredAddress,
  definePackagedPlugin,
  listenFields,
  optionGroup,
  type ClientAccountOptions,
  type StoredMessage,
} from '../src/index.js';
import { parseAddress } from '../src/model/address.js';

const parse = (raw: string) => parseAddress(raw, { shortCodeMaxDigits: 6 });
const options = (extra: Partial<ClientAccountOptions> & { id: string }): ClientAccountOptions =>
  z.strictObject({ id: z.string(), ...clientAccountFields }).parse({ password: 'secret', ...extra }) as ClientAccountOptions;
const labels = { list: 'vasps', id: 'VASPID', one: 'a VASP' };

describe('client accounts shared by MM7 and EAIF', () => {
  it('allowedIps: addresses and CIDR blocks of both families, IPv4-mapped IPv6 read as IPv4; empty allows any', () => {
    const s = new SourceAddresses(['10.1.0.0/16', '192.0.2.7', '2001:db8::/32']);
    assert.equal(s.allows('10.1.200.3'), true);
    assert.equal(s.allows('::ffff:10.1.2.3'), true);
    assert.equal(s.allows('10.2.0.1'), false);
    assert.equal(s.allows('192.0.2.7'), true);
    assert.equal(s.allows('192.0.2.8'), false);
    assert.equal(s.allows('2001:db8:1::5'), true);
    assert.equal(s.allows('2001:db9::5'), false);
    assert.equal(s.allows('not an ip'), false);
    assert.equal(new SourceAddresses([]).allows('203.0.113.9'), true);
  });

  it('a malformed allowedIps entry is a config error naming it', () => {
    for (const bad of ['10.0.0.0/33', '2001:db8::/129', '10.0.0', 'example.org', '10.0.0.0/x', '10.0.0.0/', '10.0.0.0/8/8']) {
      assert.throws(() => new SourceAddresses([bad]), new RegExp(`allowedIps: "${bad.replace(/[./]/g, '\\$&')}" is not an IP address or CIDR block`));
    }
  });

  it('an account: password compared by hash, senders and claimed addresses parsed once, rate from throughput', () => {
    let now = 0;
    const a = new ClientAccount(options({ id: 'acme', shortCodes: ['4444', '12345678'], senderAddresses: ['+15550001111'], addresses: ['+15550002222'], throughput: 2 }), parse, () => now);
    assert.equal(a.username, 'acme', 'the id when no user name is given');
    assert.equal(a.passwordMatches('secret'), true);
    assert.equal(a.passwordMatches('Secret'), false);
    assert.equal(a.passwordMatches(''), false);
    // Eight digits exceed the kernel's short-code length, yet a configured short code stays one.
    assert.deepEqual(configuredAddress('12345678', parse), { type: 'shortcode', value: '12345678' });
    assert.deepEqual(a.defaultSender, { type: 'shortcode', value: '4444' });
    assert.deepEqual(a.claims.map((c) => c.value), ['4444', '12345678', '+15550002222']);
    assert.equal(a.senders.size, 3);
    assert.equal(a.rate.take(), 0);
    assert.equal(a.rate.take(), 0);
    assert.equal(a.rate.take(), 500, 'burst defaults to one second of throughput; the next token in 500 ms');
    now += 500;
    assert.equal(a.rate.take(), 0);
  });

  it('a registry refuses an id or user name listed twice and an address two accounts claim', () => {
    const make = (o: Partial<ClientAccountOptions> & { id: string }) => new ClientAccount(options(o), parse, () => 0);
    assert.throws(() => new ClientAccounts([make({ id: 'a' }), make({ id: 'a', username: 'other' })], labels), /vasps: VASPID a is listed twice/);
    assert.throws(() => new ClientAccounts([make({ id: 'a', username: 'u' }), make({ id: 'b', username: 'u' })], labels), /vasps: user name u is used twice/);
    assert.throws(() => new ClientAccounts([make({ id: 'a', shortCodes: ['123'] }), make({ id: 'b', addresses: ['123'] })], labels), /vasps: 123 is claimed by both a and b/);
    const reg = new ClientAccounts([make({ id: 'a', shortCodes: ['123'] }), make({ id: 'b', username: 'bee' })], labels);
    assert.equal(reg.get('b')?.id, 'b');
    assert.equal(reg.withUsername('bee')?.id, 'b');
    assert.equal(reg.withUsername('b'), undefined);
    assert.equal(reg.owner({ type: 'shortcode', value: '123' })?.id, 'a');
    assert.equal(reg.owner({ type: 'shortcode', value: '124' }), undefined);
  });

  it('a report goes back to the account that submitted, only when asked, and a vanished account is logged', () => {
    const reg = new ClientAccounts([new ClientAccount(options({ id: 'acme' }), parse, () => 0)], labels);
    const warnings: string[] = [];
    const log = { warn: (m: string) => void warnings.push(m) };
    const message = (vaspId: string, deliveryReport: boolean) =>
      ({ origin: { interface: 'mm7', attributes: { vaspId } }, headers: { deliveryReport, readReport: false } }) as unknown as StoredMessage;
    const delivery = { kind: 'delivery' } as never;
    assert.equal(reg.reportee(delivery, message('acme', true), log)?.id, 'acme');
    assert.equal(reg.reportee(delivery, message('acme', false), log), undefined);
    assert.equal(reg.reportee({ kind: 'read' } as never, message('acme', true), log), undefined, 'a read report was not asked for');
    assert.deepEqual(warnings, []);
    assert.equal(reg.reportee(delivery, message('gone', true), log), undefined);
    assert.deepEqual(warnings, ['report for a VASP that is no longer configured; not sent']);
  });
});

describe('option helpers and packaged definitions', () => {
  it('optionGroup: left out, the group is its defaults; given, each field is checked', () => {
    const schema = z.strictObject({ limits: optionGroup('Parser limits.', { maxParts: z.number().int().default(20), depth: z.number().default(3) }), ...listenFields('127.0.0.1', 2525) });
    assert.deepEqual(schema.parse({}), { limits: { maxParts: 20, depth: 3 }, host: '127.0.0.1', port: 2525 });
    assert.deepEqual(schema.parse({ limits: { depth: 5 }, port: 0 }).limits, { maxParts: 20, depth: 5 });
    assert.equal(schema.shape.limits.description, 'Parser limits.');
    assert.throws(() => schema.parse({ port: 70000 }), /port/);
    assert.throws(() => schema.parse({ limits: { maxParts: 'many' } }), /maxParts/);
  });

  it('definePackagedPlugin: name, version and API range come from the manifest only', () => {
    const manifest = { name: '@openmmsc/plugin-x', version: '1.2.3', apiVersion: '^1.0.0' };
    const definition = definePackagedPlugin(manifest, { description: 'x', setup: () => undefined });
    assert.equal(definition.name, '@openmmsc/plugin-x');
    assert.equal(definition.version, '1.2.3');
    assert.equal(definition.apiVersion, '^1.0.0');
    assert.equal(definition.description, 'x');
  });
});
