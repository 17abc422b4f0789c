// The parts of libmime and libqp this package uses (neither ships type declarations).
declare module 'libmime' {
  interface StructuredHeader {
    value: string | false;
    params: Record<string, string>;
  }
  const libmime: {
    decodeWords(value: string): string;
    encodeWord(data: string | Buffer, mimeWordEncoding?: 'Q' | 'B', maxLength?: number): string;
    parseHeaderValue(value: string): StructuredHeader;
    buildHeaderValue(structured: { value: string; params?: Record<string, string> }): string;
  };
  export default libmime;
}

declare module 'libqp' {
  const libqp: {
    encode(data: Buffer | string): string;
    decode(text: string | Buffer): Buffer;
    wrap(text: string, lineLength?: number): string;
  };
  export default libqp;
}
