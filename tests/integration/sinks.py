#!/usr/bin/python3
"""Real receivers for the notification tests: an SMTP server and an HTTP
endpoint in the manner of an SMS provider, on free loopback ports. Each
message received is written to DIR as its own file (mail-N.eml with the
envelope recipients on the first line, sms-N.txt with the form fields and
the Idempotency-Key header), so the test reads what a customer would get.

    sinks.py DIR        prints "READY smtp=PORT http=PORT" once listening

Uses Python's standard library only (smtpd ships with Debian's Python 3.11).
"""
import warnings

warnings.simplefilter("ignore", DeprecationWarning)
import asyncore  # noqa: E402
import http.server  # noqa: E402
import os  # noqa: E402
import smtpd  # noqa: E402
import sys  # noqa: E402
import threading  # noqa: E402
import urllib.parse  # noqa: E402

out_dir = sys.argv[1]
counter = {"mail": 0, "sms": 0}
lock = threading.Lock()


def next_path(kind, suffix):
    with lock:
        counter[kind] += 1
        return os.path.join(out_dir, "%s-%d.%s" % (kind, counter[kind], suffix))


class Mail(smtpd.SMTPServer):
    def process_message(self, peer, mailfrom, rcpttos, data, **kwargs):
        if isinstance(data, bytes):
            data = data.decode("utf-8", "replace")
        path = next_path("mail", "eml")
        with open(path + ".tmp", "w") as f:
            f.write("RCPT: %s\n%s" % (",".join(rcpttos), data))
        os.rename(path + ".tmp", path)  # whole files only


class Sms(http.server.BaseHTTPRequestHandler):
    def do_POST(self):
        length = int(self.headers.get("Content-Length", "0"))
        form = urllib.parse.parse_qs(self.rfile.read(length).decode())
        path = next_path("sms", "txt")
        with open(path + ".tmp", "w") as f:
            f.write("Idempotency-Key: %s\n" % self.headers.get("Idempotency-Key"))
            for key in ("From", "To", "Body"):
                f.write("%s: %s\n" % (key, form.get(key, [""])[0]))
        os.rename(path + ".tmp", path)
        self.send_response(201)
        self.send_header("Content-Type", "application/json")
        self.end_headers()
        self.wfile.write(b'{"status":"queued"}')

    def log_message(self, *args):
        pass


mail = Mail(("127.0.0.1", 0), None, decode_data=True)
web = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Sms)
threading.Thread(target=web.serve_forever, daemon=True).start()
print("READY smtp=%d http=%d" % (mail.socket.getsockname()[1],
                                 web.server_address[1]), flush=True)
asyncore.loop()
