"""Server-Sent Events (`GET /api/v1/accounts/{id}/events/stream`, see
Schemas/event-stream.md): publications byte-identical to the events route,
resumable with `Last-Event-ID` across every channel of the request without a
gap or a duplicate, typing live only, an explicit `unrecoverable` instead of
a partial replay, the events route's access rules, and a clean end at
shutdown. Streams are read over raw HTTP with a deadline on every read."""

import http.client
import json
import random
import secrets
import signal
import threading
import time
from dataclasses import dataclass
from urllib.parse import urlencode, urlsplit

import pytest
import requests

from conftest import Api, Server, Workspace, new_workspace, other_workspace


# ---------------------------------------------------------------- helpers


@dataclass
class Event:
    id: str | None
    event: str | None
    data: str | None

    @property
    def json(self) -> dict:
        return json.loads(self.data)


class EventStream:
    """One SSE response, read with a deadline on every read (never a hang)."""

    def __init__(self, ws: Workspace, token: str | None, channels: list[str] | None = None, *,
                 last_event_id: str | None = None, params: list[tuple[str, str]] | None = None):
        url = urlsplit(ws.server.base_url)
        self.connection = http.client.HTTPConnection(url.hostname, url.port, timeout=10)
        query = params if params is not None else [("channels", ",".join(channels or []))]
        headers = {"api_access_token": token} if token else {}
        if last_event_id is not None:
            headers["Last-Event-ID"] = last_event_id
        self.connection.request("GET", f"{ws.path}/events/stream?{urlencode(query)}", headers=headers)
        self.response = self.connection.getresponse()
        self.buffer = b""
        self.pings = 0

    @property
    def status(self) -> int:
        return self.response.status

    def error(self) -> dict:
        return json.loads(self.response.read())["error"]

    def _fill(self, deadline: float) -> bool:
        """Reads more; False at the end of the body, TimeoutError past `deadline`
        (the stream is not read again after that: close it)."""
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            raise TimeoutError(f"nothing arrived in time; pending {self.buffer!r}")
        self.connection.sock.settimeout(remaining)
        chunk = self.response.read1(65536)
        self.buffer += chunk
        return bool(chunk)

    def next(self, timeout: float = 10) -> Event:
        """The next event; comment blocks (`: ping`) are counted, not returned."""
        deadline = time.monotonic() + timeout
        while True:
            while b"\n\n" not in self.buffer:
                assert self._fill(deadline), f"the stream ended; pending {self.buffer!r}"
            block, self.buffer = self.buffer.split(b"\n\n", 1)
            fields: dict[str, str] = {}
            comments = 0
            for line in block.decode().split("\n"):
                if line.startswith(":"):
                    comments += 1
                    continue
                name, _, value = line.partition(":")
                assert name in ("id", "event", "data") and name not in fields, block
                fields[name] = value[1:] if value.startswith(" ") else value
            if not fields:
                assert block == b": ping", block
                self.pings += comments
                continue
            return Event(fields.get("id"), fields.get("event"), fields.get("data"))

    def publications(self, count: int, timeout: float = 15) -> list[Event]:
        events = [self.next(timeout) for _ in range(count)]
        assert all(e.event == "publication" for e in events), events
        return events

    def read_to_end(self, timeout: float) -> list[bytes]:
        """Reads until the body ends cleanly (the chunked terminator arrives); the blocks left."""
        deadline = time.monotonic() + timeout
        while self._fill(deadline):
            pass
        assert self.buffer == b"" or self.buffer.endswith(b"\n\n"), self.buffer
        return [block for block in self.buffer.split(b"\n\n") if block]

    def close(self) -> None:
        self.response.close()
        self.connection.close()


def tag(channels: list[str]) -> str:
    """The id's channel-list tag: FNV-1a (32 bits) of the names joined by commas."""
    value = 0x811C9DC5
    for byte in ",".join(channels).encode():
        value = ((value ^ byte) * 0x01000193) & 0xFFFFFFFF
    return f"{value:08x}"


