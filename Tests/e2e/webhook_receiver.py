"""A real HTTP endpoint on loopback for webhook tests: records every request
it gets, and answers 200, fails (500) or hangs past the server's timeout on
command."""

import hashlib
import hmac
import json
import threading
import time
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


@dataclass
class Attempt:
    """One request the receiver got, and what it answered."""

    headers: dict
    body: bytes
    status: int

    @property
    def json(self) -> dict:
        return json.loads(self.body)

    @property
    def event(self) -> str:
        return self.headers["X-Chatwoot-Event"]

    @property
    def delivery(self) -> str:
        return self.headers["X-Chatwoot-Delivery"]

    def signed_with(self, secret: str) -> bool:
        timestamp = self.headers["X-Chatwoot-Timestamp"]
        expected = hmac.new(secret.encode(), f"{timestamp}.".encode() + self.body, hashlib.sha256).hexdigest()
        return hmac.compare_digest(self.headers["X-Chatwoot-Signature"], "sha256=" + expected)


class Receiver:
    """`mode` is "ok", "fail" (500) or "hang" (answers only after `hang_seconds`);
    `fail_next` fails that many requests first, whatever the mode."""

    def __init__(self):
        self.lock = threading.Lock()
        self.attempts: list[Attempt] = []
        self.mode = "ok"
        self.fail_next = 0
        self.hang_seconds = 3.0
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_POST(self):
                length = int(self.headers.get("Content-Length", "0"))
                body = self.rfile.read(length)
                if len(body) < length:
                    # The sender went away mid-request (a killed server): nothing was delivered.
                    self.close_connection = True
                    return
                with receiver.lock:
                    if receiver.fail_next > 0:
                        receiver.fail_next -= 1
                        status = 500
                    else:
                        status = 500 if receiver.mode == "fail" else 200
                    hang = receiver.mode == "hang"
                if hang:
                    time.sleep(receiver.hang_seconds)
                with receiver.lock:
                    receiver.attempts.append(Attempt(dict(self.headers), body, status))
                self.send_response(status)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args):
                pass

        self.http = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.http.daemon_threads = True
        self.thread = threading.Thread(target=self.http.serve_forever, daemon=True)
        self.thread.start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.http.server_address[1]}/hook"

    def all(self) -> list[Attempt]:
        with self.lock:
            return list(self.attempts)

    def delivered(self) -> list[Attempt]:
        return [a for a in self.all() if a.status == 200]

    def close(self):
        self.http.shutdown()
        self.http.server_close()


def eventually(check, timeout: float = 30.0):
    """Polls `check` until it returns something truthy; fails after `timeout` seconds."""
    deadline = time.monotonic() + timeout
    while True:
        value = check()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"condition not met within {timeout} s")
        time.sleep(0.05)
