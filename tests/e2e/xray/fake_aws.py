#!/usr/bin/env python3
"""Fake AWS endpoints for observo's X-Ray poller tests, all on 127.0.0.1.

- X-Ray API over HTTPS (POST /TraceSummaries, POST /Traces): checks the SigV4 signature of every
  request with its own implementation (independent of observo's), serves a known set of traces
  over two pages, and injects one throttling answer (429 ThrottledException), one 500, one
  unprocessed trace ID, an in-progress (partial) summary, an inferred and a malformed document.
- STS AssumeRoleWithWebIdentity (GET /?Action=...) on the same HTTPS port.
- A container credentials endpoint over plain HTTP (GET /creds), checking Authorization, and
  an IMDSv2 endpoint (PUT /latest/api/token, GET /latest/meta-data/iam/...) on the same port.
Control: GET /__stats (JSON), POST /__reset (serve the traces again). Writes its ports to the
file named by --ports-file as "https_port http_port".
"""
import argparse, hashlib, hmac, http.server, json, ssl, threading, time, urllib.parse

SECRETS = {"AKIDENV": "env-secret", "AKIDFILE": "file-secret", "ASIASTS": "sts-secret",
           "ASIACONT": "container-secret", "ASIAIMDS": "imds-secret"}
TOKENS = {"ASIASTS": "sts-session-token", "ASIACONT": "container-session-token",
          "ASIAIMDS": "imds-session-token"}
IMDS_TOKEN = "imds-v2-token"
WEB_IDENTITY_TOKEN = "eyJ.web-identity.token"
CONTAINER_TOKEN = "pod-identity-token"

lock = threading.Lock()
stats = {"connections": 0, "requests": 0, "bad_signatures": 0, "keys": {}, "summaries_calls": 0, "traces_calls": 0,
         "max_batch": 0, "sts_calls": 0, "container_calls": 0}
state = {"serve": True, "pages_served": 0, "throttled": False, "failed_batch": False,
         "unprocessed_given": False}


def seg(name, sid, start_ms, dur_ms, method, url, status, ip="10.0.0.1", **extra):
    base = 1_700_000_000.0
    doc = {"name": name, "id": sid, "trace_id": extra.pop("trace_id"),
           "start_time": base + start_ms / 1000.0, "end_time": base + (start_ms + dur_ms) / 1000.0,
           "http": {"request": {"method": method, "url": url, "client_ip": ip},
                    "response": {"status": status}}}
    doc.update(extra)
    return json.dumps(doc)


def tid(n):
    return "1-5f000000-%024x" % n


T = {n: tid(n) for n in range(1, 7)}
DOCS = {
    T[1]: [seg("front", "f100000000000001", 0, 100, "GET", "https://shop.example/cart?id=1", 200,
               trace_id=T[1], subsegments=[{"id": "r100000000000001", "name": "backend.internal",
                                            "namespace": "remote", "start_time": 1, "end_time": 2}]),
           seg("backend", "b100000000000001", 10, 40, "GET", "http://backend.internal/items", 200,
               trace_id=T[1], parent_id="r100000000000001")],
    T[2]: [seg("front", "f200000000000002", 0, 250, "POST", "https://shop.example/checkout", 500,
               trace_id=T[2], fault=True,
               subsegments=[{"id": "a200000000000002", "name": "DynamoDB", "namespace": "aws",
                             "start_time": 1, "end_time": 2, "throttle": True}])],
    T[3]: [seg("front", "f300000000000003", 0, 20, "GET", "https://shop.example/cart", 404,
               ip="10.0.0.2", trace_id=T[3], error=True)],
    T[5]: [seg("backend", "b500000000000005", 0, 10, "GET", "http://backend.internal/items", 429,
               trace_id=T[5], throttle=True, error=True),
           json.dumps({"name": "DynamoDB", "id": "d500000000000005", "trace_id": T[5],
                       "start_time": 1, "end_time": 2, "inferred": True})],
    T[6]: [seg("front", "f600000000000006", 0, 30, "GET", "https://shop.example/cart", 200,
               trace_id=T[6]),
           "{not json"],
}


