import type { PluginInput } from '@openmmsc/core';
import { localSubscribers, recordingPushBearer, startTestMmsc, type TestMmsc } from '@openmmsc/testkit';
import { readFields } from '@openmmsc/testkit/tshark';
import mm9 from '../src/index.js';

/** The subscriber the tests charge, as the OCS knows it (no `+`). */
export const SENDER = '15550000001';

/** Handsets `+1555…` are this MMSC's own subscribers. */
export const localPhones = localSubscribers();

export async function startWithMm9(options: Record<string, unknown>, extra: PluginInput[] = []): Promise<TestMmsc> {
  const push = recordingPushBearer();
  return startTestMmsc({
    plugins: [localPhones, push.plugin, ...extra, { plugin: mm9, options: { originHost: 'mmsc.test', originRealm: 'test', destinationRealm: 'test.openmmsc.org', ...options } }],
  });
}

/** Dissects a capture as Diameter on `port` and returns one object per Diameter frame (first value of each field). */
export function dissect(file: string, port: number): Array<Record<string, string>> {
  const fields = ['diameter.cmd.code', 'diameter.flags.request', 'diameter.Service-Context-Id', 'diameter.Result-Code', 'diameter.CC-Request-Type', 'diameter.Requested-Action', 'diameter.Subscription-Id-Data', 'diameter.Message-ID', 'diameter.applicationId'];
  return readFields(file, fields, { decodeAs: { diameter: port }, filter: 'diameter' }).map((row) => Object.fromEntries(fields.map((f) => [f.replace(/^diameter\./, ''), row[f]![0] ?? ''])));
}
