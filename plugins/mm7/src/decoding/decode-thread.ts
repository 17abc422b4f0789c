// The module each MM7 decoding thread runs (see Mm7Decoder).
import { serveThread, transferablesOf } from '@openmmsc/core/threads';
import { decodeOutcome, type DecodeOutcome, type DecodeRequest } from './decode-outcome.js';

// The body goes back too: the decoded content points into it.
serveThread<DecodeRequest, DecodeOutcome>((request) => {
  const value = decodeOutcome(request);
  return { value, transfer: transferablesOf([value, request.body]) };
});