def position(epoch: str, channels: list[str], seqs: list[int]) -> str:
    return f"{epoch};{tag(channels)};{','.join(map(str, seqs))}"


def epoch_of(ws: Workspace) -> str:
    return requests.get(ws.server.base_url + "/readyz", timeout=10).json()["epoch"]


def head(ws: Workspace, channel: str) -> int:
    r = ws.admin.api.get(f"{ws.path}/events", params={"stream": channel, "after": 0, "limit": 1000})
    assert r.status_code == 200, r.text
    return r.json()["next_after"]


def make_inbox(ws: Workspace, name: str = "Support") -> int:
    r = ws.admin.api.post(f"{ws.path}/inboxes", json={"name": name, "channel": {"type": "api"}})
    assert r.status_code == 200, r.text
    return r.json()["id"]


def make_conversation(ws: Workspace, inbox: int) -> int:
    email = f"visitor.{secrets.token_hex(6)}@example.com"
    r = ws.admin.api.post(f"{ws.path}/contacts", json={"name": "Visitor", "email": email, "inbox_id": inbox})
    assert r.status_code == 200, r.text
    contact = r.json()["payload"]["contact"]["id"]
    r = ws.admin.api.post(f"{ws.path}/conversations", json={"inbox_id": inbox, "contact_id": contact})
    assert r.status_code == 200, r.text
    return r.json()["id"]


def post(api: Api, ws: Workspace, conversation: int, content: str) -> None:
    r = api.post(f"{ws.path}/conversations/{conversation}/messages", json={"content": content})
    assert r.status_code == 200, r.text


def content_of(event: Event) -> str:
    data = event.json["data"]
    assert data["type"] == "message.created", data
    return data["payload"]["content"]


@pytest.fixture
def desk(workspace):
    """The workspace with an inbox and a conversation in it, and their channels."""
    inbox = make_inbox(workspace)
    conversation = make_conversation(workspace, inbox)
    a = workspace.account_id
    return workspace, inbox, conversation, f"conversation:{a}:{conversation}", f"inbox:{a}:{inbox}"


# ---------------------------------------------------------------- live delivery


def test_a_message_arrives_live_exactly_as_the_events_route_has_it(desk):
    ws, _, conversation, channel, _ = desk
    epoch, start = epoch_of(ws), head(ws, channel)
    stream = EventStream(ws, ws.admin.token, [channel])
    try:
        assert stream.status == 200
        assert stream.response.getheader("Content-Type") == "text/event-stream"
        assert stream.response.getheader("Cache-Control") == "no-cache"
        assert stream.response.getheader("X-Accel-Buffering") == "no"
        opening = stream.next()
        assert opening == Event(position(epoch, [channel], [start]), None, None)

        post(ws.admin.api, ws, conversation, "hello over SSE")
        [publication] = stream.publications(1)
        assert publication.id == position(epoch, [channel], [start + 1])
        assert content_of(publication) == "hello over SSE"

        page = ws.admin.api.get(f"{ws.path}/events", params={"stream": channel, "after": start, "limit": 1}).text
        prefix = '{"epoch":' + json.dumps(epoch) + ',"events":['
        suffix = f'],"next_after":{start + 1}}}'
        assert page.startswith(prefix) and page.endswith(suffix), page
        envelope = page[len(prefix):-len(suffix)]
        assert publication.data == '{"channel":' + json.dumps(channel) + f',"offset":{start + 1},"data":' + envelope + "}"
    finally:
        stream.close()


# ---------------------------------------------------------------- resume


