// Emits spans with known kinds, durations and statuses with the real OpenTelemetry JS tracing
// SDK and exports them to observo over OTLP/gRPC.
// Usage: node traces.js <endpoint http://127.0.0.1:PORT>
// Service "checkout" (namespace shop, instance i-1): SERVER spans "GET /orders", three OK of
// 100 ms and one ERROR of 2 s. Service "frontend": one CLIENT span "GET /orders" of 150 ms whose
// child is the first checkout SERVER span, its context carried in a W3C traceparent header as
// between two processes (same trace, parent = the client span, remote parent): one
// service-graph edge frontend -> checkout. Exits non-zero when an export fails.
'use strict';

const { context, diag, DiagConsoleLogger, DiagLogLevel, SpanKind, SpanStatusCode, trace } =
    require('@opentelemetry/api');
const { BasicTracerProvider, BatchSpanProcessor } = require('@opentelemetry/sdk-trace-base');
const { defaultResource, resourceFromAttributes } = require('@opentelemetry/resources');
const { OTLPTraceExporter } = require('@opentelemetry/exporter-trace-otlp-grpc');
const { W3CTraceContextPropagator } = require('@opentelemetry/core');

const url = process.argv[2];
if (!url) {
  console.error('usage: node traces.js <endpoint>');
  process.exit(2);
}
diag.setLogger(new DiagConsoleLogger(), DiagLogLevel.WARN);

function provider(attributes) {
  const exporter = new OTLPTraceExporter({ url });
  return new BasicTracerProvider({
    resource: defaultResource().merge(resourceFromAttributes(attributes)),
    spanProcessors: [new BatchSpanProcessor(exporter)],
  });
}

const checkout = provider({
  'service.name': 'checkout', 'service.namespace': 'shop', 'service.instance.id': 'i-1',
  'deployment.environment': 'test',
});
const frontend = provider({
  'service.name': 'frontend', 'service.namespace': 'shop', 'service.instance.id': 'f-1',
});

// Whole milliseconds since the epoch: exact durations in nanoseconds.
const t0 = Date.now() - 10000;

function span(tracer, kind, startMs, durationMs, code, parent) {
  const s = tracer.startSpan('GET /orders', { kind, startTime: startMs }, parent || context.active());
  s.setStatus({ code, message: code === SpanStatusCode.ERROR ? 'payment declined' : undefined });
  s.end(startMs + durationMs);
  return s;
}

async function main() {
  const checkoutTracer = checkout.getTracer('checkout-server', '2.0.0');
  const frontendTracer = frontend.getTracer('frontend-client', '2.0.0');

  const client = span(frontendTracer, SpanKind.CLIENT, t0, 150, SpanStatusCode.UNSET);
  // The frontend sends the request with a traceparent header; checkout extracts it.
  const propagator = new W3CTraceContextPropagator();
  const headers = {};
  propagator.inject(trace.setSpan(context.active(), client), headers, {
    set: (carrier, k, v) => { carrier[k] = v; },
  });
  const parent = propagator.extract(context.active(), headers, {
    get: (carrier, k) => carrier[k],
    keys: (carrier) => Object.keys(carrier),
  });
  span(checkoutTracer, SpanKind.SERVER, t0 + 20, 100, SpanStatusCode.OK, parent);
  span(checkoutTracer, SpanKind.SERVER, t0 + 1000, 100, SpanStatusCode.OK);
  span(checkoutTracer, SpanKind.SERVER, t0 + 2000, 100, SpanStatusCode.OK);
  span(checkoutTracer, SpanKind.SERVER, t0 + 3000, 2000, SpanStatusCode.ERROR);

  for (const p of [frontend, checkout]) {
    await p.forceFlush();
    await p.shutdown();
  }
  console.log('exported spans');
}

main().catch((err) => {
  console.error(`export failed: ${err && err.stack ? err.stack : err}`);
  process.exit(1);
});
