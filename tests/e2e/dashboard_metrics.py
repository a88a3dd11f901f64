#!/usr/bin/env python3
"""Metric names used by the Grafana dashboards in a directory.

    python3 dashboard_metrics.py DASHBOARD_DIR           sorted unique metric names, one per line
    python3 dashboard_metrics.py --exprs DASHBOARD_DIR   "dashboard<TAB>panel title<TAB>expr" lines

Reads every *.json dashboard: the targets of every panel (also panels nested in rows) and the
query template variables (label_values(metric, label), query_result(expr), metrics(regex),
label_names()). The PromQL tokenizer skips string literals, label matcher blocks {...}, range
and subquery durations [...], numbers and durations, function names (an identifier followed by
"("), keywords and aggregation operators, Grafana variables ($x, ${x}, ${x:fmt},
$__rate_interval) and the label lists of by/without/on/ignoring/group_left/group_right. Every
other identifier is a metric name. An expression it cannot tokenize is an error naming the
dashboard and the panel (exit status 1).
"""
import json
import os
import re
import sys

KEYWORDS = {
    "by", "without", "on", "ignoring", "group_left", "group_right", "bool", "offset",
    "and", "or", "unless", "atan2", "sum", "avg", "min", "max", "count", "topk", "bottomk",
    "quantile", "stddev", "stdvar", "count_values", "group", "inf", "nan",
}
LABEL_LISTS = {"by", "without", "on", "ignoring", "group_left", "group_right"}
IDENT = re.compile(r"[A-Za-z_:][A-Za-z0-9_:]*")
NUMBER = re.compile(r"0[xX][0-9a-fA-F]+|(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?")
DURATION = re.compile(r"(?:\d+(?:ms|[smhdwy]))+")
VARIABLE = re.compile(r"\$(?:\{[^}]*\}|[A-Za-z0-9_]+)")
OPERATORS = ("==", "!=", ">=", "<=", "=~", "!~", "+", "-", "*", "/", "%", "^", "<", ">",
             ",", "(", ")", "@")


class TokenizeError(Exception):
    pass


def _skip_string(e, i):
    """e[i] is a quote; returns the index after the closing quote."""
    q, start = e[i], i
    i += 1
    while i < len(e):
        if e[i] == "\\" and q != "`":
            i += 2
            continue
        if e[i] == q:
            return i + 1
        i += 1
    raise TokenizeError(f"unterminated string starting at {e[start:][:20]!r}")


def _skip_block(e, i, close):
    """e[i] opens a {...} or [...] block; returns the index after its closing bracket."""
    start = i
    i += 1
    while i < len(e):
        c = e[i]
        if c in "\"'`":
            i = _skip_string(e, i)
            continue
        if c == close:
            return i + 1
        if c in "{[":
            raise TokenizeError(f"nested bracket in {e[start:i + 1]!r}")
        i += 1
    raise TokenizeError(f"unclosed {e[start]!r} at {e[start:][:30]!r}")


def _skip_ws(e, i):
    while i < len(e) and e[i].isspace():
        i += 1
    return i


def metric_names(expr):
    """The metric names of one PromQL expression (Grafana variables allowed)."""
    e, i, names, depth = expr, 0, set(), 0
    while i < len(e):
        c = e[i]
        if c.isspace():
            i += 1
        elif c == "#":  # comment to end of line
            while i < len(e) and e[i] != "\n":
                i += 1
        elif c in "\"'`":
            i = _skip_string(e, i)
        elif c == "{":
            i = _skip_block(e, i, "}")
        elif c == "[":
            i = _skip_block(e, i, "]")
        elif c == "$":
            m = VARIABLE.match(e, i)
            if not m:
                raise TokenizeError(f"bad Grafana variable at {e[i:][:20]!r}")
            i = m.end()
        elif c.isdigit() or (c == "." and i + 1 < len(e) and e[i + 1].isdigit()):
            m = DURATION.match(e, i)
            if m and not (m.end() < len(e) and (e[m.end()].isalnum() or e[m.end()] == "_")):
                i = m.end()
                continue
            m = NUMBER.match(e, i)
            if not m or (m.end() < len(e) and (e[m.end()].isalpha() or e[m.end()] == "_")):
                raise TokenizeError(f"bad number at {e[i:][:20]!r}")
            i = m.end()
        elif IDENT.match(e, i):
            m = IDENT.match(e, i)
            word, i = m.group(0), m.end()
            j = _skip_ws(e, i)
            follows_paren = j < len(e) and e[j] == "("
            low = word.lower()
            if low in LABEL_LISTS:
                if follows_paren:  # by (a, b): a label list, not metrics
                    k = e.find(")", j)
                    if k < 0:
                        raise TokenizeError(f"unclosed label list after {word}")
                    labels = e[j + 1:k]
                    if not re.fullmatch(r"\s*(?:[A-Za-z_][A-Za-z0-9_]*\s*(?:,\s*)?)*", labels):
                        raise TokenizeError(f"bad label list {word}({labels})")
                    i = k + 1
                continue
            if follows_paren or low in KEYWORDS:
                continue
            names.add(word)
        elif e.startswith(OPERATORS, i):
            op = next(o for o in OPERATORS if e.startswith(o, i))
            depth += {"(": 1, ")": -1}.get(op, 0)
            if depth < 0:
                raise TokenizeError("unbalanced ')'")
            i += len(op)
        else:
            raise TokenizeError(f"unexpected character {c!r} at {e[i:][:20]!r}")
    if depth != 0:
        raise TokenizeError("unbalanced '('")
    return names