def test_resume_replays_exactly_what_was_missed_then_goes_live(desk):
    ws, _, conversation, channel, _ = desk
    epoch = epoch_of(ws)
    stream = EventStream(ws, ws.admin.token, [channel])
    stream.next()
    post(ws.admin.api, ws, conversation, "before")
    [last] = stream.publications(1)
    stream.close()
    seen = last.json["offset"]

    for n in range(1, 31):
        post(ws.admin.api, ws, conversation, f"missed {n}")
    stream = EventStream(ws, ws.admin.token, [channel], last_event_id=last.id)
    try:
        assert stream.next() == Event(last.id, None, None)
        missed = stream.publications(30)
        assert [e.json["offset"] for e in missed] == list(range(seen + 1, seen + 31))
        assert [content_of(e) for e in missed] == [f"missed {n}" for n in range(1, 31)]
        assert [e.id for e in missed] == [position(epoch, [channel], [seen + n]) for n in range(1, 31)]
        post(ws.admin.api, ws, conversation, "live")
        [live] = stream.publications(1)
        assert live.json["offset"] == seen + 31 and content_of(live) == "live"
    finally:
        stream.close()

    # The query parameter stands in for the header.
    post(ws.admin.api, ws, conversation, "missed again")
    stream = EventStream(ws, ws.admin.token, params=[("channels", channel), ("last_event_id", live.id)])
    try:
        assert stream.next() == Event(live.id, None, None)
        [again] = stream.publications(1)
        assert again.json["offset"] == seen + 32 and content_of(again) == "missed again"
    finally:
        stream.close()


def test_two_channels_share_one_id_that_resumes_both(desk):
    ws, inbox, first, conversation_channel, inbox_channel = desk
    second = make_conversation(ws, inbox)
    channels = [conversation_channel, inbox_channel]
    epoch = epoch_of(ws)
    c0, i0 = head(ws, conversation_channel), head(ws, inbox_channel)

    stream = EventStream(ws, ws.admin.token, channels)
    assert stream.next().id == position(epoch, channels, [c0, i0])
    post(ws.admin.api, ws, first, "in both")
    both = stream.publications(2)
    assert sorted((e.json["channel"], e.json["offset"]) for e in both) == sorted(
        [(conversation_channel, c0 + 1), (inbox_channel, i0 + 1)])
    assert both[0].json["data"] == both[1].json["data"]
    assert both[1].id == position(epoch, channels, [c0 + 1, i0 + 1])
    stream.close()

    for n in range(3):
        post(ws.admin.api, ws, first, f"first {n}")
    for n in range(2):
        post(ws.admin.api, ws, second, f"second {n}")
    stream = EventStream(ws, ws.admin.token, channels, last_event_id=both[1].id)
    try:
        assert stream.next() == Event(both[1].id, None, None)
        missed = stream.publications(8)
        per_channel = {c: [e.json["offset"] for e in missed if e.json["channel"] == c] for c in channels}
        assert per_channel == {conversation_channel: [c0 + 2, c0 + 3, c0 + 4], inbox_channel: list(range(i0 + 2, i0 + 7))}
        assert [content_of(e) for e in missed if e.json["channel"] == inbox_channel] == [
            "first 0", "first 1", "first 2", "second 0", "second 1"]
        assert missed[-1].id == position(epoch, channels, [c0 + 4, i0 + 6])
    finally:
        stream.close()

    # The same id for the channels in another order resumes nothing.
    swapped = [inbox_channel, conversation_channel]
    stream = EventStream(ws, ws.admin.token, swapped, last_event_id=both[1].id)
    try:
        opening = stream.next()
        assert opening.event == "unrecoverable" and opening.json == {"reason": "channels_changed", "epoch": epoch}
        assert opening.id == position(epoch, swapped, [i0 + 6, c0 + 4])
    finally:
        stream.close()


