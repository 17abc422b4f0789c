export { parseRecipientList, batchesOf, type RecipientList } from './recipient-list.js';
export { batchOutcomes, type BatchAnswer, type RecipientOutcome } from './outcome.js';
export { summarize, reportCsv, type CampaignSummary } from './summary.js';
export { runCampaign, type SubmitBatch, type RunOptions } from './run.js';
