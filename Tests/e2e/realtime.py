"""Helpers for the realtime tests: what a test needs made over HTTP (an API
inbox, a contact with its realtime token, a conversation, messages), agent
tokens, and a small raw client of Centrifugo's JSON protocol over
`websockets` that every await of which has a deadline."""

import asyncio
import json
import secrets
import socket
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field

import requests
from websockets.asyncio.client import connect as ws_connect
from websockets.exceptions import ConnectionClosed

from conftest import Agent, Api, Server, Workspace, new_workspace

# Seconds any single wait of a test may take before it fails.
TIMEOUT = 10.0


# What each running event loop must do when its test body ends: close the connections it opened.
_cleanups: dict = {}


def on_finish(cleanup) -> None:
    """Registers an async callable that ``run`` awaits when the test body ends, whatever happened."""
    _cleanups.setdefault(asyncio.get_running_loop(), []).append(cleanup)


def run(coroutine, timeout: float = 60.0):
    """Runs an async test body with an overall deadline; the connections it
    opened are closed at the end, whatever happened, so a failed test leaves
    none behind."""
    async def bounded():
        try:
            async with asyncio.timeout(timeout):
                return await coroutine
        finally:
            for cleanup in _cleanups.pop(asyncio.get_running_loop(), []):
                async with asyncio.timeout(TIMEOUT):
                    await cleanup()
    return asyncio.run(bounded())


def ws_url(server: Server) -> str:
    return server.base_url.replace("http://", "ws://") + "/connection/websocket"


def epoch_of(server: Server) -> str:
    return requests.get(server.base_url + "/readyz", timeout=10).json()["epoch"]


@contextmanager
def own_server(data_dir, **settings):
    """A server of the test's own with `PARLEY_<SETTING>` values; it must stop cleanly."""
    env = {f"PARLEY_{name.upper()}": str(value) for name, value in settings.items()}
    server = Server(str(data_dir), "platform-" + secrets.token_hex(16), env)
    try:
        yield server
    except BaseException:
        server.stop()
        raise
    assert server.stop() == 0


def small_socket(server) -> socket.socket:
    """A connected socket with a small receive buffer, so that a client that stops reading stalls its sender soon."""
    host, port = server.base_url.removeprefix("http://").split(":")
    sock = socket.socket()
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
    sock.settimeout(TIMEOUT)
    sock.connect((host, int(port)))
    return sock


def workspace_on(server: Server) -> Workspace:
    """A new account on a server a test started itself."""
    return new_workspace(server, Api(server.base_url, server.platform_token))


def make_inbox(ws: Workspace, name: str = "Realtime") -> dict:
    r = ws.admin.api.post(f"{ws.path}/inboxes", json={"name": name, "channel": {"type": "api"}})
    assert r.status_code == 200, r.text
    return r.json()


def add_agent(ws: Workspace, inbox: dict, agent: Agent) -> None:
    r = ws.admin.api.post(f"{ws.path}/inbox_members", json={"inbox_id": inbox["id"], "user_ids": [agent.id]})
    assert r.status_code == 200, r.text


@dataclass
class Chat:
    """A contact of an inbox (made through the Public API) and one conversation of theirs."""

    ws: Workspace
    inbox: dict
    contact: dict
    conversation_id: int
    widget: Api = field(repr=False)

    @property
    def token(self) -> str:
        """The contact's realtime token."""
        return self.contact["pubsub_token"]

    @property
    def channel(self) -> str:
        return f"conversation:{self.ws.account_id}:{self.conversation_id}"

    @property
    def contact_channel(self) -> str:
        return f"contact:{self.ws.account_id}:{self.contact['id']}"

    @property
    def inbox_channel(self) -> str:
        return f"inbox:{self.ws.account_id}:{self.inbox['id']}"

    @property
    def public_path(self) -> str:
        return (f"/public/api/v1/inboxes/{self.inbox['inbox_identifier']}/contacts/{self.contact['source_id']}"
                f"/conversations/{self.conversation_id}")

    def post(self, content: str, agent: Agent | None = None, **fields) -> dict:
        """A message by an agent (the administrator by default) over HTTP."""
        api = (agent or self.ws.admin).api
        r = api.post(f"{self.ws.path}/conversations/{self.conversation_id}/messages", json={"content": content, **fields})
        assert r.status_code == 200, r.text
        return r.json()

    def contact_post(self, content: str) -> dict:
        """A message by the contact over the Public API."""
        r = self.widget.post(f"{self.public_path}/messages", json={"content": content})
        assert r.status_code == 200, r.text
        return r.json()


def open_chat(ws: Workspace, inbox: dict | None = None, name: str = "Visitor") -> Chat:
    inbox = inbox or make_inbox(ws)
    widget = Api(ws.server.base_url, None)
    base = f"/public/api/v1/inboxes/{inbox['inbox_identifier']}/contacts"
    r = widget.post(base, json={"name": name})
    assert r.status_code == 200, r.text
    contact = r.json()
    r = widget.post(f"{base}/{contact['source_id']}/conversations", json={})
    assert r.status_code == 200, r.text
    return Chat(ws, inbox, contact, r.json()["id"], widget)


