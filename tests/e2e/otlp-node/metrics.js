// Records known values with the real OpenTelemetry JS metrics SDK and exports them to observo.
// Usage: node metrics.js <grpc|http-protobuf|http-json> <endpoint> <cumulative|delta> <meter>
//   grpc: endpoint http://127.0.0.1:PORT; http-*: http://127.0.0.1:PORT/v1/metrics.
// Cumulative: one export of everything. Delta: two exports (counter +3 then +4, histogram 0.1
// and 0.2 then 3, up-down counter +5 then -2), so observo has to accumulate to the same totals.
// Exits non-zero when an export fails.
'use strict';

const { diag, DiagConsoleLogger, DiagLogLevel } = require('@opentelemetry/api');
const { MeterProvider, PeriodicExportingMetricReader } = require('@opentelemetry/sdk-metrics');
const { defaultResource, resourceFromAttributes } = require('@opentelemetry/resources');
const { AggregationTemporalityPreference } = require('@opentelemetry/exporter-metrics-otlp-http');

const [protocol, url, temporality, meterName] = process.argv.slice(2);
if (!meterName) {
  console.error('usage: node metrics.js <grpc|http-protobuf|http-json> <endpoint> <cumulative|delta> <meter>');
  process.exit(2);
}
diag.setLogger(new DiagConsoleLogger(), DiagLogLevel.WARN);

const exporterModule = {
  'grpc': '@opentelemetry/exporter-metrics-otlp-grpc',
  'http-protobuf': '@opentelemetry/exporter-metrics-otlp-proto',
  'http-json': '@opentelemetry/exporter-metrics-otlp-http',
}[protocol];
if (!exporterModule) throw new Error(`unknown protocol ${protocol}`);
const { OTLPMetricExporter } = require(exporterModule);
const exporter = new OTLPMetricExporter({
  url,
  temporalityPreference: temporality === 'delta' ? AggregationTemporalityPreference.DELTA
                                                 : AggregationTemporalityPreference.CUMULATIVE,
});

const resource = defaultResource().merge(resourceFromAttributes({
  'service.name': 'checkout',
  'service.namespace': 'shop',
  'service.instance.id': 'i-1',
  'deployment.environment': 'test',
}));
// A long interval: exports happen only on forceFlush and shutdown.
const reader = new PeriodicExportingMetricReader({ exporter, exportIntervalMillis: 3600000 });
const provider = new MeterProvider({ resource, readers: [reader] });
const meter = provider.getMeter(meterName, '1.0.0');

const orders = meter.createCounter('orders', { unit: '{order}', description: 'Orders taken' });
const queue = meter.createUpDownCounter('queue.depth', { unit: '{item}' });
const temperature = meter.createGauge('temperature', { unit: 'Cel' });
const latency = meter.createHistogram('latency', {
  unit: 's',
  description: 'Request latency',
  advice: { explicitBucketBoundaries: [0.25, 1, 5] },
});
const get = { method: 'GET' };

async function main() {
  orders.add(3, get);
  queue.add(5);
  temperature.record(42.5);
  latency.record(0.1, get);
  latency.record(0.2, get);
  if (temporality === 'delta') await provider.forceFlush();
  orders.add(4, get);
  queue.add(-2);
  latency.record(3, get);
  await provider.forceFlush();
  await provider.shutdown();
  console.log(`exported ${protocol} ${temporality} ${meterName}`);
}

main().catch((err) => {
  console.error(`export failed: ${err && err.stack ? err.stack : err}`);
  process.exit(1);
});
