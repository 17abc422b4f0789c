import { verdict, type MessageContext, type Verdict } from '@openmmsc/core';
import type { Counter } from 'prom-client';
import type { ClamdClient } from './clamd.js';
import type { AntispamOptions } from './options.js';

/** Every part of a message through clamd; what an unreachable scanner means is `antivirus.onError`. */
export class VirusScan {
  constructor(
    private readonly clamd: ClamdClient,
    private readonly onError: AntispamOptions['antivirus']['onError'],
    private readonly decisions: Counter<'check' | 'outcome'>,
    /** Told whether clamd answered, so its link health follows real scans. */
    private readonly seen?: { saw(up: boolean): void },
  ) {}

  async scan(msg: MessageContext): Promise<Verdict | undefined> {
    for (const part of msg.message.parts) {
      let result;
      try {
        result = await this.clamd.scan(part.data);
        this.seen?.saw(true);
      } catch (error) {
        this.seen?.saw(false);
        msg.log.warn({ err: error, policy: this.onError }, 'virus scan failed');
        this.decisions.inc({ check: 'antivirus', outcome: `error-${this.onError}` });
        if (this.onError === 'accept') return undefined;
        if (this.onError === 'reject') return verdict.reject('content-not-accepted', 'content could not be checked for viruses');
        return verdict.defer('network-problem', 'virus scanner unavailable, try again later', 30_000);
      }
      if (result.status === 'infected') {
        msg.log.warn({ signature: result.signature, part: part.contentLocation ?? part.contentType.type }, 'virus found');
        msg.attributes['antivirus.signature'] = result.signature;
        this.decisions.inc({ check: 'antivirus', outcome: 'reject' });
        return verdict.reject('virus', `content refused: virus found (${result.signature})`);
      }
    }
    this.decisions.inc({ check: 'antivirus', outcome: 'clean' });
    return undefined;
  }
}