def post_many(ws: Workspace, conversation_ids: list[int], count: int, prefix: str = "m", pad: int = 0,
              threads: int = 8) -> list[str]:
    """Posts `count` messages as the administrator, round-robin over the
    conversations, from several threads (a conversation takes at most 200
    messages a minute); returns their contents."""
    contents = [f"{prefix}-{index}" + "x" * pad for index in range(count)]
    apis = [Api(ws.server.base_url, ws.admin.token) for _ in range(threads)]

    def send(worker: int) -> None:
        for index in range(worker, count, threads):
            conversation = conversation_ids[index % len(conversation_ids)]
            r = apis[worker].post(f"{ws.path}/conversations/{conversation}/messages", json={"content": contents[index]})
            assert r.status_code == 200, r.text

    with ThreadPoolExecutor(threads) as pool:
        list(pool.map(send, range(threads)))
    return contents


def head(ws: Workspace, stream: str) -> int:
    """The last sequence of `stream`, through the events route."""
    events = stream_events(ws, stream)
    return seq_in(events[-1], stream) if events else 0


def agent_token(ws: Workspace, agent: Agent | None = None) -> str:
    r = (agent or ws.admin).api.post(f"{ws.path}/realtime_token")
    assert r.status_code == 200, r.text
    return r.json()["token"]


def events_page(ws: Workspace, stream: str, after: int = 0, limit: int = 1000) -> requests.Response:
    return ws.admin.api.get(f"{ws.path}/events", params={"stream": stream, "after": after, "limit": limit})


def stream_events(ws: Workspace, stream: str) -> list:
    """Every stored event of `stream` through the events route, as the administrator reads it."""
    events, after = [], 0
    while True:
        r = events_page(ws, stream, after)
        assert r.status_code == 200, r.text
        page = r.json()
        if not page["events"]:
            return events
        events += page["events"]
        after = page["next_after"]


def seq_in(event: dict, stream: str) -> int:
    return next(m["seq"] for m in event["streams"] if m["stream"] == stream)


# Raw JSON: byte-level pieces of a frame line, to compare what the server wrote.

_decoder = json.JSONDecoder()


def _skip_space(text: str, index: int) -> int:
    while index < len(text) and text[index] in " \t\r\n":
        index += 1
    return index


def raw_members(text: str) -> dict[str, str]:
    """The members of a JSON object as the exact text of each value."""
    index = _skip_space(text, 0)
    assert text[index] == "{", text[:80]
    members: dict[str, str] = {}
    index = _skip_space(text, index + 1)
    if text[index] == "}":
        return members
    while True:
        key, index = _decoder.raw_decode(text, index)
        index = _skip_space(text, index)
        assert text[index] == ":"
        start = _skip_space(text, index + 1)
        _, end = _decoder.raw_decode(text, start)
        members[key] = text[start:end]
        index = _skip_space(text, end)
        if text[index] == "}":
            return members
        assert text[index] == ","
        index = _skip_space(text, index + 1)


def raw_elements(text: str) -> list[str]:
    """The elements of a JSON array as the exact text of each."""
    index = _skip_space(text, 0)
    assert text[index] == "["
    elements: list[str] = []
    index = _skip_space(text, index + 1)
    if text[index] == "]":
        return elements
    while True:
        _, end = _decoder.raw_decode(text, index)
        elements.append(text[index:end])
        index = _skip_space(text, end)
        if text[index] == "]":
            return elements
        assert text[index] == ","
        index = _skip_space(text, index + 1)


def raw_publications(reply_line: str, result: str) -> list[str]:
    """The exact text of each publication in a subscribe or history reply line."""
    body = raw_members(raw_members(reply_line)[result])
    return raw_elements(body["publications"]) if "publications" in body else []


def raw_data(publication: str) -> str:
    """The exact text of a publication's `data`."""
    return raw_members(publication)["data"]


@dataclass
class Frame:
    """One JSON object the server sent, parsed, with its exact text."""

    json: dict
    raw: str


