/**
 * The pipeline, declared once. The kernel runs the stages in this order and the docs' stage
 * table is rendered from it (`formatStageTable`; a test keeps docs/architecture.md and
 * docs/plugins.md equal to it).
 */

/**
 * How a stage calls its plugins' hooks, in Rollup's terms: `sequential` (each in config order,
 * awaited, seeing what earlier ones did; a whole-message reject or defer ends the stage), `first`
 * (until one answers) or `parallel` (all at once). Every stage is `sequential` today: receive
 * hooks edit the message for later ones, a later route hook may re-route, notify hooks build the
 * PDU in turn.
 */
export type HookKind = 'sequential';

export interface StageSpec {
  readonly stage: string;
  /** `submission`: while the sender waits, before anything is acknowledged; `job`: per recipient, in a durable job. */
  readonly phase: 'submission' | 'job';
  /** Where the stage runs. */
  readonly runs: string;
  readonly hooks: HookKind;
  /** What the kernel does before the plugins' hooks, if anything. */
  readonly kernelBefore?: string;
  /** What the kernel does after the plugins' hooks. */
  readonly kernelAfter: string;
  /** What a verdict of a hook means there. */
  readonly verdicts: string;
}

const WHILE_SENDER_WAITS = 'submission, while the sender waits';
const SUBMISSION_VERDICTS =
  'reject / defer: the whole message refused / "try later", nothing stored; per-recipient: that recipient rejected, or deferred (stored, routed again by a job)';
const JOB_VERDICTS = 'reject: the recipient rejected (report sent if asked); defer: the job retried with back-off; per-recipient: the entry for this recipient';

export const PIPELINE = [
  {
    stage: 'receive',
    phase: 'submission',
    runs: WHILE_SENDER_WAITS,
    hooks: 'sequential',
    kernelBefore: 'kernel limits (recipient count, size), per-sender and per-peer limits',
    kernelAfter: 'measures the size again (hooks may have changed parts)',
    verdicts: SUBMISSION_VERDICTS,
  },
  {
    stage: 'route',
    phase: 'submission',
    runs: WHILE_SENDER_WAITS,
    hooks: 'sequential',
    kernelAfter: 'asks the `RoutingResolver`s for unrouted recipients (none answers: rejected); rejects targets the ingress does not accept (`acceptTargets`)',
    verdicts: SUBMISSION_VERDICTS,
  },
  {
    stage: 'transcode',
    phase: 'submission',
    runs: WHILE_SENDER_WAITS,
    hooks: 'sequential',
    kernelAfter: 'names the class of each recipient whose class is known now; a deferred `Transcoder` (`adaptLater`) adapts after `store`, off the sender\'s path, another adapts now, once per class',
    verdicts: SUBMISSION_VERDICTS,
  },
  {
    stage: 'charge',
    phase: 'submission',
    runs: WHILE_SENDER_WAITS,
    hooks: 'sequential',
    kernelAfter: 'every `ChargingBackend` authorizes; a refusal refuses the message or recipients',
    verdicts: SUBMISSION_VERDICTS,
  },
  {
    stage: 'store',
    phase: 'submission',
    runs: WHILE_SENDER_WAITS,
    hooks: 'sequential',
    kernelAfter: 'persists message, parts, recipients and their jobs, then answers the sender',
    verdicts: SUBMISSION_VERDICTS,
  },
  {
    stage: 'notify',
    phase: 'job',
    runs: 'notify job, per local recipient',
    hooks: 'sequential',
    kernelAfter: 'the `PushBearer` carries the notification hooks built',
    verdicts: JOB_VERDICTS,
  },
  {
    stage: 'deliver',
    phase: 'job',
    runs: 'deliver job, per other recipient',
    hooks: 'sequential',
    kernelAfter: "the `Deliverer` of the recipient's route target",
    verdicts: JOB_VERDICTS,
  },
] as const satisfies readonly StageSpec[];

type Spec = (typeof PIPELINE)[number];
export type StageName = Spec['stage'];
/** Stages that run while the sender waits, before anything is acknowledged. */
export type SubmissionStage = Extract<Spec, { phase: 'submission' }>['stage'];
export const STAGES: readonly StageName[] = PIPELINE.map((s) => s.stage);
export const SUBMISSION_STAGES: readonly SubmissionStage[] = PIPELINE.filter((s): s is Extract<Spec, { phase: 'submission' }> => s.phase === 'submission').map((s) => s.stage);

/** The stage table as Markdown, for the docs. */
export function formatStageTable(): string {
  const rows = (PIPELINE as readonly StageSpec[]).map((s) => {
    const kernel = s.kernelBefore ? `before: ${s.kernelBefore}; after: ${s.kernelAfter}` : s.kernelAfter;
    return `| \`${s.stage}\` | ${s.runs} | ${s.hooks} | ${kernel} | ${s.verdicts} |`;
  });
  return ['| stage | runs | hooks | the kernel | a verdict means |', '| --- | --- | --- | --- | --- |', ...rows].join('\n');
}
