export { TestDnsServer, startDnsServer, enumDomain, type TestDnsRecord, type TestDnsBehaviour, type TestDnsServerOptions, type TestDnsQuery } from './dns-server.js';
export { SmtpSink, startSmtpSink, type SinkMessage, type SmtpSinkOptions } from './smtp-sink.js';