def check_signature(handler, body):
    auth = handler.headers.get("Authorization", "")
    try:
        algorithm, rest = auth.split(" ", 1)
        parts = dict(p.strip().split("=", 1) for p in rest.split(","))
        key_id, date, region, service, _ = parts["Credential"].split("/")
        signed = parts["SignedHeaders"].split(";")
    except (ValueError, KeyError):
        return None, "malformed Authorization"
    if algorithm != "AWS4-HMAC-SHA256" or key_id not in SECRETS or service != "xray":
        return key_id, "unknown key or service"
    for required in ("host", "x-amz-date"):
        if required not in signed:
            return key_id, "unsigned " + required
    if key_id in TOKENS:
        if handler.headers.get("X-Amz-Security-Token") != TOKENS[key_id] or \
                "x-amz-security-token" not in signed:
            return key_id, "session token missing or unsigned"
    path, _, query = handler.path.partition("?")
    canonical_headers = "".join(
        "%s:%s\n" % (h, " ".join(handler.headers.get(h, "").split())) for h in signed)
    canonical = "\n".join([handler.command, path, query, canonical_headers, ";".join(signed),
                           hashlib.sha256(body).hexdigest()])
    amz_date = handler.headers.get("X-Amz-Date", "")
    scope = "/".join([date, region, service, "aws4_request"])
    to_sign = "\n".join(["AWS4-HMAC-SHA256", amz_date, scope,
                         hashlib.sha256(canonical.encode()).hexdigest()])
    k = ("AWS4" + SECRETS[key_id]).encode()
    for part in (date, region, service, "aws4_request"):
        k = hmac.new(k, part.encode(), hashlib.sha256).digest()
    expected = hmac.new(k, to_sign.encode(), hashlib.sha256).hexdigest()
    if not hmac.compare_digest(expected, parts.get("Signature", "")):
        return key_id, "signature mismatch"
    if abs(time.mktime(time.strptime(amz_date, "%Y%m%dT%H%M%SZ")) - time.mktime(time.gmtime())) > 300:
        return key_id, "clock skew"
    return key_id, None


