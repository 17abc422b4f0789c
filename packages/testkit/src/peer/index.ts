export { TestDnsServer, startDnsServer, enumDomain, type TestDnsRecord, type TestDnsBehaviour, type TestDnsServerOptions, type TestDnsQuery } from './dns-server.js';
export { SmtpSink, startSmtpSink, type SinkMessage, type SmtpSinkOptions } from './smtp-sink.js';
export { sendSmtp, rawHeader, type SmtpExchange } from './raw-smtp.js';
export { RawSmtpSink, type RawSmtpScript, type SunkMail } from './raw-smtp-sink.js';
export { readMailWithPython, headerValues, type PythonMailView } from './python-mail.js';
export { base64Lines, rawMail, type RawPart } from './raw-mail.js';