def test_concurrent_writers_and_reconnects_deliver_every_sequence_exactly_once(desk):
    ws, inbox, first, _, _ = desk
    second = make_conversation(ws, inbox)
    a = ws.account_id
    channels = [f"conversation:{a}:{first}", f"conversation:{a}:{second}"]

    def write(writer: int, conversation: int) -> None:
        api = Api(ws.server.base_url, ws.admin.token)
        for n in range(40):
            post(api, ws, conversation, f"writer {writer} message {n}")

    writers = [threading.Thread(target=write, args=(w, c)) for w, c in enumerate([first, first, second])]
    for writer in writers:
        writer.start()

    rng = random.Random(5)
    received: dict[str, list[int]] = {c: [] for c in channels}
    last_id = position(epoch_of(ws), channels, [0, 0])
    finals: list[int] | None = None

    def done() -> bool:
        return finals is not None and all(len(received[c]) >= final for c, final in zip(channels, finals))

    connections = 0
    deadline = time.monotonic() + 120
    while not done():
        assert time.monotonic() < deadline, received
        if finals is None and not any(w.is_alive() for w in writers):
            finals = [head(ws, c) for c in channels]
        stream = EventStream(ws, ws.admin.token, channels, last_event_id=last_id)
        connections += 1
        try:
            assert stream.next() == Event(last_id, None, None)
            for _ in range(rng.randint(1, 25)):
                if done():
                    break
                event = stream.next(timeout=2)
                assert event.event == "publication", event
                received[event.json["channel"]].append(event.json["offset"])
                last_id = event.id
        except TimeoutError:
            # Caught up while the writers may have finished: reconnect and look again.
            pass
        finally:
            stream.close()
    for writer in writers:
        writer.join()
    assert finals == [head(ws, c) for c in channels]
    assert received == {c: list(range(1, final + 1)) for c, final in zip(channels, finals)}
    assert connections > 5


# ---------------------------------------------------------------- typing


def test_typing_is_delivered_live_without_an_id_and_never_replayed(desk):
    ws, inbox, conversation, channel, _ = desk
    agent = ws.new_user("agent")
    r = ws.admin.api.post(f"{ws.path}/inbox_members", json={"inbox_id": inbox, "user_ids": [agent.id]})
    assert r.status_code == 200, r.text
    typing = f"{ws.path}/conversations/{conversation}/toggle_typing_status"

    stream = EventStream(ws, ws.admin.token, [channel])
    try:
        opening = stream.next()
        assert agent.api.post(typing, json={"typing_status": "on"}).status_code == 200
        [typed] = stream.publications(1)
        assert typed.id is None
        assert set(typed.json) == {"channel", "data"}
        assert typed.json["data"]["type"] == "conversation.typing_on"
        assert typed.json["data"]["actor"] == {"id": agent.id, "type": "agent"}
        # The typist does not get their own typing: the next publication is the message after it.
        assert ws.admin.api.post(typing, json={"typing_status": "on"}).status_code == 200
        post(agent.api, ws, conversation, "after typing")
        [message] = stream.publications(1)
        assert content_of(message) == "after typing" and message.id is not None
    finally:
        stream.close()

    stream = EventStream(ws, ws.admin.token, [channel], last_event_id=opening.id)
    try:
        assert stream.next() == Event(opening.id, None, None)
        [replayed] = stream.publications(1)
        assert replayed.data == message.data and replayed.id == message.id
        post(agent.api, ws, conversation, "live")
        [live] = stream.publications(1)
        assert content_of(live) == "live"
    finally:
        stream.close()


# ---------------------------------------------------------------- ids that cannot be resumed


