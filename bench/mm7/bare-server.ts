// The ceiling: a bare node:http server in its own process that reads each request body to its end
// and answers a fixed SubmitRsp (StatusCode 1000), so the load generator does exactly what it does
// against the MMSC. Started by run.ts; prints nothing, talks over IPC.
import { createServer } from 'node:http';

const ANSWER = Buffer.from(
  '<?xml version="1.0" encoding="UTF-8"?><env:Envelope xmlns:env="http://schemas.xmlsoap.org/soap/envelope/"><env:Header><mm7:TransactionID xmlns:mm7="http://www.3gpp.org/ftp/Specs/archive/23_series/23.140/schema/REL-6-MM7-1-4" env:mustUnderstand="1">bare</mm7:TransactionID></env:Header><env:Body><SubmitRsp xmlns="http://www.3gpp.org/ftp/Specs/archive/23_series/23.140/schema/REL-6-MM7-1-4"><MM7Version>6.8.0</MM7Version><Status><StatusCode>1000</StatusCode><StatusText>Success</StatusText></Status><MessageID>bare</MessageID></SubmitRsp></env:Body></env:Envelope>',
  'utf8',
);

let bodies = 0;
let bytes = 0;
const server = createServer((req, res) => {
  // Read to the end, nothing more: the cheapest server that takes the whole body.
  req.on('data', (chunk: Buffer) => {
    bytes += chunk.length;
  });
  req.on('end', () => {
    bodies++;
    res.writeHead(200, { 'content-type': 'text/xml; charset="utf-8"', 'content-length': ANSWER.length });
    res.end(ANSWER);
  });
});
server.listen(0, '127.0.0.1', () => {
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  process.send?.({ type: 'ready', url: `http://127.0.0.1:${port}/mm7` });
});
process.on('message', (msg: { type: string }) => {
  if (msg.type !== 'stop') return;
  server.closeAllConnections();
  server.close(() => {
    process.send?.({ type: 'stopped', bodies, bytes });
    process.exit(0);
  });
});
// Never outlive the bench.
process.on('disconnect', () => process.exit(0));