class RawClient:
    """A WebSocket speaking Centrifugo's JSON protocol line by line.

    A reader task splits each text frame on newlines, answers the server's
    `{}` pings with `{}` while `pong` is set, keeps replies by id and
    collects pushes in arrival order; every wait has a deadline and fails
    the test with what was awaited."""

    def __init__(self, conn, pong: bool = True):
        self.conn = conn
        self.pong = pong
        self.replies: dict[int, Frame] = {}
        self.pushes: list[Frame] = []
        self._publication_counts: dict[str, int] = {}
        self.last_offset: dict[str, int] = {}
        self.pings = 0
        self.lines: list[str] = []
        # Lines that are not JSON: the server must never write one.
        self.unparseable: list[str] = []
        self.close_code: int | None = None
        self.close_reason = ""
        self.closed = asyncio.Event()
        # Cleared to stop reading: frames then pile up in the socket, as for a stalled client.
        self.reading = asyncio.Event()
        self.reading.set()
        self._changed = asyncio.Event()
        self._next_id = 0
        self._reader = asyncio.create_task(self._read())
        on_finish(self._drop)

    @classmethod
    async def open(cls, url: str, pong: bool = True, **options) -> "RawClient":
        async with asyncio.timeout(TIMEOUT):
            conn = await ws_connect(url, ping_interval=None, compression=None, proxy=None, max_size=None,
                                    close_timeout=2, **options)
        return cls(conn, pong)

    async def _read(self) -> None:
        try:
            while True:
                await self.reading.wait()
                message = await self.conn.recv()
                if isinstance(message, bytes):
                    message = message.decode(errors="replace")
                for line in message.split("\n"):
                    self.lines.append(line)
                    try:
                        frame = Frame(json.loads(line), line)
                    except ValueError:
                        self.unparseable.append(line)
                        continue
                    if frame.json == {}:
                        self.pings += 1
                        if self.pong:
                            await self.conn.send("{}")
                    elif frame.json.get("id"):
                        self.replies[frame.json["id"]] = frame
                    else:
                        self.pushes.append(frame)
                        push = frame.json["push"]
                        if "pub" in push:
                            self._publication_counts[push["channel"]] = self._publication_counts.get(push["channel"], 0) + 1
                            if "offset" in push["pub"]:
                                self.last_offset[push["channel"]] = push["pub"]["offset"]
                self._changed.set()
        except ConnectionClosed:
            pass
        self.close_code = self.conn.close_code
        self.close_reason = self.conn.close_reason or ""
        self.closed.set()
        self._changed.set()

    async def until(self, predicate, what: str, timeout: float = TIMEOUT) -> None:
        """Waits until `predicate()` holds; fails if the deadline passes or the connection closes first."""
        try:
            async with asyncio.timeout(timeout):
                while not predicate():
                    if self.closed.is_set():
                        raise AssertionError(f"connection closed ({self.close_code} {self.close_reason}) before {what}")
                    self._changed.clear()
                    await self._changed.wait()
        except TimeoutError:
            raise AssertionError(f"timed out after {timeout} s waiting for {what}") from None

    def new_id(self) -> int:
        self._next_id += 1
        return self._next_id

    async def send(self, text: str | bytes) -> None:
        async with asyncio.timeout(TIMEOUT):
            await self.conn.send(text)

    async def request(self, method: str, body: dict | None = None, timeout: float = TIMEOUT) -> Frame:
        """Sends one command and waits for its reply."""
        command_id = self.new_id()
        await self.send(json.dumps({"id": command_id, method: body or {}}))
        await self.until(lambda: command_id in self.replies, f"the reply to {method} {command_id}", timeout)
        return self.replies[command_id]

    async def call(self, method: str, body: dict | None = None, timeout: float = TIMEOUT) -> dict:
        """The result of a command that must succeed."""
        reply = (await self.request(method, body, timeout)).json
        assert "error" not in reply, (method, body, reply)
        return reply[method]

    async def error(self, method: str, body: dict | None = None) -> int:
        """The error code of a command that must fail."""
        reply = (await self.request(method, body)).json
        assert "error" in reply and method not in reply, (method, body, reply)
        return reply["error"]["code"]

    async def connect(self, token: str, **fields) -> dict:
        return await self.call("connect", {"token": token, **fields})

    def publications(self, channel: str) -> list[dict]:
        return [f.json["push"]["pub"] for f in self.pushes if f.json["push"]["channel"] == channel and "pub" in f.json["push"]]

    def raw_pushes(self, channel: str) -> list[str]:
        """The exact text of each publication pushed on `channel`."""
        return [raw_members(raw_members(f.raw)["push"])["pub"] for f in self.pushes
                if f.json["push"]["channel"] == channel and "pub" in f.json["push"]]

    def offsets(self, channel: str) -> list[int]:
        return [p["offset"] for p in self.publications(channel) if "offset" in p]

    async def wait_publications(self, channel: str, count: int, timeout: float = TIMEOUT) -> list[dict]:
        await self.until(lambda: self._publication_counts.get(channel, 0) >= count, f"{count} publications on {channel}",
                         timeout)
        return self.publications(channel)

    async def wait_offset(self, channel: str, offset: int, timeout: float = TIMEOUT) -> None:
        """Waits until a publication at `offset` (or later) was pushed on `channel`."""
        await self.until(lambda: self.last_offset.get(channel, 0) >= offset, f"offset {offset} on {channel}", timeout)

    async def wait_closed(self, timeout: float = TIMEOUT) -> int | None:
        """The close code the server sent (1006 when the socket just went away)."""
        try:
            async with asyncio.timeout(timeout):
                await self.closed.wait()
        except TimeoutError:
            raise AssertionError(f"the server did not close the connection within {timeout} s") from None
        return self.close_code

    async def _drop(self) -> None:
        self.conn.transport.abort()

    async def close(self) -> None:
        async with asyncio.timeout(TIMEOUT):
            await self.conn.close()
            await self._reader


async def connected(server: Server, token: str, **fields) -> RawClient:
    """A raw client past a successful connect."""
    client = await RawClient.open(ws_url(server))
    client.connect_result = await client.connect(token, **fields)
    return client


def unique(prefix: str) -> str:
    return f"{prefix}-{secrets.token_hex(4)}"
