#!/usr/bin/env python3
"""Checks observo's /metrics page after tests/e2e/otlp_js_sdk.sh ran the JS SDK scripts.

Every expected series must be there with exactly these labels and this value, and no other
series may appear except observo's own (observo_*, process_*): nothing from the rejected bad
JSON posts, no otel_scope_info, no _created. The values follow from metrics.js and traces.js and the
translation rules (docs/otlp.md): usage check_metrics.py METRICS_FILE; exit 0 when all match.
"""
import re
import sys

SAMPLE = re.compile(r'^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? (\S+)(?: \S+)?$')
LABEL = re.compile(r'([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"(?:,|$)')


def parse(text):
    series = {}
    for line in text.splitlines():
        if not line or line.startswith('#'):
            continue
        m = SAMPLE.match(line)
        if not m:
            raise SystemExit(f'unparseable line: {line!r}')
        name, labels, value = m.group(1), m.group(2) or '', m.group(3)
        pairs = tuple(sorted(LABEL.findall(labels)))
        series[(name, pairs)] = float(value)
    return series


def key(name, **labels):
    return (name, tuple(sorted(labels.items())))


def expected_series():
    out = {}
    meters = ['checkout-grpc', 'checkout-http-protobuf', 'checkout-http-json',
              'checkout-delta-grpc', 'checkout-delta-http-json']
    for meter in meters:
        base = dict(job='shop/checkout', instance='i-1', otel_scope_name=meter,
                    otel_scope_version='1.0.0')
        out[key('orders_total', method='GET', **base)] = 7
        out[key('queue_depth', **base)] = 3
        out[key('temperature_celsius', **base)] = 42.5
        for le, count in [('0.25', 2), ('1', 2), ('5', 3), ('+Inf', 3)]:
            out[key('latency_seconds_bucket', method='GET', le=le, **base)] = count
        out[key('latency_seconds_sum', method='GET', **base)] = 0.1 + 0.2 + 3
        out[key('latency_seconds_count', method='GET', **base)] = 3
    out[key('target_info', job='shop/checkout', instance='i-1', deployment_environment='test',
            telemetry_sdk_language='nodejs', telemetry_sdk_name='opentelemetry',
            telemetry_sdk_version='2.12.0')] = 1

    span = dict(job='shop/checkout', instance='i-1', service_name='checkout',
                service_namespace='shop', span_name='GET /orders', span_kind='SPAN_KIND_SERVER')
    bounds = ['0.005', '0.01', '0.025', '0.05', '0.075', '0.1', '0.25', '0.5', '0.75', '1',
              '2.5', '5', '7.5', '10', '+Inf']
    for status, durations, errors in [('STATUS_CODE_OK', [0.1, 0.1, 0.1], 0),
                                      ('STATUS_CODE_ERROR', [2.0], 1)]:
        labels = dict(status_code=status, **span)
        out[key('traces_span_metrics_calls_total', **labels)] = len(durations)
        out[key('traces_span_metrics_errors_total', **labels)] = errors
        for le in bounds:
            limit = float('inf') if le == '+Inf' else float(le)
            out[key('traces_span_metrics_duration_seconds_bucket', le=le, **labels)] = sum(
                1 for d in durations if d <= limit)
        total = 0.0
        for d in durations:
            total += d
        out[key('traces_span_metrics_duration_seconds_sum', **labels)] = total
        out[key('traces_span_metrics_duration_seconds_count', **labels)] = len(durations)
    out[key('traces_service_graph_request_total', client='frontend', server='checkout')] = 1
    out[key('traces_service_graph_request_failed_total', client='frontend', server='checkout')] = 0
    # The edge's latency histograms: the 150 ms client span and the first 100 ms server span.
    edge = dict(client='frontend', server='checkout')
    for side, seconds in [('client', 0.15), ('server', 0.1)]:
        name = f'traces_service_graph_request_{side}_seconds'
        for le in bounds:
            limit = float('inf') if le == '+Inf' else float(le)
            out[key(name + '_bucket', le=le, **edge)] = 1 if seconds <= limit else 0
        out[key(name + '_sum', **edge)] = seconds
        out[key(name + '_count', **edge)] = 1
    return out


def render(k):
    name, labels = k
    return name + '{' + ','.join(f'{n}="{v}"' for n, v in labels) + '}'


def main():
    actual = parse(open(sys.argv[1]).read())
    expected = expected_series()
    problems = []
    for k, value in sorted(expected.items()):
        if k not in actual:
            problems.append(f'missing: {render(k)} {value}')
        elif actual[k] != value:
            problems.append(f'wrong value: {render(k)} is {actual[k]!r}, expected {value!r}')
    for k, value in sorted(actual.items()):
        if k not in expected and not k[0].startswith(('observo_', 'process_')):
            problems.append(f'unexpected: {render(k)} {value}')
    for p in problems:
        print(p)
    if problems:
        return 1
    print(f'{len(expected)} series match exactly')
    return 0


if __name__ == '__main__':
    sys.exit(main())
