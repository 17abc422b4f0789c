// The module each MM4 reading thread runs (see ContentReader).
import { serveThread, transferablesOf } from '@openmmsc/core/threads';
import { readContentOutcome, type ContentOutcome, type ContentRequest } from './content-outcome.js';

// The body goes back too: parts not transfer-encoded point into it.
serveThread<ContentRequest, ContentOutcome>((request) => {
  const value = readContentOutcome(request);
  return { value, transfer: transferablesOf([value, request.head.body]) };
});
