#!/usr/bin/env node
// Starts the example MMSC from openmmsc.yaml, prints where it listens, sends one demo message
// through the programmatic API so the log shows it travel, and runs until Ctrl-C.
import { fileURLToPath } from 'node:url';
import { startCommand, processOutput } from '@openmmsc/cli';
import { buildMessage, waitFor } from '@openmmsc/testkit';

const configFile = fileURLToPath(new URL('./openmmsc.yaml', import.meta.url));

const { mmsc, stopped } = await startCommand(configFile, processOutput);
const result = await mmsc.submit({
  message: buildMessage({ from: '+15550000001', to: '+15550000002', subject: 'Hello', text: 'Hello from the OpenMMSC example', deliveryReport: true }),
  origin: { interface: 'api' },
});
processOutput.info(`demo message ${result.messageId}: ${result.status}`);
if (result.status === 'accepted') {
  const rs = await waitFor('notification', async () => {
    const list = await mmsc.getRecipients(result.messageId);
    return list[0]?.state === 'notified' ? list : undefined;
  });
  processOutput.info(`recipient ${rs[0].address.value}: ${rs[0].history.map((h) => `${h.state} (${h.by})`).join(' → ')}`);
}
processOutput.info('running; press Ctrl-C to stop');
await stopped;
