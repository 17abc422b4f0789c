import type { HeaderList } from './mime.js';
import type { Mm4Options } from './options.js';
import { mailDate, type Mm4Type } from './protocol.js';

/** The headers every MM4 message we write carries, and our transaction ids. */
export class OutboundHeaders {
  readonly originatorSystem: string;
  private txCounter = 0;

  constructor(
    private readonly options: Mm4Options,
    private readonly now: () => number,
  ) {
    this.originatorSystem = options.originatorSystem ?? `system-user@${options.domain}`;
  }

  newTransactionId(): string {
    this.txCounter = (this.txCounter + 1) % 1_000_000;
    return `${this.now().toString(36)}-${this.txCounter.toString(36)}-${Math.random().toString(36).slice(2, 8)}`;
  }

  /** Version, type, transaction id and (as an RFC 5322 msg-id, `<…>`) the message id. */
  common(type: Mm4Type, transactionId: string, messageId: string | undefined): HeaderList {
    const h: HeaderList = [
      ['X-Mms-3GPP-MMS-Version', this.options.mmsVersion],
      ['X-Mms-Message-Type', type],
      ['X-Mms-Transaction-ID', transactionId],
    ];
    if (messageId) h.push(['X-Mms-Message-ID', `<${messageId}>`]);
    return h;
  }

  /** Sender, Message-ID and the one Date of a mail we write. */
  mailMeta(date = new Date(this.now())): HeaderList {
    return [
      ['Sender', this.originatorSystem],
      ['Message-ID', `<${this.newTransactionId()}@${this.options.domain}>`],
      ['Date', mailDate(date)],
    ];
  }
}
