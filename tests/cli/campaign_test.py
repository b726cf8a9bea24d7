#!/usr/bin/python3
"""Campaigns end to end, through the API of a real `fincrm serve` process, with a real
SMTP server (Debian's python3-aiosmtpd, started here) and a local HTTP endpoint standing
in for the SMS gateway (Aliyun's SendSms shape).

1. The audience count names unknown segment members; a promotion without a risk level
   does not launch (409); a template placeholder no field fills is refused (422).
2. An e-mail campaign for an R3 product: a C1 customer is blocked by the suitability
   gate, a do-not-contact customer is skipped, and the messages that arrive at the SMTP
   server are exactly audience - control - blocked - do-not-contact - no address, each
   once, with the Chinese subject and the customer's own fields (RFC 2047 decoded), a
   plain-text and an HTML part and List-Unsubscribe; a mailbox the server refuses with
   550 bounces and becomes do-not-contact. The SMTP server is down at launch: the
   messages stay queued and go out when it is back.
3. An SMS campaign: the endpoint receives the batches (numbers, template code, the
   template's parameters, the out id), its receipts move the messages to delivered, a
   receipt for no message is 404.
4. A large e-mail campaign, the server killed with SIGKILL mid-send and restarted: no
   message arrives twice, every message marked sent arrived, what was in flight at the
   kill is failed (in_doubt) and nothing else is lost.
5. Results: the counts; on the demo with a planted effect (buyers of the promoted
   product among the treated and the control group at set rates, ingested as trades),
   the uplift's 95% interval holds the planted difference.

Usage: campaign_test.py PATH/TO/fincrm. Prints "N passed, N failed".
"""
import email
import email.policy
import http.server
import json
import os
import random
import re
import socket
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP as SmtpServer

FINCRM = sys.argv[1]
PASSWORD = "password-123"
passed = failed = 0


def check(name, condition, detail=""):
    global passed, failed
    if condition:
        passed += 1
    else:
        failed += 1
        print(f"FAILED: {name} {detail}", file=sys.stderr)


def run(*args, stdin=None):
    return subprocess.run([FINCRM, *args], input=stdin, capture_output=True, text=True, check=True)


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Mailbox:
    """The SMTP server's side: every message it accepted, and one mailbox it refuses."""

    def __init__(self):
        self.messages = []
        self.lock = threading.Lock()

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address.startswith("refused"):
            return "550 5.1.1 no such user"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        message = email.message_from_bytes(envelope.content, policy=email.policy.default)
        with self.lock:
            self.messages.append(message)
        return "250 OK"


class SmtpPeer:
    def __init__(self, port):
        self.port = port
        self.mailbox = Mailbox()
        self.controller = None

    def start(self):
        self.controller = Controller(self.mailbox, hostname="127.0.0.1", port=self.port)
        self.controller.start()

    def stop(self):
        if self.controller:
            self.controller.stop()
            self.controller = None

    def received(self):
        with self.mailbox.lock:
            return list(self.mailbox.messages)


class SmsGateway(http.server.BaseHTTPRequestHandler):
    requests = []
    lock = threading.Lock()
    protocol_version = "HTTP/1.1"

    def do_POST(self):
        body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        with SmsGateway.lock:
            SmsGateway.requests.append(body)
            biz = f"biz-{len(SmsGateway.requests)}"
        answer = json.dumps({"Code": "OK", "Message": "OK", "BizId": biz, "RequestId": biz}).encode()
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


class QuietServer(http.server.ThreadingHTTPServer):
    def handle_error(self, request, client_address):
        pass  # the killed server's connections reset: expected here


class Api:
    def __init__(self, port):
        self.base = f"http://127.0.0.1:{port}/api/v1"
        self.origin = f"http://127.0.0.1:{port}"
        self.token = None
        self.api_key = None

    def call(self, method, path, body=None, api_key=None):
        data = None if body is None else json.dumps(body).encode()
        request = urllib.request.Request(self.base + path, data=data, method=method)
        request.add_header("Content-Type", "application/json")
        request.add_header("Origin", self.origin)
        if api_key:
            request.add_header("X-API-Key", api_key)
        elif self.token:
            request.add_header("Authorization", "Bearer " + self.token)
        try:
            with urllib.request.urlopen(request, timeout=60) as response:
                return response.status, json.loads(response.read() or b"null")
        except urllib.error.HTTPError as error:
            text = error.read()
            try:
                return error.code, json.loads(text)
            except ValueError:
                return error.code, text

    def login(self, login):
        status, answer = self.call("POST", "/auth/login", {"login": login, "password": PASSWORD})
        assert status == 200, answer
        self.token = answer["token"]


