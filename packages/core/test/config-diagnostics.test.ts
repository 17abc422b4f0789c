import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { z } from 'zod';
import { byteSize, createMmsc, type AddressType, definePlugin, diagnoseConfig, resolveConfig, type KernelConfigInput, type PluginFacts, type PluginInput } from '@openmmsc/core';
import { recordingPushBearer } from '@openmmsc/testkit';
import { readableLogger } from './helpers/log-lines.js';

/** A plugin that only declares facts; `facts` gets its validated options. */
function declaring(name: string, facts: (options: { limit: number }) => PluginFacts) {
  return definePlugin({
    name,
    version: '1.0.0',
    apiVersion: '^1.0.0',
    configSchema: z.object({ limit: byteSize.prefault('300KB') }),
    facts,
    setup: () => undefined,
  });
}

const router = (targets: string[], answers: AddressType[], catchAll = false) =>
  declaring('router', () => ({
    resolver: { targets, answers, ...(catchAll ? { catchAll: [{ types: ['plmn', 'email', 'shortcode', 'ipv4', 'ipv6'], option: ['unmatched'] }] } : {}) },
  }));
const vasps = declaring('vasps', () => ({ delivers: ['vasp'], resolver: { targets: ['vasp'], answers: ['shortcode'] } }));
const bearer = declaring('bearer', () => ({ provides: ['PushBearer'] }));
const limited = declaring('limited', (o) => ({ sizeLimits: [{ option: ['limit'], bytes: o.limit, applies: 'its submissions' }] }));

async function warnings(plugins: PluginInput[], config: KernelConfigInput = {}): Promise<string[]> {
  const resolved = await resolveConfig(config, { plugins });
  return diagnoseConfig(resolved).map((w) => `${w.path}: ${w.message}`);
}

describe('config diagnostics: what cannot work, from the facts plugins declare', () => {
  it('local routes with no push bearer', async () => {
    const [w, ...rest] = await warnings([router(['local'], ['plmn'])]);
    assert.equal(rest.length, 0);
    assert.match(w!, /^plugins\[0\] \(router\): routes recipients to local subscribers, but no plugin provides a push bearer/);
    assert.deepEqual(await warnings([router(['local'], ['plmn']), bearer]), []);
  });

  it('routes to a target no plugin delivers', async () => {
    assert.deepEqual(await warnings([router(['vasp'], ['shortcode'])]), [
      'plugins[0] (router): routes recipients to "vasp", but no plugin delivers to "vasp": their messages are accepted, then rejected when delivery is tried',
    ]);
    assert.deepEqual(await warnings([router(['vasp'], ['shortcode']), vasps]), []);
  });

  it('a catch-all resolver in front of one that would have answered', async () => {
    const shadowed = await warnings([router(['vasp'], ['plmn'], true), vasps]);
    assert.equal(shadowed.length, 1);
    assert.match(shadowed[0]!, /^plugins\[0\] \(router\)\.unmatched: answers every address itself, so plugins\[1\] \(vasps\), listed after it, is never asked for short codes it would route; list vasps first/);
    // The other way round, or a catch-all for other kinds of address only, is fine.
    assert.deepEqual(await warnings([vasps, router(['vasp'], ['plmn'], true)]), []);
    const emailOnly = declaring('email-router', () => ({ delivers: ['mail'], resolver: { targets: ['mail'], answers: ['email'], catchAll: [{ types: ['email'], option: ['routes', 0] }] } }));
    assert.deepEqual(await warnings([emailOnly, vasps]), []);
  });

  it('size limits: a default that silently undercuts a kernel limit set in the file, a set limit the kernel undercuts', async () => {
    assert.deepEqual(await warnings([limited], { limits: { maxMessageSize: '1MB' } }), [
      'plugins[0] (limited).limit: its submissions are limited to 300KB by this option\'s default, below the limits.maxMessageSize (1MB) set in this file; set this option to say which is meant',
    ]);
    assert.deepEqual(await warnings([{ plugin: limited, options: { limit: '3MB' } }]), [
      'plugins[0] (limited).limit: 3MB never applies to its submissions: the kernel\'s limits.maxMessageSize (1MB) refuses larger messages first',
    ]);
    // Both set on purpose, or nothing set at all: no warning.
    assert.deepEqual(await warnings([{ plugin: limited, options: { limit: '300KB' } }], { limits: { maxMessageSize: '1MB' } }), []);
    assert.deepEqual(await warnings([limited]), []);
  });

  it('a plugin whose facts throw is named, not a crash', async () => {
    const broken = declaring('broken', () => {
      throw new Error('no idea');
    });
    assert.deepEqual(await warnings([broken]), ['plugins[0] (broken): could not describe its configuration for checks: no idea']);
  });

  it('start logs the same warnings, and knows the services setup really provided', async () => {
    const { logger, lines, warnings: warned } = readableLogger('warn');
    const dir = await mkdtemp(join(tmpdir(), 'openmmsc-diag-'));
    const start = async (plugins: PluginInput[]) => {
      lines.length = 0;
      const config = { store: { type: 'sqlite' as const, path: join(dir, `${plugins.length}.sqlite`) }, admin: { enabled: false } };
      const mmsc = await createMmsc({ config, plugins, logger });
      await mmsc.stop();
      return warned();
    };
    assert.deepEqual(await start([router(['local'], ['plmn'])]), [
      'configuration: plugins[0] (router): routes recipients to local subscribers, but no plugin provides a push bearer: their messages are accepted and stored, and no handset is ever notified; add one (@openmmsc/plugin-push-smpp, @openmmsc/plugin-push-pap, or @openmmsc/plugin-push-log for a lab)',
    ]);
    // A bearer that declares nothing but provides one in setup: start knows better than check.
    assert.deepEqual(await start([router(['local'], ['plmn']), recordingPushBearer().plugin]), []);
    await rm(dir, { recursive: true, force: true });
  });
});
