"""Exact test traffic for the netprobe namespace tests.

  traffic.py sink ADDR PORT                      bind a UDP socket and keep it open
  traffic.py send SRC DST PORT COUNT PAYLOAD     send COUNT datagrams of PAYLOAD bytes
  traffic.py rates URL IFACE DIRECTION SECONDS   integrate netprobe's per-second rates

A sink exists so that the receiver answers nothing (no ICMP port unreachable). `rates` polls
/metrics, and for every new collection (a new netprobe_last_collection_timestamp_seconds) adds
rate x elapsed time; the sums should equal the counters' increase. It prints
"packets bytes missed max_active last_active" (missed: collections it could not see).
"""
import socket
import sys
import time
import urllib.request


def sink(addr, port):
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 1 << 20)
    s.bind((addr, int(port)))
    while True:
        s.recv(65536)


def send(src, dst, port, count, payload):
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.bind((src, 0))
    data = b"o" * int(payload)
    for _ in range(int(count)):
        s.sendto(data, (dst, int(port)))


def scrape(url):
    values = {}
    with urllib.request.urlopen(url, timeout=2) as response:
        for line in response.read().decode().splitlines():
            if line and not line.startswith("#"):
                name, value = line.rsplit(" ", 1)
                values[name] = float(value)
    return values


def rates(url, iface, direction, seconds):
    labels = '{direction="%s",ifindex="%%s",interface="%s"}' % (direction, iface)
    deadline = time.time() + float(seconds)
    last_ts = None
    packets = bytes_ = 0.0
    missed = 0
    max_active = 0
    last_active = 0
    interval = None
    while time.time() < deadline:
        values = scrape(url)
        ts = values.get("netprobe_last_collection_timestamp_seconds")
        ifindex = None
        for name in values:
            if name.startswith('netprobe_interface_active{') and 'interface="%s"' % iface in name:
                ifindex = name.split('ifindex="')[1].split('"')[0]
                last_active = int(values[name])
                max_active = max(max_active, last_active)
        if ts is not None and ifindex is not None and ts != last_ts:
            if last_ts is not None:
                elapsed = ts - last_ts
                if interval is None or elapsed < interval:
                    interval = elapsed
                if interval and elapsed > 1.5 * interval:
                    missed += 1
                key = labels % ifindex
                packets += values.get("netprobe_tc_packets_per_second" + key, 0.0) * elapsed
                bytes_ += values.get("netprobe_tc_bytes_per_second" + key, 0.0) * elapsed
            last_ts = ts
        time.sleep(0.03)
    print("%.3f %.3f %d %d %d" % (packets, bytes_, missed, max_active, last_active))


if __name__ == "__main__":
    command, args = sys.argv[1], sys.argv[2:]
    {"sink": sink, "send": send, "rates": rates}[command](*args)
