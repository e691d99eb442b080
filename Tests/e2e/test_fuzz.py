"""Fuzzing every route of the real server with random and mutated requests.

The operations come from Schemas/openapi.yaml (which test_openapi.py proves
covers every route). Each request takes an operation, sometimes another
method, path parameters that are real ids or mangled ones, a query string
from the operation's parameters with mangled values and unknown keys, one of
several tokens (the administrator's, an agent's, another account's, a wrong
one, none), and for writes a body made from the operation's schema and then
mutated: type swaps, huge and negative numbers, deep nesting, invalid UTF-8,
truncated JSON, strings near the body limit, unknown and missing fields, null
everywhere, non-object JSON. The generator is seeded (the seed is printed;
PARLEY_FUZZ_SEED replays a run) and the requests run over a few concurrent
connections.

Asserted: no 5xx ever; every 4xx carries exactly `{"error": {"code",
"message"}}`; no request outlives a generous timeout; the server is alive at
the end and ready; and a batch of requests that must all be refused (no or
wrong tokens, another account's token, bodies that are not JSON objects)
leaves the log head where it was.
"""

import json
import os
import random
import secrets
import time
import threading
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field

import pytest
import requests

from test_openapi import METHODS, load_spec, world  # noqa: F401  (world is a fixture)

REQUESTS = int(os.environ.get("PARLEY_FUZZ_REQUESTS", "10000"))
REFUSED_REQUESTS = 1000
CONNECTIONS = 4
# Far above any answer a healthy debug build gives on a loaded 2-core machine: only a hang exceeds it.
HANG_SECONDS = 30
BODY_LIMIT = 1 << 20
# SwiftNIO's HTTP parser refuses a request line and headers over 80 KB with a
# bare 400 (no JSON body) before any Parley code runs; query values stay well
# below that so every answer here comes from Parley.
QUERY_VALUE_BYTES = 4000


@dataclass
class Operation:
    method: str
    path: str
    query: list[dict]
    body: dict | None
    public: bool
    platform: bool


@dataclass
class Probe:
    """One request, fully decided before anything is sent."""

    method: str
    path: str
    query: list[tuple[str, str]] | str
    headers: dict[str, str]
    data: bytes | None
    what: str = ""


@dataclass
class Outcome:
    """What a run of probes got: how many of each answer (a status, or how it
    failed), and a line for every request that broke a rule."""

    failures: list[str] = field(default_factory=list)
    answers: Counter = field(default_factory=Counter)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def record(self, answer: str, failure: str | None):
        with self.lock:
            self.answers[answer] += 1
            if failure:
                self.failures.append(failure)


SPEC = load_spec()


def resolve(node):
    """`node` with the spec's `$ref`s followed."""
    while isinstance(node, dict) and "$ref" in node:
        kind, name = node["$ref"].split("/")[-2:]
        node = SPEC["components"][kind][name]
    return node


def operations() -> list[Operation]:
    result = []
    for path, item in SPEC["paths"].items():
        shared = [resolve(parameter) for parameter in item.get("parameters", [])]
        for method, operation in item.items():
            if method not in METHODS:
                continue
            parameters = shared + [resolve(parameter) for parameter in operation.get("parameters", [])]
            body = None
            if "requestBody" in operation:
                body = resolve(resolve(operation["requestBody"])["content"]["application/json"]["schema"])
            result.append(
                Operation(
                    method=method.upper(), path=path, query=[p for p in parameters if p["in"] == "query"],
                    body=body, public=operation.get("security") == [],
                    platform=path.startswith("/platform/"),
                )
            )
    return result


