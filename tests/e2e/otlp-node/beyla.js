// Exports what Grafana Beyla exports, with Beyla's names, units, attributes and buckets, through
// the real OpenTelemetry JS SDK over OTLP/gRPC (cumulative), for tests/e2e/all_sources.sh:
//   http.server.request.duration (s):  GET /cart 200 x3 (0.02, 0.03, 0.2), POST /checkout 500 x1 (0.7)
//   http.client.request.duration (s):  GET inventory 200 x2 (0.01, 0.04)
//   beyla.network.flow.bytes ({bytes}): direction request 1500, response 4200
// Resource: service cart in namespace shop, instance node-1:cart.
// Usage: node beyla.js http://127.0.0.1:PORT
'use strict';

const { diag, DiagConsoleLogger, DiagLogLevel } = require('@opentelemetry/api');
const { MeterProvider, PeriodicExportingMetricReader } = require('@opentelemetry/sdk-metrics');
const { defaultResource, resourceFromAttributes } = require('@opentelemetry/resources');
const { OTLPMetricExporter } = require('@opentelemetry/exporter-metrics-otlp-grpc');

const [url] = process.argv.slice(2);
if (!url) {
  console.error('usage: node beyla.js <grpc endpoint>');
  process.exit(2);
}
diag.setLogger(new DiagConsoleLogger(), DiagLogLevel.WARN);

// Beyla's default request-duration buckets (seconds).
const kDurationBuckets = [0, 0.005, 0.01, 0.025, 0.05, 0.075, 0.1, 0.25, 0.5, 0.75, 1, 2.5, 5, 7.5, 10];

const resource = defaultResource().merge(resourceFromAttributes({
  'service.name': 'cart',
  'service.namespace': 'shop',
  'service.instance.id': 'node-1:cart',
  'k8s.namespace.name': 'shop',
}));
const exporter = new OTLPMetricExporter({ url });
const reader = new PeriodicExportingMetricReader({ exporter, exportIntervalMillis: 3600000 });
const provider = new MeterProvider({ resource, readers: [reader] });
const meter = provider.getMeter('github.com/grafana/beyla', '2.5.0');

const server = meter.createHistogram('http.server.request.duration', {
  unit: 's',
  description: 'Duration of HTTP service calls from the server side, in seconds',
  advice: { explicitBucketBoundaries: kDurationBuckets },
});
const client = meter.createHistogram('http.client.request.duration', {
  unit: 's',
  description: 'Duration of HTTP service calls from the client side, in seconds',
  advice: { explicitBucketBoundaries: kDurationBuckets },
});
const flows = meter.createCounter('beyla.network.flow.bytes', {
  unit: '{bytes}',
  description: 'Bytes submitted from a source network endpoint to a destination network endpoint',
});

async function main() {
  const cart = { 'http.request.method': 'GET', 'http.response.status_code': 200,
                 'http.route': '/cart', 'url.scheme': 'http' };
  const checkout = { 'http.request.method': 'POST', 'http.response.status_code': 500,
                     'http.route': '/checkout', 'url.scheme': 'http' };
  for (const seconds of [0.02, 0.03, 0.2]) server.record(seconds, cart);
  server.record(0.7, checkout);
  const inventory = { 'http.request.method': 'GET', 'http.response.status_code': 200,
                      'server.address': 'inventory' };
  client.record(0.01, inventory);
  client.record(0.04, inventory);
  flows.add(1500, { direction: 'request', 'k8s.src.owner.name': 'cart', 'k8s.dst.owner.name': 'inventory' });
  flows.add(4200, { direction: 'response', 'k8s.src.owner.name': 'inventory', 'k8s.dst.owner.name': 'cart' });
  await provider.forceFlush();
  await provider.shutdown();
  console.log('exported beyla metrics');
}

main().catch((err) => {
  console.error(`export failed: ${err && err.stack ? err.stack : err}`);
  process.exit(1);
});
