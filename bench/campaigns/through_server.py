#!/usr/bin/python3
"""Campaigns through a real server on a demo database, as a head-office analyst would run
them (bench/campaigns/api.sh): a local SMTP server (python3-aiosmtpd) and a local SMS
gateway endpoint (Aliyun's shape) stand in for the brokerage's. Prints the audience
count's latency through the API, the launch's time, how long the outbox took to send
each campaign, and each campaign's results.

Usage: through_server.py FINCRM DB
"""
import http.server
import json
import re
import socket
import statistics
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request

from aiosmtpd.controller import Controller

FINCRM, DB = sys.argv[1], sys.argv[2]
PASSWORD = "bench-password-1"


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Sink:
    count = 0

    async def handle_DATA(self, server, session, envelope):
        Sink.count += 1
        return "250 OK"


class Gateway(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    numbers = 0

    def do_POST(self):
        body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        Gateway.numbers += len(body["PhoneNumbers"].split(","))
        answer = b'{"Code":"OK","BizId":"b","RequestId":"r"}'
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(answer)))
        self.end_headers()
        self.wfile.write(answer)

    def setup(self):
        super().setup()
        # Headers and body leave in one segment, at once (Nagle would hold the second
        # write for the client's delayed ACK: ~10 ms a request).
        self.request.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)

    def log_message(self, *args):
        pass


def call(base, token, method, path, body=None):
    request = urllib.request.Request(base + path, data=None if body is None else json.dumps(body).encode(), method=method)
    request.add_header("Content-Type", "application/json")
    if token:
        request.add_header("Authorization", "Bearer " + token)
    try:
        with urllib.request.urlopen(request, timeout=600) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read() or b"null")


def main():
    subprocess.run([FINCRM, "user", "add", "--db", DB, "--login", "bench-analyst", "--role", "hq_analyst",
                    "--password-stdin"], input=PASSWORD + "\n", text=True, capture_output=True)
    smtp_port, sms_port = free_port(), free_port()
    smtp = Controller(Sink(), hostname="127.0.0.1", port=smtp_port)
    smtp.start()
    gateway = http.server.ThreadingHTTPServer(("127.0.0.1", sms_port), Gateway)
    threading.Thread(target=gateway.serve_forever, daemon=True).start()
    server = subprocess.Popen([FINCRM, "serve", "--db", DB, "--listen", "127.0.0.1:0", "--smtp-url",
                               f"smtp://127.0.0.1:{smtp_port}", "--sms-gateway-url", f"http://127.0.0.1:{sms_port}/sms",
                               "--sms-sign-name", "示例证券", "--sms-quiet-hours", "0-0", "--email-per-second", "1000"],
                              stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    port = None
    for line in server.stdout:
        found = re.search(r"http://127\.0\.0\.1:(\d+)/", line)
        if found:
            port = int(found.group(1))
            threading.Thread(target=lambda: [None for _ in server.stdout], daemon=True).start()
            break
    base = f"http://127.0.0.1:{port}/api/v1"
    try:
        status, login = call(base, None, "POST", "/auth/login", {"login": "bench-analyst", "password": PASSWORD})
        token = login["token"]
        segment = {"tier": ["gold", "platinum", "diamond"], "where": "channel=app", "activity": {"traded_within_days": 90}}
        for _ in range(600):
            status, count = call(base, token, "POST", "/campaigns/audience", {"segment": segment, "channel": "email",
                                                                              "risk_level": "R3"})
            if status != 503:
                break
            time.sleep(0.5)
        latencies = []
        for _ in range(20):
            begin = time.perf_counter()
            status, count = call(base, token, "POST", "/campaigns/audience", {"segment": segment, "channel": "email",
                                                                              "risk_level": "R3"})
            latencies.append((time.perf_counter() - begin) * 1000)
        print(f"audience count through the API: median {statistics.median(latencies):.1f} ms, max {max(latencies):.1f} ms "
              f"(server-side {count['elapsed_ms']:.1f} ms): {count}")
        for channel, extra in (("email", {"subject": "尊敬的{{name}}：稳健理财推介", "body_text": "{{surname}}您好，资产{{assets_yuan}}元",
                                          "body_html": "<p>{{name}}您好</p>"}),
                               ("sms", {"sms_template_code": "SMS_100", "body_text": "{{name}}您好，稳健理财推介"})):
            status, campaign = call(base, token, "POST", "/campaigns", {
                "name": f"bench {channel}", "channel": channel, "segment": segment, "risk_level": "R3",
                "product_id": "510300", "control_percent": 10, **extra})
            assert status == 201, campaign
            cid = campaign["campaign_id"]
            begin = time.perf_counter()
            status, launched = call(base, token, "POST", f"/campaigns/{cid}/launch")
            assert status == 200, launched
            launch_s = time.perf_counter() - begin
            audience = launched["campaign"]["audience"]
            begin = time.perf_counter()
            while call(base, token, "GET", f"/campaigns/{cid}")[1]["state"] != "finished":
                time.sleep(0.2)
            send_s = time.perf_counter() - begin
            status, results = call(base, token, "GET", f"/campaigns/{cid}/results")
            print(f"{channel}: launch {launch_s:.2f} s (server-side building {launched['elapsed_ms']:.0f} ms) for "
                  f"{audience}; sent in {send_s:.1f} s = {audience['messaged'] / max(send_s, 1e-9):.0f} messages/s")
            print(f"  results: treated {results['treated']}, control {results['control']}, conversion {results['conversion']}")
        print(f"the SMTP server received {Sink.count} messages, the SMS gateway {Gateway.numbers} numbers")
    finally:
        server.terminate()
        server.wait(timeout=60)
        smtp.stop()
        gateway.shutdown()


if __name__ == "__main__":
    main()
