/**
 * Addresses as the MMSC sees them. Every interface (MM1 PDUs, MM4 SMTP, MM7 SOAP, config files)
 * hands raw strings to `parseAddress`, so normalisation lives in exactly one place.
 */
export type AddressType = 'plmn' | 'email' | 'ipv4' | 'ipv6' | 'shortcode';

export interface Address {
  readonly type: AddressType;
  /** Normalised value: `+15551234567`, `user@example.com`, `192.0.2.1`, `2001:db8::1`, `12345`. */
  readonly value: string;
}

export interface AddressingOptions {
  /** Country code (digits, no `+`) used to complete national numbers such as `0555…`. */
  defaultCountryCode?: string;
  /** Prefix that marks an international number when dialled without `+` (default `00`). */
  internationalPrefix?: string;
  /** Prefix of national numbers (default `0`). */
  nationalPrefix?: string;
  /** Digit strings of at most this length are short codes (default 6). */
  shortCodeMaxDigits?: number;
}

export class AddressError extends Error {
  readonly input: string;
  constructor(input: string, reason: string) {
    super(`invalid address ${JSON.stringify(input)}: ${reason}`);
    this.name = 'AddressError';
    this.input = input;
  }
}

const TYPE_SUFFIX = /\/TYPE=([A-Za-z0-9]+)$/;
const E164 = /^\+[1-9]\d{0,14}$/;
const IPV4 = /^(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)(\.(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)){3}$/;
// Deliberately simple: the local part is kept as given, the domain is lower-cased.
const EMAIL = /^[^\s@<>()]+@[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?)*$/;
const DIAL_NOISE = /[\s\-().]/g;

/** Parses any of the address forms the interfaces use and returns its normalised form. */
export function parseAddress(raw: string, opts: AddressingOptions = {}): Address {
  let input = raw.trim();
  if (input.startsWith('<') && input.endsWith('>')) input = input.slice(1, -1).trim();
  if (input.length === 0) throw new AddressError(raw, 'empty');
  if (input.length > 320) throw new AddressError(raw, 'longer than 320 characters');

  const typed = TYPE_SUFFIX.exec(input);
  if (typed) {
    const value = input.slice(0, typed.index);
    switch (typed[1]!.toUpperCase()) {
      case 'PLMN':
        return plmn(value, raw, opts);
      case 'IPV4':
        return ipv4(value, raw);
      case 'IPV6':
        return ipv6(value, raw);
      default:
        throw new AddressError(raw, `unknown address type ${typed[1]}`);
    }
  }
  if (input.includes('@')) return email(input, raw);
  if (IPV4.test(input)) return { type: 'ipv4', value: input };
  if (input.includes(':') && /^[0-9A-Fa-f:.]+$/.test(input)) return ipv6(input, raw);
  return plmn(input, raw, opts);
}

function plmn(value: string, raw: string, opts: AddressingOptions): Address {
  const digits = value.replace(DIAL_NOISE, '');
  if (digits.startsWith('+')) {
    if (!E164.test(digits)) throw new AddressError(raw, 'not an E.164 number');
    return { type: 'plmn', value: digits };
  }
  if (!/^\d+$/.test(digits)) throw new AddressError(raw, 'not a phone number, e-mail, IP address or short code');
  const shortMax = opts.shortCodeMaxDigits ?? 6;
  if (digits.length <= shortMax) return { type: 'shortcode', value: digits };
  const intl = opts.internationalPrefix ?? '00';
  const national = opts.nationalPrefix ?? '0';
  let e164: string;
  if (intl && digits.startsWith(intl)) e164 = `+${digits.slice(intl.length)}`;
  else if (national && digits.startsWith(national) && opts.defaultCountryCode) {
    e164 = `+${opts.defaultCountryCode}${digits.slice(national.length)}`;
  } else e164 = `+${digits}`;
  if (!E164.test(e164)) throw new AddressError(raw, 'not an E.164 number');
  return { type: 'plmn', value: e164 };
}

function email(value: string, raw: string): Address {
  const at = value.lastIndexOf('@');
  const local = value.slice(0, at);
  const domain = value.slice(at + 1).toLowerCase();
  const normalised = `${local}@${domain}`;
  if (!EMAIL.test(normalised)) throw new AddressError(raw, 'not an e-mail address');
  return { type: 'email', value: normalised };
}

function ipv4(value: string, raw: string): Address {
  if (!IPV4.test(value)) throw new AddressError(raw, 'not an IPv4 address');
  return { type: 'ipv4', value };
}

function ipv6(value: string, raw: string): Address {
  try {
    const url = new URL(`http://[${value}]/`);
    return { type: 'ipv6', value: url.hostname.slice(1, -1) };
  } catch {
    throw new AddressError(raw, 'not an IPv6 address');
  }
}

/** The form used on the wire by MM1/MM4: `+1555…/TYPE=PLMN`, `a@b.c`, `1.2.3.4/TYPE=IPv4`. */
export function formatAddress(address: Address): string {
  switch (address.type) {
    case 'plmn':
      return `${address.value}/TYPE=PLMN`;
    case 'ipv4':
      return `${address.value}/TYPE=IPv4`;
    case 'ipv6':
      return `${address.value}/TYPE=IPv6`;
    default:
      return address.value;
  }
}

/** A stable string key for maps and storage: `plmn:+1555…`. */
export function addressKey(address: Address): string {
  return `${address.type}:${address.value}`;
}

export function sameAddress(a: Address, b: Address): boolean {
  return a.type === b.type && a.value === b.value;
}