def _split_args(s):
    """Top-level comma split of a function's argument text (strings and brackets respected)."""
    args, depth, cur, i = [], 0, "", 0
    while i < len(s):
        c = s[i]
        if c in "\"'`":
            j = _skip_string(s, i)
            cur += s[i:j]
            i = j
            continue
        if c in "({[":
            depth += 1
        elif c in ")}]":
            depth -= 1
        if c == "," and depth == 0:
            args.append(cur)
            cur = ""
        else:
            cur += c
        i += 1
    args.append(cur)
    return [a.strip() for a in args]


def variable_query_exprs(query):
    """The PromQL expressions inside a Grafana Prometheus variable query."""
    q = query.strip()
    m = re.fullmatch(r"(label_values|query_result|metrics|label_names)\s*\((.*)\)", q, re.S)
    if not m:
        return [q] if q else []
    fn, inner = m.group(1), m.group(2)
    if fn == "query_result":
        return [inner]
    if fn == "label_values":
        args = _split_args(inner)
        if len(args) == 2:
            return [args[0]]
        if len(args) == 1 and IDENT.fullmatch(args[0]):
            return []  # label_values(label): no metric
        raise TokenizeError(f"bad label_values({inner})")
    return []  # metrics(regex), label_names(): no metric names


def panels(panel_list):
    for p in panel_list or []:
        yield p
        yield from panels(p.get("panels"))


def exprs_of(path):
    """(dashboard, panel title, expr) for every target and query variable of one dashboard."""
    with open(path) as f:
        d = json.load(f)
    name = os.path.basename(path)
    out = []
    for p in panels(d.get("panels")):
        for t in p.get("targets") or []:
            if t.get("expr"):
                out.append((name, p.get("title", "?"), t["expr"]))
    for v in (d.get("templating") or {}).get("list") or []:
        if v.get("type") != "query":
            continue
        q = v.get("query")
        if isinstance(q, dict):
            q = q.get("query", "")
        for ex in variable_query_exprs(q or ""):
            out.append((name, f"variable {v.get('name')}", ex))
    return out


def main(argv):
    args = argv[1:]
    mode_exprs = "--exprs" in args
    args = [a for a in args if a != "--exprs"]
    if len(args) != 1 or not os.path.isdir(args[0]):
        print(__doc__.strip(), file=sys.stderr)
        return 2
    files = sorted(f for f in os.listdir(args[0]) if f.endswith(".json"))
    if not files:
        print(f"{args[0]}: no *.json dashboards", file=sys.stderr)
        return 1
    names, lines, ok = set(), [], True
    for f in files:
        try:
            items = exprs_of(os.path.join(args[0], f))
        except (json.JSONDecodeError, TokenizeError) as e:
            print(f"{f}: {e}", file=sys.stderr)
            ok = False
            continue
        for dash, title, expr in items:
            try:
                names |= metric_names(expr)
            except TokenizeError as e:
                print(f"{dash}: panel {title!r}: cannot tokenize {expr!r}: {e}", file=sys.stderr)
                ok = False
            lines.append(f"{dash}\t{title}\t{' '.join(expr.split())}")
    if not ok:
        return 1
    try:
        print("\n".join(lines if mode_exprs else sorted(names)))
    except BrokenPipeError:  # e.g. piped into head
        sys.stderr.close()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