class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *args):
        pass

    def setup(self):
        super().setup()
        with lock:
            stats["connections"] += 1

    def reply(self, status, payload, headers=None):
        body = json.dumps(payload).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        for k, v in (headers or {}).items():
            self.send_header(k, v)
        self.end_headers()
        self.wfile.write(body)

    def do_GET(self):
        if self.path == "/__stats":
            with lock:
                return self.reply(200, stats)
        if self.path.startswith("/?Action=AssumeRoleWithWebIdentity"):
            q = urllib.parse.parse_qs(urllib.parse.urlparse(self.path).query)
            with lock:
                stats["sts_calls"] += 1
            if q.get("WebIdentityToken") != [WEB_IDENTITY_TOKEN] or not q.get("RoleArn"):
                return self.reply(403, {"Error": {"Code": "InvalidIdentityToken"}})
            return self.reply(200, {"AssumeRoleWithWebIdentityResponse": {
                "AssumeRoleWithWebIdentityResult": {"Credentials": {
                    "AccessKeyId": "ASIASTS", "SecretAccessKey": SECRETS["ASIASTS"],
                    "SessionToken": TOKENS["ASIASTS"], "Expiration": int(time.time()) + 3600}}}})
        if self.path == "/creds":
            with lock:
                stats["container_calls"] += 1
            if self.headers.get("Authorization") != CONTAINER_TOKEN:
                return self.reply(401, {"message": "bad token"})
            exp = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(time.time() + 3600))
            return self.reply(200, {"AccessKeyId": "ASIACONT", "SecretAccessKey": SECRETS["ASIACONT"],
                                    "Token": TOKENS["ASIACONT"], "Expiration": exp})
        if self.path.startswith("/latest/meta-data/iam/security-credentials/"):
            if self.headers.get("X-aws-ec2-metadata-token") != IMDS_TOKEN:
                return self.reply(401, {"message": "IMDSv2 token required"})
            role = self.path.rsplit("/", 1)[1]
            if not role:
                body = b"observo-role"
                self.send_response(200)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                return self.wfile.write(body)
            exp = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(time.time() + 3600))
            return self.reply(200, {"Code": "Success", "Type": "AWS-HMAC", "AccessKeyId": "ASIAIMDS",
                                    "SecretAccessKey": SECRETS["ASIAIMDS"],
                                    "Token": TOKENS["ASIAIMDS"], "Expiration": exp})
        self.reply(404, {"message": "not found"})

    def do_PUT(self):
        self.rfile.read(int(self.headers.get("Content-Length", "0")))
        if self.path == "/latest/api/token" and self.headers.get("X-aws-ec2-metadata-token-ttl-seconds"):
            body = IMDS_TOKEN.encode()
            self.send_response(200)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            return self.wfile.write(body)
        self.reply(404, {"message": "not found"})

    def do_POST(self):
        body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
        if self.path == "/__reset":
            with lock:
                state.update(serve=True, pages_served=0)
            return self.reply(200, {})
        key_id, problem = check_signature(self, body)
        with lock:
            stats["requests"] += 1
            if key_id:
                stats["keys"][key_id] = stats["keys"].get(key_id, 0) + 1
            if problem:
                stats["bad_signatures"] += 1
        if problem:
            return self.reply(403, {"message": problem}, {"x-amzn-ErrorType": "InvalidSignatureException:"})
        request = json.loads(body or b"{}")
        if self.path == "/TraceSummaries":
            with lock:
                stats["summaries_calls"] += 1
                if not state["throttled"]:
                    state["throttled"] = True
                    return self.reply(429, {"message": "Rate exceeded"},
                                      {"x-amzn-ErrorType": "ThrottledException:http://internal.amazon.com/"})
                if not state["serve"]:
                    return self.reply(200, {"TraceSummaries": [], "TracesProcessedCount": 0})
                if "NextToken" not in request:
                    return self.reply(200, {"TraceSummaries": [
                        {"Id": T[1]}, {"Id": T[2]}, {"Id": T[3]}, {"Id": T[4], "IsPartial": True}],
                        "NextToken": "page-2"})
                state["serve"] = False
                return self.reply(200, {"TraceSummaries": [{"Id": T[5]}, {"Id": T[6]}, {"Id": T[1]}]})
        if self.path == "/Traces":
            ids = request.get("TraceIds", [])
            with lock:
                stats["traces_calls"] += 1
                stats["max_batch"] = max(stats["max_batch"], len(ids))
                if len(ids) > 5 or "NextToken" in request:
                    return self.reply(400, {"message": "Exceeding maximum query size: 5"},
                                      {"x-amzn-ErrorType": "InvalidRequestException:"})
                if not state["failed_batch"]:
                    state["failed_batch"] = True
                    return self.reply(500, {"message": "internal"})
                unprocessed = []
                if T[2] in ids and not state["unprocessed_given"]:
                    state["unprocessed_given"] = True
                    unprocessed = [T[2]]
            traces = [{"Id": i, "Duration": 0.1, "LimitExceeded": False,
                       "Segments": [{"Id": "s%d" % n, "Document": d} for n, d in enumerate(DOCS[i])]}
                      for i in ids if i in DOCS and i not in unprocessed]
            return self.reply(200, {"Traces": traces, "UnprocessedTraceIds": unprocessed})
        self.reply(404, {"message": "unknown operation"})


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--cert", required=True)
    parser.add_argument("--key", required=True)
    parser.add_argument("--ports-file", required=True)
    args = parser.parse_args()
    https = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(args.cert, args.key)
    https.socket = context.wrap_socket(https.socket, server_side=True)
    plain = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=plain.serve_forever, daemon=True).start()
    with open(args.ports_file + ".tmp", "w") as f:
        f.write("%d %d\n" % (https.server_address[1], plain.server_address[1]))
    import os
    os.rename(args.ports_file + ".tmp", args.ports_file)
    https.serve_forever()


if __name__ == "__main__":
    main()