def test_ids_that_cannot_be_resumed_answer_unrecoverable_then_live(desk):
    ws, _, conversation, channel, _ = desk
    epoch = epoch_of(ws)
    other_epoch = "0123456789abcdef" if epoch != "0123456789abcdef" else "fedcba9876543210"
    current = head(ws, channel)
    cases = {
        position(other_epoch, [channel], [1]): "epoch_changed",
        "garbage": "malformed_id",
        "": None,
        position(epoch, [channel], [1, 1]): "channels_changed",
        position(epoch, ["conversation:1:1"], [1]): "channels_changed",
        position(epoch, [channel], [current + 5]): "position_ahead",
        f"{epoch};{tag([channel])};01": "malformed_id",
        f"{epoch};{tag([channel])};-1": "malformed_id",
        f"{epoch};{tag([channel])};18446744073709551616": "malformed_id",
        f"{epoch};ABCDEF12;1": "malformed_id",
        f"{epoch};{tag([channel])};1;": "malformed_id",
        f"{epoch};{tag([channel])};": "malformed_id",
        position(epoch, [channel], [1]) + "x" * 2000: "malformed_id",
    }
    for presented, reason in cases.items():
        stream = EventStream(ws, ws.admin.token, [channel], last_event_id=presented)
        try:
            opening = stream.next()
            assert opening.id == position(epoch, [channel], [current]), presented
            if reason is None:
                assert opening == Event(opening.id, None, None)
            else:
                assert opening.event == "unrecoverable", presented
                assert opening.json == {"reason": reason, "epoch": epoch}, presented
            if presented == "garbage" or reason == "epoch_changed":
                # Nothing old is replayed: the next publication is a live one.
                post(ws.admin.api, ws, conversation, f"live after {reason}")
                current += 1
                [live] = stream.publications(1)
                assert live.json["offset"] == current and content_of(live) == f"live after {reason}"
        finally:
            stream.close()


# ---------------------------------------------------------------- access and bad input


def test_channels_the_caller_may_not_read_are_not_found(desk, platform):
    ws, inbox, conversation, conversation_channel, inbox_channel = desk
    a = ws.account_id
    theirs = make_inbox(ws, "Theirs")
    hidden = make_conversation(ws, theirs)
    agent, colleague = ws.new_user("agent"), ws.new_user("agent")
    r = ws.admin.api.post(f"{ws.path}/inbox_members", json={"inbox_id": inbox, "user_ids": [agent.id]})
    assert r.status_code == 200, r.text

    readable = [inbox_channel, conversation_channel, f"user:{agent.id}"]
    stream = EventStream(ws, agent.token, readable)
    assert stream.status == 200 and stream.next().event is None
    stream.close()
    for channel in [
        f"inbox:{a}:{theirs}", f"conversation:{a}:{hidden}", f"conversation:{a}:999999", f"account:{a}", f"audit:{a}",
        f"user:{colleague.id}", "platform", "nonsense", "inbox:1", f"inbox:{a}:0{inbox}", f"inbox:{a + 1}:{inbox}",
    ]:
        for channels in ([channel], readable + [channel]):
            stream = EventStream(ws, agent.token, channels)
            try:
                assert stream.status == 404, (channels, stream.status)
                assert stream.error()["code"] == "not_found"
            finally:
                stream.close()

    other = other_workspace(ws)
    for channel in [f"account:{a}", inbox_channel, conversation_channel]:
        stream = EventStream(other, other.admin.token, [channel])
        try:
            assert stream.status == 404 and stream.error()["code"] == "not_found", channel
        finally:
            stream.close()
    for token, status in [(other.admin.token, 404), (None, 401), ("not-a-token", 401)]:
        stream = EventStream(ws, token, [inbox_channel])
        try:
            assert stream.status == status, token
        finally:
            stream.close()


def test_bad_channel_lists_are_refused(desk):
    ws, _, _, conversation_channel, inbox_channel = desk
    many = [f"conversation:{ws.account_id}:{n}" for n in range(1, 34)]
    cases = [
        ([], "missing_field"),
        ([("channels", "")], "missing_field"),
        ([("channels", f"{inbox_channel},,{conversation_channel}")], "invalid_argument"),
        ([("channels", f"{inbox_channel},")], "invalid_argument"),
        ([("channels", f"{inbox_channel},{inbox_channel}")], "invalid_argument"),
        ([("channels", inbox_channel), ("channels", inbox_channel)], "invalid_argument"),
        ([("channels", ",".join(many))], "invalid_argument"),
        ([("channels", "x" * 201)], "invalid_argument"),
        ([("channels", inbox_channel), ("last_event_id", "x" * 5000)], "invalid_argument"),
    ]
    for params, code in cases:
        stream = EventStream(ws, ws.admin.token, params=params)
        try:
            assert stream.status == 400, (params, stream.status)
            assert stream.error()["code"] == code, params
        finally:
            stream.close()

    # A repeated parameter joins its lists, in order.
    channels = [inbox_channel, conversation_channel]
    stream = EventStream(ws, ws.admin.token, params=[("channels", inbox_channel), ("channels", conversation_channel)])
    try:
        assert stream.status == 200
        assert stream.next().id == position(epoch_of(ws), channels, [head(ws, c) for c in channels])
    finally:
        stream.close()


