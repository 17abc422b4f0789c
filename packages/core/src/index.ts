// Model
export * from './model/address.js';
export { AddressPrefixTable, prefixAddressTypes } from './model/address-prefix-table.js';
export * from './model/message.js';
export * from './model/recipient-state.js';
// Pipeline
export * from './pipeline/verdict.js';
export * from './pipeline/context.js';
export * from './pipeline/stages.js';
// Plugin API
export * from './plugin/define-plugin.js';
export * from './plugin/plugin-facts.js';
export { pluginIdentity, pluginManifest, type PackageIdentity, type PluginManifest } from './plugin/package-identity.js';
export { ingressDeps, type IngressDeps } from './plugin/ingress-deps.js';
export { TokenBucket } from './util/token-bucket.js';
export { provideClientInterface, type ClientInterface } from './plugin/client-interface.js';
export { CORE_API_VERSION, PluginApiVersionError, assertApiCompatible } from './plugin/api-version.js';
// Services
export * from './services/message-store.js';
export * from './services/job-queue.js';
export * from './services/retry-policy.js';
export type * from './plugin/plugin-jobs.js';
export * from './services/push-bearer.js';
export * from './services/deliverer.js';
export * from './services/report-sender.js';
export * from './services/routing-resolver.js';
export * from './services/charging-backend.js';
export * from './services/transcoder.js';
export * from './services/content-links.js';
export {
  Services,
  SERVICE_CARDINALITY,
  serviceToken,
  type ServiceToken,
  type ServiceResolver,
  type ServiceTypes,
  type KernelServiceTypes,
  type ProvidableService,
  type SingleService,
  type MultiService,
  type NamedService,
} from './services/tokens.js';
// Runtime and config
export * from './runtime.js';
export { Mmsc, type MmscOptions } from './mmsc.js';
export { MessageChangeError } from './kernel/message-changes.js';
export { createMmsc, type CreateMmscOptions } from './create-mmsc.js';
export { runNode, workerCount, type NodeHandle, type PrimaryNode, type RunNodeOptions, type SingleNode, type WorkerNode } from './node/run-node.js';
export type { WorkerStats } from './node/messages.js';
export type { WorkerRole } from './node/worker-role.js';
export { kernelConfigSchema, duration, byteSize, type KernelConfig, type KernelConfigInput, type BackendConfig, type JobPolicyConfig } from './config/kernel-schema.js';
export { loadConfig, resolveConfig, type ResolvedConfig, type ResolvedPlugin, type PluginInput, type ResolveOptions } from './config/resolve-config.js';
export { readConfigFile } from './config/read-config-file.js';
export { ConfigError, problemsFromZod, type ConfigProblem } from './config/config-error.js';
export { parseConfig, type ParsedConfig } from './config/parse-config.js';
export { walkConfig, type WalkIssue, type WalkResult } from './config/schema-walk.js';
export { diagnoseConfig, type ProvidedServices } from './config/diagnose-config.js';
export { maskSecrets } from './config/mask-secrets.js';
export { createMessageStore, type StoreConfig } from './store/create-message-store.js';
export { createJobQueue, type QueueConfig } from './queue/create-job-queue.js';
// Utilities plugins need
export { parseDuration, parseSize } from './util/duration.js';
export { base32, randomId, timeOrderedId } from './util/ids.js';
export { systemClock, type Clock } from './util/clock.js';
// Listener protection (every HTTP and SMTP listener), TLS, admission
export {
  httpListenerSchema,
  httpListenerOverrides,
  smtpListenerSchema,
  smtpListenerOverrides,
  listenersSchema,
  mergeLimits,
  type HttpListenerLimits,
  type HttpListenerOverrides,
  type SmtpListenerLimits,
  type SmtpListenerOverrides,
} from './config/listener-schema.js';
export { tlsServerSchema, certificateRuleSchema, type TlsServerConfig, type CertificateRule } from './config/tls-schema.js';
export { admissionSchema, type AdmissionConfig, type WindowLimitConfig } from './config/admission-schema.js';
export { createHttpListener, type HttpListenerSetup } from './listeners/http-listener.js';
export { addBufferBodyParser } from './listeners/buffer-body.js';
export { BodyBuffer, type BodyBufferOptions } from './listeners/body-buffer.js';
export { BoundedMap } from './util/bounded-map.js';
export { ConnectionBudget, type ConnectionGroup, type ConnectionBudgetOptions, type Admission as ConnectionAdmission, type RefusalReason } from './listeners/connection-budget.js';
export { listenerMetrics, type ListenerMetrics, type ListenerRefusal } from './listeners/listener-metrics.js';
export { ipList, ipAllowed, plainAddress } from './listeners/address-list.js';
export { pemOrFile, tlsServerOptions, clientCertificate, certificateMatches, type PresentedCertificate } from './listeners/tls.js';
export { MemoryCounters, RedisCounters, type Counters, type TakeResult } from './counters/counters.js';
export type { RedisConnectionConfig } from './redis/redis-connection.js';
export type { AdmissionDecision, ShedCause } from './kernel/admission.js';
export type { StatfsSource } from './kernel/disk-watermark.js';
export type { RetryOutcome } from './kernel/operator-actions.js';
export { reportLink, linkTracker, linkDetails, type LinkProbe, type LinkState, type LinkTracker } from './kernel/link-gauge.js';
// Client interfaces (MM7 VASPs, EAIF applications): accounts, their registry and option fields
export { ClientAccount, ClientAccounts, configuredAddress, type ClientAccountOptions, type ClientAccountsLabels, type ParseAddress } from './plugin/client-accounts.js';
export { SourceAddresses } from './plugin/source-addresses.js';
export { clientAccountFields, clientEndpointFields } from './plugin/client-account-schema.js';
export { optionGroup, listenFields } from './plugin/option-schema.js';
export { definePackagedPlugin, type PackagedPluginDefinition } from './plugin/define-packaged-plugin.js';
export { ThreadPool, ThreadStoppedError, type ThreadPoolOptions } from './threads/thread-pool.js';
export { movable, revivedBuffers, transferablesOf } from './threads/buffers.js';
export { siblingModule } from './threads/thread-module.js';
export { threadCount, threadCountOption, type ThreadCountOption } from './threads/thread-count.js';