def serve(db, smtp_port, sms_port, *flags):
    process = subprocess.Popen(
        [FINCRM, "serve", "--db", db, "--listen", "127.0.0.1:0", "--smtp-url", f"smtp://127.0.0.1:{smtp_port}",
         "--smtp-from", "crm@broker.example", "--sms-gateway-url", f"http://127.0.0.1:{sms_port}/sms",
         "--sms-sign-name", "示例证券", "--sms-quiet-hours", "0-0", "--outbox-retry-seconds", "1", *flags],
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    for line in process.stdout:
        found = re.search(r"http://127\.0\.0\.1:(\d+)/", line)
        if found:
            threading.Thread(target=lambda: [sys.stderr.write("server: " + l) for l in process.stdout if os.environ.get("VERBOSE")], daemon=True).start()
            return process, int(found.group(1))
    raise RuntimeError("the server did not start")


def wait_for(predicate, seconds=90, step=0.2):
    deadline = time.time() + seconds
    while time.time() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(step)
    return predicate()


def all_messages(api, campaign_id):
    items, after = [], 0
    while True:
        status, page = api.call("GET", f"/campaigns/{campaign_id}/messages?limit=1000&after={after}")
        assert status == 200, page
        items += page["items"]
        if page["next_after"] is None:
            return items
        after = page["next_after"]


def campaign_state(api, campaign_id):
    status, answer = api.call("GET", f"/campaigns/{campaign_id}")
    assert status == 200, (status, answer)
    return answer["state"]


def main():
    work = tempfile.mkdtemp(prefix="fincrm-campaign-")
    db = os.path.join(work, "c.db")
    run("demo-data", "--db", db, "--customers", "3000", "--seed", "11")
    run("analyze", "--db", db)
    for login, role in (("hqanalyst", "hq_analyst"), ("admin", "admin")):
        run("user", "add", "--db", db, "--login", login, "--role", role, "--password-stdin", stdin=PASSWORD + "\n")
    sms_key = re.search(r"fk_\S+", run("apikey", "add", "--db", db, "--name", "sms", "--permission", "sms").stdout).group(0)
    sql = sqlite3.connect(db)
    branch = sql.execute("SELECT branch_id FROM customers GROUP BY branch_id ORDER BY COUNT(*) DESC LIMIT 1").fetchone()[0]
    in_branch = dict(sql.execute("SELECT customer_id, email FROM customers WHERE branch_id = ? AND status <> 'closed'",
                                 (branch,)).fetchall())
    c1 = sql.execute("SELECT customer_id FROM customers WHERE branch_id = ? AND risk_level = 'C1' AND email <> '' "
                     "AND status <> 'closed' LIMIT 1", (branch,)).fetchone()[0]
    dnc, *refused = [row[0] for row in sql.execute(
        "SELECT customer_id FROM customers WHERE branch_id = ? AND risk_level IN ('C4', 'C5') AND email <> '' AND "
        "status <> 'closed' AND risk_assessed_on >= '2025-06-01' ORDER BY customer_id LIMIT 6", (branch,))]
    # Mailboxes the SMTP server refuses (550).
    for customer in refused:
        sql.execute("UPDATE customers SET email = ? WHERE customer_id = ?", (f"refused.{customer}@broker.example", customer))
    sql.commit()
    names = dict(sql.execute("SELECT customer_id, name FROM customers").fetchall())

    smtp = SmtpPeer(free_port())
    sms_port = free_port()
    sms_server = QuietServer(("127.0.0.1", sms_port), SmsGateway)
    threading.Thread(target=sms_server.serve_forever, daemon=True).start()
    process, port = serve(db, smtp.port, sms_port)
    api = Api(port)
    try:
        api.login("hqanalyst")
        # 1. Bad input.
        status, answer = api.call("POST", "/campaigns/audience", {"segment": {"tier": ["gold", "golden"]}})
        check("unknown segment value is 422 naming it", status == 422 and answer["error"]["field"] == "segment.tier[1]",
              str(answer))
        status, answer = api.call("POST", "/campaigns/audience", {"segment": {"colour": ["red"]}})
        check("unknown segment member is 422 naming it", status == 422 and answer["error"]["field"] == "segment.colour",
              str(answer))
        status, answer = api.call("POST", "/campaigns", {"name": "x", "channel": "email", "segment": {},
                                                         "subject": "{{nickname}}", "body_text": "x"})
        check("unfillable placeholder is 422", status == 422 and answer["error"]["field"] == "subject", str(answer))
        status, draft = api.call("POST", "/campaigns", {"name": "no level", "channel": "email", "segment": {},
                                                        "subject": "s", "body_text": "b", "product_id": "NOPE"})
        status, answer = api.call("POST", f"/campaigns/{draft['campaign_id']}/launch")
        check("a promotion without a risk level does not launch", status == 409 and answer["error"]["field"] == "risk_level",
              str(answer))
        status, answer = api.call("POST", "/sms/receipts", [{"out_id": "nope", "phone_number": "13800000000",
                                                             "success": True, "err_code": "DELIVERED"}], api_key=sms_key)
        check("a receipt for no message is 404", status == 404, str(answer))

        # 2. E-mail to one branch, for an R3 product; the SMTP server is down at launch.
        api.login("admin")
        status, _ = api.call("PUT", f"/customers/{dnc}/do-not-contact/email", {"reason": "manual", "note": "asked"})
        check("do-not-contact recorded", status == 200)
        api.login("hqanalyst")
        segment = {"branch": [branch]}
        status, count = api.call("POST", "/campaigns/audience", {"segment": segment, "channel": "email",
                                                                 "risk_level": "R3"})
        check("audience count answers", status == 200 and count["count"] == len(in_branch), f"{count} vs {len(in_branch)}")
        check("the count names the blocked and do-not-contact",
              count["blocked_by_suitability"] > 0 and count["do_not_contact"] == 1, str(count))
        status, campaign = api.call("POST", "/campaigns", {
            "name": "债券基金推介", "channel": "email", "segment": segment, "risk_level": "R3", "product_id": "BONDFUND",
            "subject": "尊敬的{{name}}：债券基金推介", "body_text": "{{surname}}您好，您的资产约{{assets_yuan}}元。",
            "body_html": "<p>{{name}}您好</p><a href=\"{{link_url}}\">了解</a>", "link_url": "https://broker.example/margin",
            "control_percent": 20})
        check("campaign created", status == 201, str(campaign))
        cid = campaign["campaign_id"]
        status, launched = api.call("POST", f"/campaigns/{cid}/launch")
        check("launched", status == 200, str(launched))
        a = launched["campaign"]["audience"]
        expected = a["count"] - a["control"] - a["blocked_by_suitability"] - a["do_not_contact"] - a["contact_budget"] - a["no_address"]
        check("messages = audience - control - blocked - dnc - no address", a["messaged"] == expected and expected > 20, str(a))
        time.sleep(2)
        # Queued for a retry (one may be claimed this instant); none sent, none failed.
        waiting = [m for m in all_messages(api, cid) if m["state"] in ("queued", "sending")]
        queued = [m for m in waiting if m["state"] == "queued"]
        check("with the SMTP server down the messages stay queued", len(waiting) == a["messaged"] and
              all(m["attempts"] >= 1 and "smtp" in m["error"] for m in queued[:5]), str(queued[:1]))
        smtp.start()
        done = wait_for(lambda: campaign_state(api, cid) == "finished", 120)
        check("the campaign finished once the server was back", done)
        got = smtp.received()
        by_id = {}
        for m in got:
            by_id.setdefault(m["Message-ID"].strip("<>").split("@")[0], []).append(m)
        messages = all_messages(api, cid)
        sent = [m for m in messages if m["state"] == "sent"]
        bounced = [m for m in messages if m["state"] == "bounced"]
        check("every accepted message arrived once", len(got) == len(by_id) == len(sent), f"{len(got)} {len(by_id)} {len(sent)}")
        check("arrived = audience - control - blocked - dnc - no address - bounced", len(got) == a["messaged"] - len(bounced),
              f"{len(got)} vs {a['messaged']} - {len(bounced)}")
        treated_refused = {m["customer_id"] for m in messages if m["customer_id"] in refused}
        check("the refused mailboxes bounced", treated_refused and {m["customer_id"] for m in bounced} == treated_refused,
              f"{bounced} vs {treated_refused}")
        status, dncs = api.call("GET", f"/customers/{sorted(treated_refused)[0]}/do-not-contact")
        check("a hard bounce feeds do-not-contact", status == 200 and dncs["items"] and dncs["items"][0]["reason"] == "bounced",
              str(dncs))
        arrived_customers = {m["customer_id"] for m in sent}
        check("the C1 customer got nothing", c1 not in arrived_customers)
        check("the do-not-contact customer got nothing", dnc not in arrived_customers)
        sample = sent[0]
        mail = by_id[sample["out_id"]][0]
        check("subject in Chinese with the customer's name", str(mail["Subject"]) == f"尊敬的{names[sample['customer_id']]}：债券基金推介",
              str(mail["Subject"]))
        check("the raw subject is RFC 2047", "=?UTF-8?B?" in mail.as_string().split("Subject:")[1].split("\n")[0])
        text = mail.get_body(preferencelist=("plain",)).get_content()
        html = mail.get_body(preferencelist=("html",)).get_content()
        check("a plain-text part with the customer's fields", names[sample["customer_id"]][0] in text and "元" in text, text)
        check("an HTML part with the tracked link and pixel", "/api/v1/t/c/" + sample["out_id"] in html and
              "/api/v1/t/o/" + sample["out_id"] in html, html[:300])
        check("List-Unsubscribe", sample["out_id"] in str(mail["List-Unsubscribe"]))
        # Responses: an open, a click (redirect to the campaign's link only), an unsubscribe.
        with urllib.request.urlopen(f"{api.origin}/api/v1/t/o/{sample['out_id']}") as pixel:
            check("the pixel is a GIF", pixel.read(4) == b"GIF8")
        opener = urllib.request.build_opener(type("NoRedirect", (urllib.request.HTTPRedirectHandler,),
                                                  {"redirect_request": lambda *args: None}))
        try:
            opener.open(f"{api.origin}/api/v1/t/c/{sample['out_id']}")
            location = None
        except urllib.error.HTTPError as redirect:
            location = redirect.headers.get("Location") if redirect.code == 302 else None
        check("the click redirects to the campaign's link", location == "https://broker.example/margin", str(location))
        with urllib.request.urlopen(f"{api.origin}/api/v1/unsubscribe/{sent[1]['out_id']}") as page:
            check("the link shows a confirmation page", b'method="post"' in page.read())
        status, dncs = api.call("GET", f"/customers/{sent[1]['customer_id']}/do-not-contact")
        check("opening the link alone unsubscribes nobody", status == 200 and not dncs["items"], str(dncs))
        request = urllib.request.Request(f"{api.origin}/api/v1/unsubscribe/{sent[1]['out_id']}", data=b"List-Unsubscribe=One-Click",
                                         method="POST", headers={"Content-Type": "application/x-www-form-urlencoded"})
        with urllib.request.urlopen(request) as answer:
            check("one-click unsubscribe", answer.status == 200)
        status, dncs = api.call("GET", f"/customers/{sent[1]['customer_id']}/do-not-contact")
        check("unsubscribed", dncs["items"] and dncs["items"][0]["reason"] == "unsubscribed", str(dncs))
        status, results = api.call("GET", f"/campaigns/{cid}/results")
        check("results count sent, opened and clicked", results["treated"]["sent"] == len(got) + len(bounced) and
              results["treated"]["opened"] == 1 and results["treated"]["clicked"] == 1, str(results))
        status, timeline = api.call("GET", f"/customers/{sample['customer_id']}/timeline?limit=50")
        kinds = json.dumps(timeline, ensure_ascii=False)
        check("sent, opened and clicked are on the timeline", "债券基金推介" in kinds and "打开邮件" in kinds and
              "点击链接" in kinds, kinds[:400])

        # 3. SMS with receipts.
        status, campaign = api.call("POST", "/campaigns", {
            "name": "服务通知", "channel": "sms", "purpose": "service", "segment": {"branch": [branch]},
            "sms_template_code": "SMS_0001", "body_text": "{{name}}您好，系统将于周六升级。", "control_percent": 0})
        sid = campaign["campaign_id"]
        status, launched = api.call("POST", f"/campaigns/{sid}/launch")
        check("SMS launched", status == 200, str(launched))
        wait_for(lambda: campaign_state(api, sid) == "finished", 60)
        with SmsGateway.lock:
            batches = list(SmsGateway.requests)
        numbers = [n for b in batches for n in b["PhoneNumbers"].split(",")]
        messages = all_messages(api, sid)
        check("the gateway got every message once", len(numbers) == len(set(numbers)) == len(messages) ==
              launched["campaign"]["audience"]["messaged"] > 0, f"{len(numbers)} {len(messages)}")
        first = batches[0]
        check("Aliyun's shape", first["TemplateCode"] == "SMS_0001" and first["SignName"] == "示例证券" and
              "name" in json.loads(first["TemplateParam"]) and first["OutId"], str(first))
        receipts = [{"phone_number": n, "send_time": "2026-12-03 10:00:00", "report_time": "2026-12-03 10:00:05",
                     "success": True, "err_code": "DELIVERED", "err_msg": "用户接收成功", "biz_id": "x", "out_id": b["OutId"]}
                    for b in batches for n in b["PhoneNumbers"].split(",")]
        status, answer = api.call("POST", "/sms/receipts", receipts, api_key=sms_key)
        check("receipts applied", status == 200 and answer["applied"] == len(receipts) and answer["code"] == 0, str(answer)[:200])
        states = {m_["state"] for m_ in all_messages(api, sid)}
        check("receipts moved every message to delivered", states == {"delivered"}, str(states))
        replier = messages[0]["customer_id"]
        number = sqlite3.connect(db).execute("SELECT mobile FROM customers WHERE customer_id = ?", (replier,)).fetchone()[0]
        status, answer = api.call("POST", "/sms/replies", [{"phone_number": number, "content": "TD", "send_time":
                                                            "2026-12-03 10:01:00", "sign_name": "示例证券", "dest_code": "1"}],
                                  api_key=sms_key)
        check("an SMS reply answers its message", status == 200 and answer["applied"] == 1 and answer["unsubscribed"] == 1,
              str(answer))
        status, dncs = api.call("GET", f"/customers/{replier}/do-not-contact")
        check("a TD reply unsubscribes from SMS", any(d["channel"] == "sms" and d["reason"] == "unsubscribed"
                                                      for d in dncs["items"]), str(dncs))
        status, results = api.call("GET", f"/campaigns/{sid}/results")
        check("results count the reply", results["treated"]["replied"] == 1 and results["treated"]["delivered"] ==
              len(messages), str(results))

        # 4. SIGKILL mid-send.
        smtp.mailbox.messages.clear()
        status, campaign = api.call("POST", "/campaigns", {
            "name": "大批量", "channel": "email", "purpose": "service", "segment": {}, "subject": "通知{{customer_id}}",
            "body_text": "{{name}}", "control_percent": 0})
        kid = campaign["campaign_id"]
        process.kill()
        process.wait()
        process, port = serve(db, smtp.port, sms_port, "--email-per-second", "150")
        api = Api(port)
        api.login("hqanalyst")
        status, launched = wait_for(lambda: (lambda r: r if r[0] != 503 else None)(api.call("POST", f"/campaigns/{kid}/launch")), 60)
        assert status == 200, launched
        total = launched["campaign"]["audience"]["messaged"]
        wait_for(lambda: len(smtp.received()) > total // 4, 60, 0.05)
        process.kill()
        process.wait()
        at_kill = len(smtp.received())
        check("killed mid-send", 0 < at_kill < total, f"{at_kill} of {total}")
        process, port = serve(db, smtp.port, sms_port, "--email-per-second", "500")
        api = Api(port)
        api.login("hqanalyst")
        check("finished after the restart", wait_for(lambda: campaign_state(api, kid) == "finished", 120))
        got = smtp.received()
        ids = [m["Message-ID"].strip("<>").split("@")[0] for m in got]
        messages = all_messages(api, kid)
        sent_ids = {m_["out_id"] for m_ in messages if m_["state"] == "sent"}
        in_doubt = {m_["out_id"] for m_ in messages if m_["state"] == "failed" and m_["error"].startswith("in_doubt")}
        # The refused mailboxes not yet bounced (the first campaign's control group) bounce here.
        refusals = {m_["out_id"] for m_ in messages if m_["state"] == "bounced" and m_["customer_id"] in refused}
        other = [m_ for m_ in messages if m_["state"] != "sent" and m_["out_id"] not in in_doubt | refusals]
        check("no message arrived twice", len(ids) == len(set(ids)), f"{len(ids)} vs {len(set(ids))}")
        check("every message marked sent arrived", sent_ids <= set(ids))
        check("what arrived was sent or in flight at the kill", set(ids) <= sent_ids | in_doubt)
        check("none lost: each is sent, refused or in doubt", not other and
              len(sent_ids) + len(in_doubt) + len(refusals) == total,
              f"{len(sent_ids)} + {len(in_doubt)} + {len(refusals)} vs {total}; {other[:2]}")
        print(f"killed after {at_kill} of {total} e-mails had arrived; {len(in_doubt)} in doubt at the restart")
        check("at most the one e-mail in flight is in doubt", len(in_doubt) <= 1, str(len(in_doubt)))

        # 5. Uplift with a planted effect: portal messages, then buys of the product by
        # 40% of the treated and 10% of the control group.
        status, campaign = api.call("POST", "/campaigns", {
            "name": "基金定投", "channel": "portal", "segment": {}, "subject": "{{name}}，基金定投", "body_text": "推荐",
            "risk_level": "R1", "product_id": "UPLIFT01", "control_percent": 50, "conversion_days": 30})
        uid = campaign["campaign_id"]
        status, launched = wait_for(lambda: (lambda r: r if r[0] != 503 else None)(api.call("POST", f"/campaigns/{uid}/launch")), 60)
        check("the uplift campaign launched", status == 200, str(launched))
        wait_for(lambda: campaign_state(api, uid) == "finished", 60)
        arms = dict(sqlite3.connect(db).execute(
            "SELECT customer_id, control FROM campaign_recipients WHERE campaign_id = ? AND eligible = 1", (uid,)).fetchall())
        accounts = dict(sqlite3.connect(db).execute("SELECT customer_id, MIN(account_id) FROM accounts GROUP BY customer_id"))
        rng = random.Random(7)
        events = []
        now = time.strftime("%Y-%m-%dT%H:%M:%S+00:00", time.gmtime())
        for customer, control in arms.items():
            if customer in accounts and rng.random() < (0.10 if control else 0.40):
                events.append({"event_id": f"uplift-{customer}", "type": "trade", "data": {
                    "trade_id": f"UP-{customer}", "customer_id": customer, "account_id": accounts[customer],
                    "trade_time": now, "market": "SH", "symbol": "UPLIFT01", "product_type": "fund", "side": "buy",
                    "quantity": 100, "price": 1.0, "amount": 100, "commission": 0.1, "channel": "app"}})
        api.login("admin")
        for i in range(0, len(events), 1000):
            status, answer = api.call("POST", "/events", events[i:i + 1000])
            check("planted trades accepted", status == 200, str(answer)[:200])
        api.login("hqanalyst")
        status, results = wait_for(lambda: (lambda r: r if r[0] == 200 and r[1]["treated"]["converted"] > 0 else None)(
            api.call("GET", f"/campaigns/{uid}/results")), 60)
        conversion = results["conversion"]
        low, high = conversion["ci95"]
        check("the planted uplift (0.30) is within the 95% interval", low <= 0.30 <= high and low > 0, str(conversion))
        check("both arms are large enough", results["treated"]["eligible"] > 500 and results["control"]["eligible"] > 500,
              str(results))
    finally:
        process.kill()
        smtp.stop()
        sms_server.shutdown()
    print(f"{passed} passed, {failed} failed")
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
