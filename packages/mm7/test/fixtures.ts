import type { Mm7Body } from '../src/index.js';

/** One message of every kind, with every optional element we write filled in. */
export function sampleBodies(): Mm7Body[] {
  const vasp = { vaspId: 'vasp1', vasId: 'alerts', senderAddress: { kind: 'ShortCode' as const, value: '12345' } };
  const recipients = {
    to: [{ kind: 'Number' as const, value: '+15550000002' }, { kind: 'ShortCode' as const, value: '4444' }],
    cc: [{ kind: 'RFC2822Address' as const, value: 'user@example.com', displayOnly: true }],
    bcc: [{ kind: 'Number' as const, value: '+15550000003' }],
  };
  const status = (code: number, text: string) => ({ code, text });
  return [
    {
      type: 'SubmitReq', senderIdentification: vasp, recipients, serviceCode: 'svc-1', linkedId: 'linked1', messageClass: 'Informational',
      timeStamp: '2024-05-01T10:00:00Z', replyCharging: { size: 1000, deadline: 'P2D' }, earliestDeliveryTime: '2024-05-01T11:00:00Z', expiryDate: 'P1D',
      deliveryReport: true, readReply: true, priority: 'High', subject: 'Hello & <welcome>', chargedParty: 'ThirdParty', chargedPartyId: 'acme',
      distributionIndicator: false, deliveryCondition: [1, 2], applicId: 'app', replyApplicId: 'reply', auxApplicInfo: 'aux', contentClass: 'image-basic', drmContent: false,
      content: { href: 'cid:mm7-content', allowAdaptations: true },
    },
    { type: 'SubmitRsp', status: status(1000, 'Success'), messageId: 'abc123' },
    { type: 'SubmitRsp', status: { code: 1100, text: 'Partial success', details: [{ address: '+15550000009', code: 2002, text: 'Address Error' }] }, messageId: 'abc124' },
    {
      type: 'DeliverReq', relayServerId: 'openmmsc', vaspId: 'vasp1', vasId: 'alerts', linkedId: 'mo1', sender: { kind: 'Number', value: '+15550000001' },
      recipients: { to: [{ kind: 'ShortCode', value: '12345' }], cc: [], bcc: [] }, timeStamp: '2024-05-01T10:00:00Z', replyChargingId: 'rc1', priority: 'Normal', subject: 'MO',
      applicId: 'a', content: { href: 'cid:mm7-content' },
    },
    { type: 'DeliverRsp', status: status(1000, 'Success'), serviceCode: 'svc' },
    { type: 'CancelReq', senderIdentification: vasp, messageId: 'abc123', applicId: 'a' },
    { type: 'CancelRsp', status: status(1000, 'Success') },
    { type: 'ReplaceReq', senderIdentification: vasp, messageId: 'abc123', serviceCode: 's', timeStamp: '2024-05-01T10:00:00Z', readReply: false, earliestDeliveryTime: 'PT1H', distributionIndicator: true, contentClass: 'text', drmContent: false, content: { href: 'cid:x' } },
    { type: 'ReplaceRsp', status: status(2005, 'Message ID Not found') },
    {
      type: 'DeliveryReportReq', relayServerId: 'openmmsc', messageId: 'abc123', recipient: { kind: 'Number', value: '+15550000002' }, sender: { kind: 'ShortCode', value: '12345' },
      date: '2024-05-01T10:00:00Z', mmStatus: 'Deferred', mmStatusExtension: 'RejectionByMMSRecipient', statusText: 'later',
    },
    { type: 'DeliveryReportRsp', status: status(1000, 'Success') },
    { type: 'ReadReplyReq', relayServerId: 'openmmsc', messageId: 'abc123', recipient: { kind: 'Number', value: '+15550000002' }, sender: { kind: 'ShortCode', value: '12345' }, timeStamp: '2024-05-01T10:00:00Z', mmStatus: 'Read', statusText: 'read' },
    { type: 'ReadReplyRsp', status: status(1000, 'Success') },
    { type: 'RSErrorRsp', status: status(4001, 'Improper identification') },
    { type: 'VASPErrorRsp', status: status(3000, 'Server Error') },
  ];
}

export function extendedBodies(): Mm7Body[] {
  return [
    { type: 'extendedCancelReq', senderIdentification: { vaspId: 'vasp1' }, cancelId: 'abc123' },
    { type: 'extendedCancelRsp', status: { code: 1000, text: '' } },
    { type: 'extendedReplaceReq', vaspId: 'vasp1', vasId: 'v', serviceCode: 's', replaceId: 'abc123', timeStamp: '2024-05-01T10:00:00Z', earliestDeliveryTime: 'PT1H', expiryDate: 'P1D', readReply: true, deliveryReport: true, content: { href: 'cid:x' } },
    { type: 'extendedReplaceRsp', messageId: 'abc125', status: { code: 1000, text: '' } },
  ];
}
