// The module each MM7 decoding thread runs (see Mm7Decoder).
import { serveThread } from '@openmmsc/core/threads';
import { buffersOf, decodeOutcome, type DecodeOutcome, type DecodeRequest } from './decode-outcome.js';

serveThread<DecodeRequest, DecodeOutcome>((request) => {
  const value = decodeOutcome(request);
  return { value, transfer: buffersOf(value, request.body) };
});
