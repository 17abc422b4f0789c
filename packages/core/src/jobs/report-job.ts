import type { RunningJob } from '../services/job-queue.js';
import type { Report } from '../services/report-sender.js';
import type { KernelContext } from '../kernel/kernel-context.js';
import type { RecipientLifecycle } from '../kernel/recipient-lifecycle.js';

/** Sends a delivery or read report over the interface the original message came in on. */
export async function runReportJob(k: KernelContext, lifecycle: RecipientLifecycle, job: RunningJob, signal: AbortSignal): Promise<void> {
  const messageId = job.data.messageId;
  if (typeof messageId !== 'string') throw new Error('report job lacks messageId');
  const report = job.data.report as unknown as Report;
  const message = await k.store.get(messageId);
  if (!message) return;
  const sender = k.services.named('ReportSender', message.origin.interface);
  if (!sender) {
    k.log.debug({ messageId, interface: message.origin.interface }, 'no report sender for this interface; report dropped');
    return;
  }
  await sender.send(report, message, signal);
  const recipients = await k.store.getRecipients(messageId);
  const recipient = recipients.find((r) => r.index === job.data.index);
  await lifecycle.recordCharging(report.kind === 'read' ? 'read-report' : 'delivery-report', message, recipient, report.status);
  // The recipient's history shows the originator was told (operators trace "I never got a report").
  if (recipient) await lifecycle.recordEvent(messageId, recipient.index, { by: sender.interface, event: `${report.kind}-report-sent`, reason: report.status });
}
