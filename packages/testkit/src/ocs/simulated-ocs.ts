import { createServer, type Server, type Socket } from 'node:net';
import {
  APPLICATION_CREDIT_CONTROL,
  CcRequestType,
  Command,
  DiameterConnection,
  RequestedAction,
  ResultCode,
  answerTo,
  avpsToObject,
  findAvp,
  findAllAvps,
  getNumber,
  getString,
  makeAvp,
  decodeGrouped,
  type Avp,
  type AvpTree,
  type DiameterMessage,
} from '@openmmsc/diameter';

/**
 * How the OCS behaves: answer normally; answer every CCR with 4012 (no credit); answer after a
 * delay; refuse connections (not listening); accept and drop the connection on a CCR; answer
 * CER but ignore watchdogs and CCRs (a hung peer).
 */
export type OcsBehaviour = 'normal' | 'no-credit' | 'slow' | 'down' | 'drop' | 'hang';

export interface SimulatedOcsOptions {
  /** Balances in service units per subscriber (Subscription-Id-Data as sent, e.g. `+15550000001`). */
  balances?: Record<string, number>;
  /** Balance of subscribers not listed; undefined means unknown subscribers get 5030 USER_UNKNOWN. */
  defaultBalance?: number;
  originHost?: string;
  originRealm?: string;
  behaviour?: OcsBehaviour;
  /** Delay of answers when behaviour is `slow` (ms, default 2000). */
  slowMs?: number;
  /** Port to listen on (default: a free one; a fixed one lets a test restart a "down" OCS). */
  port?: number;
  /** Validity-Time granted with reservations (s). */
  validityTime?: number;
}

export interface OcsRequestRecord {
  /** `CCR`, `CER`, `DWR`, `DPR`. */
  command: string;
  requestType?: number;
  requestedAction?: number;
  sessionId?: string;
  subscriber?: string;
  retransmit: boolean;
  avps: AvpTree;
  /** The Result-Code answered (absent when nothing was answered). */
  resultCode?: number;
  at: number;
}

interface Reservation {
  subscriber: string;
  units: number;
}

export interface SimulatedOcs {
  readonly host: string;
  readonly port: number;
  readonly originHost: string;
  /** Every request received, in order. */
  readonly requests: OcsRequestRecord[];
  /** Only the credit-control requests. */
  ccrs(): OcsRequestRecord[];
  balance(subscriber: string): number | undefined;
  /** Units reserved by open sessions for a subscriber. */
  reserved(subscriber: string): number;
  setBalance(subscriber: string, units: number): void;
  /** Switches behaviour; `down` stops listening and drops connections, leaving it restarts listening. */
  setBehaviour(behaviour: OcsBehaviour): Promise<void>;
  /** Drops every open connection (the peer must reconnect). */
  dropConnections(): void;
  /** Connections accepted so far. */
  readonly connections: number;
  stop(): Promise<void>;
}

const COMMAND_NAMES: Record<number, string> = { 257: 'CER', 280: 'DWR', 282: 'DPR', 272: 'CCR' };

/**
 * A Diameter credit-control server (Ro, RFC 4006) on 127.0.0.1 for tests: capability exchange,
 * watchdog, disconnect, event charging (DIRECT_DEBITING, REFUND_ACCOUNT, CHECK_BALANCE) and
 * session charging (INITIAL reserves, UPDATE/TERMINATION debit Used-Service-Unit and release).
 * Built on the same codec as `@openmmsc/plugin-mm9`.
 */