class Generator:
    """Builds probes from a seeded RNG, so a seed replays the same requests."""

    def __init__(self, rng: random.Random, world: dict, tokens: dict[str, str]):
        self.rng = rng
        self.world = world
        self.tokens = tokens

    # ------------------------------------------------------------ values

    def hex(self, size: int) -> str:
        """Random hex from the seeded generator (secrets would not replay)."""
        return f"{self.rng.getrandbits(size * 8):0{size * 2}x}"

    def weird_scalar(self):
        return self.rng.choice([
            -1, -(2**63), 2**64, 2**53 + 1, 1e308, -1e308, 0.5, 1e-320, 0, True, False, None, "", " ", "0", "-1",
            "9" * 40, "x" * self.rng.choice([1, 300, 70_000]), "\u0000", "é\u202e\ud7ff", "💥" * 50, "null",
            "<script>", "'; DROP TABLE", [], {}, [None], {"": None},
        ])

    def weird_path_value(self) -> str:
        return self.rng.choice([
            "0", "-1", "1.5", "abc", "9" * 30, str(2**53), str(2**64), "%00", "%ff%fe", "..", "%2e%2e", "1e3", "0x10",
            "+1", "%20", "é", "💥", "1" * 300, "a" * 5000, str(self.rng.randrange(1, 10**6)),
        ])

    def value_for(self, schema, depth=0):
        """A value that fits `schema` most of the time."""
        schema = resolve(schema or {})
        if "enum" in schema:
            return self.rng.choice(schema["enum"])
        if "const" in schema:
            return schema["const"]
        for key in ("anyOf", "oneOf"):
            if key in schema:
                return self.value_for(self.rng.choice(schema[key]), depth)
        kind = schema.get("type", self.rng.choice(["string", "integer", "object"]))
        if isinstance(kind, list):
            kind = self.rng.choice(kind)
        if kind == "object" or "properties" in schema:
            if depth > 3:
                return {}
            properties = schema.get("properties", {})
            required = set(schema.get("required", []))
            return {
                name: self.value_for(sub, depth + 1)
                for name, sub in properties.items()
                if name in required or self.rng.random() < 0.5
            }
        if kind == "array":
            return [self.value_for(schema.get("items"), depth + 1) for _ in range(self.rng.randrange(0, 4))]
        if kind == "integer":
            return self.rng.choice([0, 1, self.rng.randrange(0, 1000), *[v for v in self.world.values() if isinstance(v, int)]])
        if kind == "number":
            return self.rng.uniform(-14, 14)
        if kind == "boolean":
            return self.rng.random() < 0.5
        if kind == "null":
            return None
        return self.rng.choice(["x", "spec", "https://example.com/h", "open", "on", "Europe/Berlin", "a@example.com"])

    # ------------------------------------------------------------ bodies

    def nested(self, depth: int) -> bytes:
        opener, closer = self.rng.choice([(b"[", b"]"), (b'{"a":', b"}")])
        return opener * depth + b"1" + closer * depth

    def mutate(self, body: dict, schema: dict | None) -> tuple[bytes, str]:
        """A JSON body made from `body`, mutated one way or another."""
        rng = self.rng
        choice = rng.randrange(16)
        if choice == 0:
            for name in list(body)[: rng.randrange(0, len(body) + 1)]:
                body[name] = self.weird_scalar()
            return json.dumps(body).encode(), "type swaps"
        if choice == 1:
            body[rng.choice(["zz_unknown", "id", "account_id", "__proto__", ""])] = self.weird_scalar()
            return json.dumps(body).encode(), "unknown field"
        if choice == 2:
            required = (resolve(schema or {})).get("required", [])
            for name in required:
                body.pop(name, None)
            return json.dumps(body).encode(), "missing fields"
        if choice == 3:
            return json.dumps({name: None for name in body} or {"x": None}).encode(), "null everywhere"
        if choice == 4:
            text = json.dumps(body).encode()
            return text[: rng.randrange(0, max(1, len(text)))], "truncated"
        if choice == 5:
            return b'{"name": "\xff\xfe\xc3\x28", "content": "\xed\xa0\x80"}', "invalid UTF-8"
        if choice == 6:
            return self.nested(rng.choice([64, 1000, 100_000])), "deep nesting"
        if choice == 7:
            size = rng.choice([BODY_LIMIT - 64, BODY_LIMIT - 1, BODY_LIMIT + 1, BODY_LIMIT * 2])
            key = rng.choice(list(body) or ["content"])
            return ('{"' + key + '":"').encode() + b"x" * (size - len(key) - 7) + b'"}', "near the body limit"
        if choice == 8:
            return rng.choice([b"[]", b'"text"', b"42", b"null", b"true", b"[{}]"]), "not an object"
        if choice == 9:
            return rng.choice([b"{\"a\":NaN}", b"{\"a\":Infinity}", b"{\"a\":-0}", b"{\"a\":1e999999}", b"{\"a\":01}"]), "bad numbers"
        if choice == 10:
            name = rng.choice(list(body) or ["name"])
            return f'{{"{name}": 1, "{name}": "x"}}'.encode(), "duplicate keys"
        if choice == 11:
            return b"\xef\xbb\xbf" + json.dumps(body).encode(), "byte order mark"
        if choice == 12:
            for name in list(body):
                body[name] = rng.choice([-1, -(2**31), 2**63, 10**30, -1e300])
            return json.dumps(body).encode(), "huge and negative numbers"
        if choice == 13:
            return b"", "empty"
        if choice == 14:
            return json.dumps(body).encode()[:-1] + b',"x":{"y":[' * 3, "garbage tail"
        return json.dumps(body).encode(), "plausible"

    # ------------------------------------------------------------ requests

    def path(self, template: str) -> str:
        def fill(name: str) -> str:
            if name in self.world and self.rng.random() < 0.75:
                return str(self.world[name])
            return self.weird_path_value()

        out = template
        while "{" in out:
            start = out.index("{")
            end = out.index("}", start)
            out = out[:start] + fill(out[start + 1 : end]) + out[end + 1 :]
        return out

    def query(self, operation: Operation) -> list[tuple[str, str]] | str:
        """Pairs for the operation's parameters, or now and then a raw, malformed query string."""
        if self.rng.random() < 0.1:
            return self.rng.choice([
                "q=%ff%fe", "page=%zz", "labels[]=%C0%AF&labels[]=", "&&&=&=", "status", "page=1&page=2&page=x",
                "since=1&until=0", "q=" + "%41" * 3000, "%00=%00", "a=b=c", "stream=account:1:2:3",
            ])
        pairs = []
        for parameter in operation.query:
            if self.rng.random() < 0.5:
                continue
            value = self.value_for(parameter.get("schema")) if self.rng.random() < 0.6 else self.weird_scalar()
            values = value if isinstance(value, list) else [value]
            for item in values or [""]:
                text = item if isinstance(item, str) else json.dumps(item)
                pairs.append((parameter["name"], text[:QUERY_VALUE_BYTES]))
        if self.rng.random() < 0.2:
            pairs.append((self.rng.choice(["zz", "page", "q", "labels[]", "%ff", "a[b][c]"]), str(self.weird_scalar())))
        return pairs

    def token(self, operation: Operation) -> str | None:
        kinds = ["admin"] * 5 + ["agent"] * 2 + ["other", "wrong", "none", "long"]
        if operation.platform:
            kinds += ["platform"] * 6
        kind = self.rng.choice(kinds)
        return {"wrong": self.hex(24), "none": None, "long": "t" * 600}.get(kind, self.tokens.get(kind))

    def probe(self, operations: list[Operation]) -> Probe:
        rng = self.rng
        operation = rng.choice(operations)
        method = operation.method if rng.random() < 0.85 else rng.choice(["GET", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"])
        headers = {}
        token = self.token(operation)
        if token is not None:
            headers["api_access_token"] = token
        if rng.random() < 0.2:
            headers["Idempotency-Key"] = rng.choice(["k", self.hex(20), "x" * 300, "", "with space"])
        data, what = None, "no body"
        if method in ("POST", "PUT", "PATCH", "DELETE") and (operation.body is not None or rng.random() < 0.3):
            body = self.value_for(operation.body) if operation.body is not None else {}
            data, what = self.mutate(body if isinstance(body, dict) else {}, operation.body)
            headers["Content-Type"] = rng.choice(["application/json"] * 4 + ["text/plain", "application/x-www-form-urlencoded"])
        return Probe(method, self.path(operation.path), self.query(operation), headers, data, what)

    def refused(self, operations: list[Operation]) -> Probe:
        """A request every route must refuse before it writes anything."""
        rng = self.rng
        # The profile belongs to whoever's token it is: another account's token is valid there.
        operation = rng.choice([op for op in operations if not op.public and not op.path.startswith("/api/v1/profile")])
        headers = {}
        kind = rng.choice(["none", "wrong", "other", "body"] if operation.body is not None else ["none", "wrong", "other"])
        if operation.platform and kind == "other":
            kind = "wrong"
        token = {"none": None, "wrong": self.hex(24), "other": self.tokens["other"]}.get(kind, self.tokens.get("admin"))
        if operation.platform and kind == "body":
            token = self.tokens["platform"]
        if token is not None:
            headers["api_access_token"] = token
        data = json.dumps(self.value_for(operation.body) or {}).encode() if operation.body is not None else None
        if kind == "body":
            data = rng.choice([b"[]", b"{", b'{"name": "\xff"}', b"42", self.nested(100_000), b'{"a":NaN}'])
        if data is not None:
            headers["Content-Type"] = "application/json"
        return Probe(operation.method, self.path(operation.path), self.query(operation), headers, data, f"refused: {kind}")


def send(base_url: str, probe: Probe, sessions: threading.local, outcome: Outcome):
    session = getattr(sessions, "session", None)
    if session is None:
        session = sessions.session = requests.Session()
    described = f"{probe.method} {probe.path} query={probe.query!r} {probe.what} headers={sorted(probe.headers)}"
    try:
        raw = isinstance(probe.query, str)
        r = session.request(
            probe.method, base_url + probe.path + ("?" + probe.query if raw else ""),
            params=None if raw else probe.query, headers=probe.headers, data=probe.data,
            timeout=HANG_SECONDS,
        )
    except requests.Timeout:
        outcome.record("timeout", f"no answer within {HANG_SECONDS}s: {described}")
        return
    except requests.ConnectionError as error:
        sessions.session = None
        # The server may refuse a body over the limit before reading it all and close the connection.
        if probe.data is not None and len(probe.data) > BODY_LIMIT:
            outcome.record("closed on a body over the limit", None)
            return
        outcome.record("connection failed", f"connection failed ({error}): {described}")
        return
    failure = None
    if r.status_code >= 500:
        failure = f"{r.status_code} {r.text[:300]!r}: {described}"
    elif 400 <= r.status_code < 500:
        try:
            body = r.json()
            shaped = (
                set(body) == {"error"} and set(body["error"]) == {"code", "message"}
                and isinstance(body["error"]["code"], str) and body["error"]["code"]
                and isinstance(body["error"]["message"], str)
            )
        except ValueError:
            shaped = False
        if not shaped:
            failure = f"{r.status_code} without the error shape {r.text[:300]!r}: {described}"
    outcome.record(str(r.status_code), failure)


def run(base_url: str, probes: list[Probe]) -> Outcome:
    outcome = Outcome()
    sessions = threading.local()
    with ThreadPoolExecutor(max_workers=CONNECTIONS) as pool:
        for _ in pool.map(lambda probe: send(base_url, probe, sessions, outcome), probes):
            pass
    return outcome


@pytest.fixture
def tokens(server, workspace, platform) -> dict[str, str]:
    """The administrator's and an agent's tokens, another account's administrator's, and the platform token."""
    agent = workspace.new_user("agent")
    other = platform.post("/platform/api/v1/accounts", json={"name": "Fuzz neighbour"}).json()["id"]
    user = platform.post(
        "/platform/api/v1/users", json={"name": "Neighbour", "email": f"n-{secrets.token_hex(4)}@example.com"}
    ).json()
    assert platform.post(
        f"/platform/api/v1/accounts/{other}/account_users", json={"user_id": user["id"], "role": "administrator"}
    ).status_code == 200
    return {"admin": workspace.admin.token, "agent": agent.token, "other": user["access_token"], "platform": server.platform_token}


def head(server) -> int:
    r = requests.get(server.base_url + "/readyz", timeout=HANG_SECONDS)
    assert r.status_code == 200, r.text
    return r.json()["head"]


def settled_head(server, quiet_seconds: float = 6.0) -> int:
    """The head once nothing has been appended for longer than the typing
    timeout (5 s): earlier tests' typing indicators stop by themselves, and
    those automatic `typing_off` events must not count as this test's writes."""
    deadline = time.monotonic() + 60
    last, since = head(server), time.monotonic()
    while time.monotonic() - since < quiet_seconds:
        assert time.monotonic() < deadline, "the log never went quiet"
        time.sleep(0.5)
        now = head(server)
        if now != last:
            last, since = now, time.monotonic()
    return last


def test_fuzzing_every_route_finds_no_crash_no_5xx_and_no_hang(server, world, tokens):
    seed = int(os.environ.get("PARLEY_FUZZ_SEED", secrets.randbelow(2**31)))
    print(f"fuzz seed: {seed} (PARLEY_FUZZ_SEED={seed} replays it)")
    generator = Generator(random.Random(seed), world, tokens)
    ops = operations()

    refused = [generator.refused(ops) for _ in range(REFUSED_REQUESTS)]
    before = settled_head(server)
    outcome = run(server.base_url, refused)
    assert outcome.failures == [], "\n".join(outcome.failures[:20])
    assert all(answer.startswith("4") for answer in outcome.answers), outcome.answers
    assert head(server) == before, "a refused request wrote to the log"

    probes = [generator.probe(ops) for _ in range(REQUESTS - REFUSED_REQUESTS)]
    outcome = run(server.base_url, probes)
    print("answers:", dict(sorted(outcome.answers.items())))
    assert outcome.failures == [], f"{len(outcome.failures)} failures:\n" + "\n".join(outcome.failures[:30])
    assert sum(outcome.answers.values()) == len(probes)
    assert outcome.answers["200"] > len(probes) // 20, "too few requests got through to do what they asked"

    assert server.process.poll() is None, "the server exited"
    assert requests.get(server.base_url + "/healthz", timeout=HANG_SECONDS).json() == {"status": "ok"}
    head(server)
