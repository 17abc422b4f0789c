// A node:test reporter that writes one JSON line per test or suite skipped with a reason, for
// the summary of scripts/run-tests.mjs (see system-skips.mjs).
export default async function* skipReporter(source) {
  for await (const event of source) {
    if (event.type !== 'test:pass' || typeof event.data.skip !== 'string') continue;
    const { skip, name, file, details } = event.data;
    yield JSON.stringify({ reason: skip, name, file, suite: details?.type === 'suite' }) + '\n';
  }
}