export async function startSimulatedOcs(options: SimulatedOcsOptions = {}): Promise<SimulatedOcs> {
  const originHost = options.originHost ?? 'ocs.test.openmmsc.org';
  const originRealm = options.originRealm ?? 'test.openmmsc.org';
  const balances = new Map<string, number>(Object.entries(options.balances ?? {}));
  const sessions = new Map<string, Reservation>();
  const requests: OcsRequestRecord[] = [];
  const sockets = new Set<Socket>();
  let behaviour: OcsBehaviour = options.behaviour ?? 'normal';
  let connections = 0;
  let server: Server | undefined;
  let port = options.port ?? 0;

  const base = (): Avp[] => [makeAvp('Origin-Host', originHost), makeAvp('Origin-Realm', originRealm)];
  const delay = (ms: number) => new Promise((r) => setTimeout(r, ms));

  function balanceOf(subscriber: string): number | undefined {
    const b = balances.get(subscriber);
    if (b !== undefined) return b;
    if (options.defaultBalance === undefined) return undefined;
    balances.set(subscriber, options.defaultBalance);
    return options.defaultBalance;
  }
  function reservedOf(subscriber: string): number {
    let sum = 0;
    for (const r of sessions.values()) if (r.subscriber === subscriber) sum += r.units;
    return sum;
  }
  function units(group: Avp[] | undefined, name: string): number | undefined {
    if (!group) return undefined;
    for (const mscc of findAllAvps(group, 'Multiple-Services-Credit-Control')) {
      const n = getNumber(decodeGrouped(mscc), `${name}/CC-Service-Specific-Units`);
      if (n !== undefined) return n;
    }
    return getNumber(group, `${name}/CC-Service-Specific-Units`);
  }

  function creditControl(req: DiameterMessage, record: OcsRequestRecord): Avp[] {
    const sessionId = record.sessionId ?? '';
    const type = record.requestType ?? 0;
    const number = getNumber(req.avps, 'CC-Request-Number') ?? 0;
    const action = record.requestedAction ?? RequestedAction.DIRECT_DEBITING;
    const subscriber = record.subscriber;
    const head = [makeAvp('Session-Id', sessionId), ...base(), makeAvp('Auth-Application-Id', APPLICATION_CREDIT_CONTROL), makeAvp('CC-Request-Type', type), makeAvp('CC-Request-Number', number)];
    const answer = (code: number, extra: Avp[] = []): Avp[] => {
      record.resultCode = code;
      return [head[0]!, makeAvp('Result-Code', code), ...head.slice(1), ...extra];
    };
    const requested = units(req.avps, 'Requested-Service-Unit') ?? 1;
    const used = units(req.avps, 'Used-Service-Unit') ?? 0;
    const msccOut = (gsu: number): Avp[] => [
      makeAvp('Multiple-Services-Credit-Control', [
        makeAvp('Granted-Service-Unit', [makeAvp('CC-Service-Specific-Units', gsu)]),
        makeAvp('Result-Code', ResultCode.SUCCESS),
        ...(options.validityTime ? [makeAvp('Validity-Time', options.validityTime)] : []),
      ]),
    ];

    if (type === CcRequestType.TERMINATION_REQUEST || type === CcRequestType.UPDATE_REQUEST) {
      const reservation = sessions.get(sessionId);
      if (!reservation) return answer(ResultCode.UNKNOWN_SESSION_ID);
      const debit = Math.min(used, reservation.units);
      balances.set(reservation.subscriber, (balances.get(reservation.subscriber) ?? 0) - debit);
      if (type === CcRequestType.TERMINATION_REQUEST) sessions.delete(sessionId);
      else reservation.units -= debit;
      return answer(ResultCode.SUCCESS);
    }
    if (!subscriber) return answer(ResultCode.MISSING_AVP);
    const balance = balanceOf(subscriber);
    if (balance === undefined) return answer(ResultCode.USER_UNKNOWN);
    const noCredit = behaviour === 'no-credit';
    const available = balance - reservedOf(subscriber);
    if (type === CcRequestType.INITIAL_REQUEST) {
      if (noCredit || available < requested) return answer(ResultCode.CREDIT_LIMIT_REACHED);
      sessions.set(sessionId, { subscriber, units: requested });
      return answer(ResultCode.SUCCESS, msccOut(requested));
    }
    // EVENT_REQUEST
    if (action === RequestedAction.REFUND_ACCOUNT) {
      balances.set(subscriber, balance + requested);
      return answer(ResultCode.SUCCESS);
    }
    if (action === RequestedAction.CHECK_BALANCE) {
      return answer(ResultCode.SUCCESS, [makeAvp('Check-Balance-Result', available >= requested ? 0 : 1)]);
    }
    if (noCredit || available < requested) return answer(ResultCode.CREDIT_LIMIT_REACHED);
    balances.set(subscriber, balance - requested);
    return answer(ResultCode.SUCCESS, msccOut(requested));
  }

  function describeCcr(req: DiameterMessage, record: OcsRequestRecord): void {
    record.sessionId = getString(req.avps, 'Session-Id') ?? '';
    const type = getNumber(req.avps, 'CC-Request-Type') ?? 0;
    record.requestType = type;
    if (type === CcRequestType.EVENT_REQUEST) record.requestedAction = getNumber(req.avps, 'Requested-Action') ?? RequestedAction.DIRECT_DEBITING;
    const subscription = findAvp(req.avps, 'Subscription-Id');
    const subscriber = subscription ? getString(decodeGrouped(subscription), 'Subscription-Id-Data') : undefined;
    if (subscriber) record.subscriber = subscriber;
  }

  async function onRequest(req: DiameterMessage, conn: DiameterConnection): Promise<DiameterMessage | undefined> {
    const record: OcsRequestRecord = {
      command: COMMAND_NAMES[req.commandCode] ?? String(req.commandCode),
      retransmit: req.flags.retransmit,
      avps: avpsToObject(req.avps),
      at: Date.now(),
    };
    requests.push(record);
    switch (req.commandCode) {
      case Command.CapabilitiesExchange:
        record.resultCode = ResultCode.SUCCESS;
        return answerTo(req, [
          makeAvp('Result-Code', ResultCode.SUCCESS),
          ...base(),
          makeAvp('Host-IP-Address', '127.0.0.1'),
          makeAvp('Vendor-Id', 0),
          makeAvp('Product-Name', 'OpenMMSC simulated OCS'),
          makeAvp('Auth-Application-Id', APPLICATION_CREDIT_CONTROL),
        ]);
      case Command.DeviceWatchdog:
        if (behaviour === 'hang') return undefined;
        record.resultCode = ResultCode.SUCCESS;
        return answerTo(req, [makeAvp('Result-Code', ResultCode.SUCCESS), ...base()]);
      case Command.DisconnectPeer:
        record.resultCode = ResultCode.SUCCESS;
        setTimeout(() => conn.end(), 10);
        return answerTo(req, [makeAvp('Result-Code', ResultCode.SUCCESS), ...base()]);
      case Command.CreditControl: {
        describeCcr(req, record);
        if (behaviour === 'hang') return undefined;
        if (behaviour === 'drop') {
          conn.destroy();
          return undefined;
        }
        if (behaviour === 'slow') await delay(options.slowMs ?? 2000);
        if (req.applicationId !== APPLICATION_CREDIT_CONTROL) {
          record.resultCode = ResultCode.APPLICATION_UNSUPPORTED;
          return answerTo(req, [makeAvp('Result-Code', ResultCode.APPLICATION_UNSUPPORTED), ...base()], true);
        }
        return answerTo(req, creditControl(req, record));
      }
      default:
        record.resultCode = ResultCode.COMMAND_UNSUPPORTED;
        return answerTo(req, [makeAvp('Result-Code', ResultCode.COMMAND_UNSUPPORTED), ...base()], true);
    }
  }

  async function listen(): Promise<void> {
    const s = createServer((socket) => {
      connections++;
      sockets.add(socket);
      socket.on('close', () => sockets.delete(socket));
      // eslint-disable-next-line no-new
      new DiameterConnection(socket, { onRequest });
    });
    await new Promise<void>((ok, fail) => {
      s.once('error', fail);
      s.listen(port, '127.0.0.1', () => {
        const address = s.address();
        if (typeof address === 'object' && address) port = address.port;
        ok();
      });
    });
    server = s;
  }

  async function unlisten(): Promise<void> {
    const s = server;
    server = undefined;
    for (const socket of sockets) socket.destroy();
    if (s) await new Promise<void>((ok) => s.close(() => ok()));
  }

  if (behaviour !== 'down') await listen();
  else {
    // Reserve a port so "down" still has an address that refuses connections.
    await listen();
    await unlisten();
  }

  return {
    host: '127.0.0.1',
    get port() {
      return port;
    },
    originHost,
    requests,
    ccrs: () => requests.filter((r) => r.command === 'CCR'),
    balance: (s) => balances.get(s),
    reserved: reservedOf,
    setBalance: (s, u) => void balances.set(s, u),
    async setBehaviour(next) {
      const wasDown = behaviour === 'down';
      behaviour = next;
      if (next === 'down' && !wasDown) await unlisten();
      if (next !== 'down' && wasDown) await listen();
    },
    dropConnections() {
      for (const socket of sockets) socket.destroy();
    },
    get connections() {
      return connections;
    },
    stop: unlisten,
  };
}
