// Two tiny HTTP services instrumented with the real AWS X-Ray SDK for Node (manual mode), used
// by tests/e2e/xray_udp_sdk.sh: "checkout" calls "inventory" through the SDK's captured http
// client (a remote subsegment), both emit their segments over UDP to AWS_XRAY_DAEMON_ADDRESS
// (observo's listener). It drives a fixed set of requests, waits for the UDP sends and exits.
'use strict';
const AWSXRay = require('aws-xray-sdk-core');
const http = require('http');

AWSXRay.enableManualMode();
AWSXRay.setLogger({ error() {}, warn() {}, info() {}, debug() {} });
const tracedHttp = AWSXRay.captureHTTPs(require('http'));

function traced(name, handler) {
  return (req, res) => {
    const segment = new AWSXRay.Segment(name);
    segment.addIncomingRequestData(new AWSXRay.middleware.IncomingRequestData(req));
    res.on('finish', () => {
      segment.http.close(res);
      if (res.statusCode === 429) segment.addThrottleFlag();
      if (res.statusCode >= 500) segment.addFaultFlag();
      else if (res.statusCode >= 400) segment.addErrorFlag();
      segment.close();
    });
    handler(req, res, segment);
  };
}

const inventory = http.createServer(traced('inventory', (req, res) => {
  const status = req.url.startsWith('/items/') ? 200
    : req.url === '/busy' ? 429 : req.url === '/broken' ? 503 : 404;
  res.writeHead(status);
  res.end('inventory');
}));

const checkout = http.createServer(traced('checkout', (req, res, segment) => {
  const item = req.url.split('?')[0].split('/')[2];
  const path = item === 'missing' ? '/missing' : `/items/${item}`;
  tracedHttp.get({ host: '127.0.0.1', port: inventory.address().port, path,
                   headers: { host: 'inventory.example' }, XRaySegment: segment }, (up) => {
    up.resume();
    up.on('end', () => {
      res.writeHead(up.statusCode === 200 ? 200 : 502);
      res.end('checkout');
    });
  });
}));

function get(server, host, path) {
  return new Promise((resolve, reject) => {
    http.get({ host: '127.0.0.1', port: server.address().port, path, headers: { host } }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode));
    }).on('error', reject);
  });
}

async function main() {
  await new Promise((r) => inventory.listen(0, '127.0.0.1', r));
  await new Promise((r) => checkout.listen(0, '127.0.0.1', r));
  const statuses = [];
  statuses.push(await get(checkout, 'checkout.example', '/checkout/1?session=abc'));
  statuses.push(await get(checkout, 'checkout.example', '/checkout/2'));
  statuses.push(await get(checkout, 'checkout.example', '/checkout/missing'));
  statuses.push(await get(inventory, 'inventory.example', '/busy'));
  statuses.push(await get(inventory, 'inventory.example', '/broken'));
  console.log('statuses', statuses.join(' '));
  // The SDK's UDP socket is unref()ed: stay alive until the last datagrams are out.
  await new Promise((r) => setTimeout(r, 300));
  inventory.close();
  checkout.close();
}

main().catch((e) => { console.error(e); process.exit(1); });
