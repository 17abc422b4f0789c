import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { it } from 'node:test';

const start = fileURLToPath(new URL('../start.mjs', import.meta.url));

it('the example starts, prints where it listens, carries the demo MMS from phone to phone with a delivery report, and drains on SIGTERM', async () => {
  const data = await mkdtemp(join(tmpdir(), 'openmmsc-basic-'));
  let proc: ReturnType<typeof spawn> | undefined;
  try {
    proc = spawn(process.execPath, [...process.execArgv, start], {
      env: { ...process.env, OPENMMSC_ADMIN_PORT: '0', OPENMMSC_MM1_PORT: '0', OPENMMSC_SMSC_PORT: '0', OPENMMSC_DATA_DIR: data },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stderr = '';
    let stdout = '';
    const child = proc;
    child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
    child.stdout!.on('data', (d: Buffer) => (stdout += d.toString()));
    const exit = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    const deadline = Date.now() + 60_000;
    while (!stderr.includes('running; press Ctrl-C') && Date.now() < deadline && child.exitCode === null) {
      await new Promise((r) => setTimeout(r, 50));
    }
    assert.match(stderr, /admin: http:\/\/127\.0\.0\.1:\d+\/health/);
    assert.match(stderr, /MM1 \(handsets\): http:\/\/127\.0\.0\.1:\d+\/mms +simulated SMSC: smpp:\/\/127\.0\.0\.1:\d+/);
    assert.match(stderr, /\+15550000001 +→ m-send-req to \+15550000002: "Hello from OpenMMSC" \+ picture\.png/);
    assert.match(stderr, /\+15550000001 +← m-send-conf ok, message id \w+/);
    assert.match(stderr, /SMSC +submit_sm to \+?15550000002: binary \(WAP Push segment\)/);
    assert.match(stderr, /\+15550000002 +← WAP Push m-notification-ind: from \+15550000001, "Hello"/);
    assert.match(stderr, /\+15550000002 +GET → m-retrieve-conf \w+: text\/plain [^;]*, image\/png [\d.]+ KB; text "Hello from OpenMMSC"/);
    assert.match(stderr, /\+15550000001 +← WAP Push m-delivery-ind: \w+ to \+15550000002: retrieved/);
    assert.match(
      stderr,
      /recipient \+15550000002: received \(mm1\) → routed \(@openmmsc\/plugin-router-prefix\) → charged \(kernel\) → notified \((?:@openmmsc\/plugin-push-smpp|@openmmsc\/plugin-mm1)\) → retrieved \(@openmmsc\/plugin-mm1\) → delivered \(@openmmsc\/plugin-mm1\)/,
    );
    // The CDRs written for the recipient are noted in its history (the report's may come later).
    const noted = /CDRs written for it: ([A-Za-z0-9, ]+) \(in /.exec(stderr)?.[1]?.split(', ') ?? [];
    for (const type of ['MMO1S', 'MMR1NRq', 'MMR1Rt', 'MMR1A']) assert.ok(noted.includes(type), `${type} in ${noted.join(', ')}`);
    assert.doesNotMatch(stderr, /error/);
    // JSON logs stay at warn: a quiet run prints none.
    assert.equal(stdout.trim(), '');
    const png = readFileSync(join(data, 'received-picture.png'));
    assert.deepEqual([...png.subarray(1, 4)], [0x50, 0x4e, 0x47]);
    const url = /admin: (http:\/\/127\.0\.0\.1:\d+)/.exec(stderr)![1];
    assert.equal((await fetch(`${url}/ready`)).status, 200);
    child.kill('SIGTERM');
    assert.equal(await exit, 0);
    assert.ok(existsSync(join(data, 'openmmsc.sqlite')));
    const cdrs = readFileSync(join(data, 'cdr.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { event: string });
    const events = new Set(cdrs.map((c) => c.event));
    for (const e of ['submission', 'notified', 'retrieved', 'delivered', 'delivery-report']) assert.ok(events.has(e), `CDR event ${e} in ${[...events].join(', ')}`);
  } finally {
    if (proc && proc.exitCode === null && proc.signalCode === null) proc.kill('SIGKILL');
    await rm(data, { recursive: true, force: true });
  }
});
