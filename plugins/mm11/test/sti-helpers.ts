// Re-exports for the STI tests, plus the server's job→capabilities mapping without a UAProf resolver.
import { capsForStiJob } from '../src/sti/mapping.js';
import type { ClassTable, StiJob, StiRequest } from '../src/index.js';
export * from '../src/index.js';
export const capsForStiJobForTest = (req: StiRequest, job: StiJob, table: ClassTable) => capsForStiJob(req, job, table, undefined);