# ---------------------------------------------------------------- pings and shutdown


def pinging_server(tmp_path) -> Server:
    """A server of its own that pings (and re-checks access) every second."""
    return Server(str(tmp_path / "data"), "platform-" + secrets.token_hex(16), {"PARLEY_PING_INTERVAL": "1"})


def test_a_stream_ends_when_the_caller_may_no_longer_read_a_channel(tmp_path):
    server = pinging_server(tmp_path)
    try:
        ws = new_workspace(server, Api(server.base_url, server.platform_token))
        inbox = make_inbox(ws)
        agent = ws.new_user("agent")
        members = {"inbox_id": inbox, "user_ids": [agent.id]}
        assert ws.admin.api.post(f"{ws.path}/inbox_members", json=members).status_code == 200
        channels = [f"inbox:{ws.account_id}:{inbox}", f"user:{agent.id}"]
        stream = EventStream(ws, agent.token, channels)
        assert stream.next().event is None
        assert ws.admin.api.delete(f"{ws.path}/inbox_members", json=members).status_code == 200
        # Within a tick (a second here) the body ends cleanly.
        stream.read_to_end(timeout=5)
        stream.close()
        stream = EventStream(ws, agent.token, channels)
        assert stream.status == 404
        stream.close()
        assert server.stop() == 0
    finally:
        server.stop(sig=signal.SIGKILL)


def test_no_publication_is_written_after_access_is_taken_away(desk):
    """With pings every 25 s, the stream still ends at the first publication
    after the caller lost access, without writing it."""
    ws, inbox, conversation, _, inbox_channel = desk
    agent = ws.new_user("agent")
    members = {"inbox_id": inbox, "user_ids": [agent.id]}
    assert ws.admin.api.post(f"{ws.path}/inbox_members", json=members).status_code == 200
    stream = EventStream(ws, agent.token, [inbox_channel])
    assert stream.next().event is None
    post(ws.admin.api, ws, conversation, "still a member")
    assert content_of(stream.next()) == "still a member"
    assert ws.admin.api.delete(f"{ws.path}/inbox_members", json=members).status_code == 200
    post(ws.admin.api, ws, conversation, "after removal")
    blocks = stream.read_to_end(timeout=5)
    assert not any(b"after removal" in block for block in blocks), blocks
    stream.close()


def test_pings_keep_the_stream_open_and_sigterm_ends_it_cleanly(tmp_path):
    server = pinging_server(tmp_path)
    try:
        ws = new_workspace(server, Api(server.base_url, server.platform_token))
        channel = f"account:{ws.account_id}"
        stream = EventStream(ws, ws.admin.token, [channel])
        assert stream.next().event is None
        make_inbox(ws)
        [created] = stream.publications(1)
        assert created.json["data"]["type"] == "inbox.created"
        assert stream.pings == 0
        started = time.monotonic()
        while stream.pings < 2:
            assert stream._fill(started + 5)
            while b"\n\n" in stream.buffer:
                block, stream.buffer = stream.buffer.split(b"\n\n", 1)
                assert block == b": ping", block
                stream.pings += 1

        stopped = time.monotonic()
        server.process.send_signal(signal.SIGTERM)
        assert set(stream.read_to_end(timeout=5)) <= {b": ping"}
        assert server.process.wait(timeout=5) == 0
        assert time.monotonic() - stopped < 5
        stream.close()
    finally:
        server.stop(sig=signal.SIGKILL)
