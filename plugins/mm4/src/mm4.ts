import type { DeliveryRequest, DeliveryResult, Report, StoredMessage } from '@openmmsc/core';
import type { Mm4Context, Mm4Deps, Mm4Stats } from './context.js';
import { ForwardSender } from './forward-out.js';
import { OutboundHeaders } from './headers-out.js';
import { Inbound } from './inbound.js';
import type { Mm4Options } from './options.js';
import { ReportForwarder } from './reports-out.js';
import { Responder } from './responder.js';
import type { InboundMail } from './server.js';
import type { PeerTransports } from './transport.js';

export { MM4_INTERFACE } from './protocol.js';
export type { Mm4Context, Mm4Stats } from './context.js';

/** MM4: forward to peers, accept from peers, and carry delivery and read reports both ways. */
export class Mm4 {
  readonly originatorSystem: string;
  readonly stats: Mm4Stats = { forwarded: 0, received: 0, reportsSent: 0, reportsReceived: 0, responsesSent: 0, refused: 0, decodeWarnings: 0 };
  private readonly responder: Responder;
  private readonly forwards: ForwardSender;
  private readonly reports: ReportForwarder;
  private readonly inbound: Inbound;

  constructor(ctx: Mm4Context, options: Mm4Options, transports: PeerTransports) {
    const deps: Mm4Deps = { ctx, options, transports, stats: this.stats };
    const headers = new OutboundHeaders(options, ctx.now);
    this.originatorSystem = headers.originatorSystem;
    this.responder = new Responder(deps, headers);
    this.forwards = new ForwardSender(deps, headers);
    this.reports = new ReportForwarder(deps, headers);
    this.inbound = new Inbound(deps, this.responder, headers.originatorSystem);
  }

  /** Deliverer for route target `mm4`. */
  deliver(request: DeliveryRequest): Promise<DeliveryResult> {
    return this.forwards.deliver(request);
  }

  /** ReportSender for interface `mm4`. */
  sendReport(report: Report, message: StoredMessage): Promise<void> {
    return this.reports.send(report, message);
  }

  /** Handles one message from a peer; returns the text of the 250 reply or throws an `SmtpReply`. */
  handleInbound(mail: InboundMail): Promise<string> {
    return this.inbound.handle(mail);
  }

  /** Waits a moment for answers still being stored as jobs (the queue sends them). */
  drain(ms = 5000): Promise<void> {
    return this.responder.drain(ms);
  }
}
