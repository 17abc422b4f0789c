/**
 * @openmmsc/smtp: the SMTP layer MM3 and MM4 share. Server: `SmtpListener` (smtp-server behind
 * `SmtpGuard`: caps at connect, absolute time-outs, admission at MAIL FROM, STARTTLS, AUTH, size
 * and relaying checks) with `PeerAllowList`; kernel refusals as replies (`rejectedReply`, …).
 * Client: `SmtpClient` (nodemailer pools, MX lookup, replies classified as sent / retry / refused).
 */
export { SmtpReply, smtpReplyFor, rejectedReply, deferredReply, notAdmittedReply, replies } from './reply.js';
export { SmtpGuard, type SmtpGuardOptions, type GuardedPeer } from './guard.js';
export { listenSmtp, closeSmtp } from './listen.js';
export { PeerAllowList, type SmtpPeer } from './peers.js';
export { SmtpListener, type SmtpListenerOptions, type SmtpHandlers, type SmtpSession, type ReceivedMail, type SmtpLog } from './server.js';
export {
  pemSchema,
  smtpServerTlsSchema,
  smtpClientTlsSchema,
  serverTlsOptions,
  clientTlsOptions,
  type SmtpServerTls,
  type SmtpClientTls,
  type ServerTlsOptions,
} from './tls.js';
export { SmtpClient, type SmtpClientOptions, type SmtpRoute, type OutboundMessage } from './client.js';
export { MxResolver, type MailHost, type MxResolverOptions } from './mx.js';
export { sentOutcome, failedOutcome, type SendOutcome, type SentInfo } from './outcome.js';
