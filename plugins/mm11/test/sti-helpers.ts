// Re-exports for the STI tests, the server's job→capabilities mapping without a UAProf resolver, and a test server.
import { capsForStiJob } from '../src/sti/mapping.js';
import { ClassTable, DEFAULT_CLASSES, localBackend, StiServer, type AdaptSettings, type StiJob, type StiRequest, type StiServerOptions, type ToolSupport } from '../src/index.js';
export * from '../src/index.js';
export const capsForStiJobForTest = (req: StiRequest, job: StiJob, table: ClassTable) => capsForStiJob(req, job, table, undefined);

export const stiTestSettings: AdaptSettings = { headerOverhead: 1024, minImageBytes: 3000, jpegQuality: { max: 85, min: 40 }, overlongMedia: 'trim' };

/** An STI server on a free loopback port converting locally with the default classes; started. */
export async function startTestStiServer(tools: ToolSupport, extra: Partial<StiServerOptions> = {}): Promise<{ server: StiServer; url: string }> {
  const table = new ClassTable({ classes: DEFAULT_CLASSES, targets: {}, peers: [] });
  const server = new StiServer({
    host: '127.0.0.1',
    port: 0,
    path: '/sti',
    maxBodyBytes: 50 * 1024 * 1024,
    maxJobs: 10,
    allowRemoteSources: false,
    backend: localBackend({ tools, timeoutMs: 120_000 }, stiTestSettings),
    capsFor: (req, job) => capsForStiJob(req, job, table, undefined),
    ...extra,
  });
  return { server, url: await server.start() };
}
