import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { batchOutcomes, parseRecipientList, reportCsv, runCampaign } from '../src/index.js';

describe('campaign engine', () => {
  it('reads recipient lists: comments, CSV first column, blank lines, duplicates once', () => {
    const list = parseRecipientList('# list\r\n+15550000001, Alice\n\n+15550000002;Bob\n+15550000001\nbob@example.com\t x\n');
    assert.deepEqual(list.recipients, ['+15550000001', '+15550000002', 'bob@example.com']);
    assert.equal(list.duplicates, 1);
  });

  it('a refused batch gives each recipient its own reason from the details, not the first one', () => {
    const out = batchOutcomes(['+15550000001', 'not-a-number', '+4915112345678'], {
      accepted: false,
      status: '2002 no route to +15550000001',
      details: [
        { address: '+15550000001/TYPE=PLMN', status: '2002 no route to +15550000001' },
        { address: 'not-a-number', status: '2007 address unresolved' },
      ],
    });
    assert.deepEqual(out.map((o) => o.status), ['2002 no route to +15550000001', '2007 address unresolved', '2002 no route to +15550000001']);
    assert.ok(out.every((o) => !o.accepted));
  });

  it('an accepted batch with refusals in its details: the named ones refused, the rest accepted with the message id', () => {
    const out = batchOutcomes(['a@example.com', '+15550000009'], { accepted: true, status: '1000 accepted', messageId: 'm1', details: [{ address: '+15550000009', status: '2002 no route' }] });
    assert.deepEqual(out, [
      { address: 'a@example.com', accepted: true, status: '1000 accepted', messageId: 'm1' },
      { address: '+15550000009', accepted: false, status: '2002 no route' },
    ]);
  });

  it('runs batches concurrently, keeps list order, and counts a throwing submission as its batch refused', async () => {
    const seen: string[][] = [];
    const { outcomes, summary } = await runCampaign(['1', '2', '3', '4', '5'], async (batch) => {
      seen.push([...batch]);
      if (batch.includes('3')) throw new Error('connection reset');
      return { accepted: true, status: 'ok', messageId: `m${batch[0]}` };
    }, { batch: 2, concurrency: 2 });
    assert.equal(seen.length, 3);
    assert.deepEqual(outcomes.map((o) => `${o.address}:${o.status}`), ['1:ok', '2:ok', '3:connection reset', '4:connection reset', '5:ok']);
    assert.equal(summary.accepted, 3);
    assert.equal(summary.rejected, 2);
    assert.equal(summary.requests, 3);
    assert.equal(summary.messageIds, 2);
  });

  it('the report is CSV with quoting', () => {
    const csv = reportCsv([{ address: '+1', accepted: false, status: 'refused, "spam"' }]);
    assert.equal(csv, 'recipient,outcome,status,message_id\r\n+1,rejected,"refused, ""spam""",\r\n');
  });
});
