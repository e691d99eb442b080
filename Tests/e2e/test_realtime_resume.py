"""Resuming without a gap or a duplicate: recovery from a position (all or
nothing, byte for byte, paged through history past the recovery limit),
clients that drop their connection at random while writers race, a server
killed with `kill -9` or shut down and started again on the same data, and
a fresh data directory (a new epoch)."""

import asyncio
import random
import secrets
import subprocess
import threading
import time

from conftest import Api, Server
from realtime import (
    RawClient, agent_token, connected, epoch_of, head, make_inbox, open_chat, own_server, raw_data, raw_publications, run,
    seq_in, stream_events, workspace_on, ws_url,
)


def test_recovery_returns_exactly_the_missed_publications_byte_for_byte(workspace):
    chat = open_chat(workspace)
    token = agent_token(workspace)
    epoch = epoch_of(workspace.server)
    start = head(workspace, chat.channel)

    async def main():
        client = await connected(workspace.server, token)
        subscribed = await client.call("subscribe", {"channel": chat.channel})
        assert subscribed == {"expires": False, "ttl": 0, "recoverable": True, "epoch": epoch, "offset": start,
                              "positioned": True}
        for index in range(3):
            chat.post(f"live {index}")
        live = await client.wait_publications(chat.channel, 3)
        assert [p["offset"] for p in live] == [start + 1, start + 2, start + 3]
        assert [p["data"]["payload"]["content"] for p in live] == ["live 0", "live 1", "live 2"]
        live_raw = client.raw_pushes(chat.channel)
        assert await client.call("unsubscribe", {"channel": chat.channel}) == {}

        for index in range(4):
            chat.post(f"missed {index}")
        reply = await client.request(
            "subscribe", {"channel": chat.channel, "recover": True, "epoch": epoch, "offset": start})
        result = reply.json["subscribe"]
        assert {k: v for k, v in result.items() if k != "publications"} == {
            "expires": False, "ttl": 0, "recoverable": True, "epoch": epoch, "offset": start + 7, "positioned": True,
            "was_recovering": True, "recovered": True,
        }
        recovered = result["publications"]
        assert [p["offset"] for p in recovered] == list(range(start + 1, start + 8))
        assert [p["data"]["payload"]["content"] for p in recovered] == [
            "live 0", "live 1", "live 2", "missed 0", "missed 1", "missed 2", "missed 3"]
        recovered_raw = raw_publications(reply.raw, "subscribe")
        assert recovered_raw[:3] == live_raw
        assert [raw_data(p) for p in recovered_raw[:3]] == [raw_data(p) for p in live_raw]

        # Each publication's data is the stored event the events route returns for the same sequence.
        stored = {seq_in(e, chat.channel): e for e in stream_events(workspace, chat.channel)}
        for publication in recovered:
            assert publication["data"] == stored[publication["offset"]]
            assert seq_in(publication["data"], chat.channel) == publication["offset"]

        history = await client.request(
            "history", {"channel": chat.channel, "since": {"offset": start, "epoch": epoch}, "limit": 100})
        assert raw_publications(history.raw, "history") == recovered_raw

        # Live delivery resumes after the recovered ones, without a duplicate.
        chat.post("after")
        pubs = await client.wait_publications(chat.channel, 4)
        assert [p["offset"] for p in pubs] == [start + 1, start + 2, start + 3, start + 8]
        await client.close()

    run(main())


def test_a_gap_past_the_recovery_limit_is_not_recovered_and_history_pages_through_it(tmp_path):
    with own_server(tmp_path, recovery_limit=5) as server:
        ws = workspace_on(server)
        chat = open_chat(ws)
        token = agent_token(ws)
        epoch = epoch_of(server)
        start = head(ws, chat.channel)
        for index in range(12):
            chat.post(f"m{index}")
        top = start + 12

        async def main():
            client = await connected(server, token)
            at_limit = await client.call(
                "subscribe", {"channel": chat.channel, "recover": True, "epoch": epoch, "offset": top - 5})
            assert at_limit["recovered"] is True
            assert [p["offset"] for p in at_limit["publications"]] == list(range(top - 4, top + 1))
            await client.call("unsubscribe", {"channel": chat.channel})

            past_limit = await client.call(
                "subscribe", {"channel": chat.channel, "recover": True, "epoch": epoch, "offset": top - 6})
            assert past_limit == {"expires": False, "ttl": 0, "recoverable": True, "epoch": epoch, "offset": top,
                                  "positioned": True, "was_recovering": True, "recovered": False}

            paged, since = [], start
            while since < top:
                page = await client.call(
                    "history", {"channel": chat.channel, "since": {"offset": since, "epoch": epoch}, "limit": 4})
                assert page["epoch"] == epoch and page["offset"] == top
                assert 1 <= len(page["publications"]) <= 4
                paged += page["publications"]
                since = page["publications"][-1]["offset"]
            assert [p["offset"] for p in paged] == list(range(start + 1, top + 1))
            assert [p["data"]["payload"]["content"] for p in paged] == [f"m{i}" for i in range(12)]

            newest = await client.call("history", {"channel": chat.channel, "limit": 3, "reverse": True})
            assert [p["offset"] for p in newest["publications"]] == [top, top - 1, top - 2]
            before = await client.call("history", {
                "channel": chat.channel, "limit": 2, "reverse": True, "since": {"offset": top - 2, "epoch": epoch}})
            assert [p["offset"] for p in before["publications"]] == [top - 3, top - 4]
            position = await client.call("history", {"channel": chat.channel, "limit": 0})
            assert position == {"publications": [], "epoch": epoch, "offset": top}
            assert await client.error(
                "history", {"channel": chat.channel, "since": {"offset": top + 1, "epoch": epoch}}) == 112
            await client.close()

        run(main())


def test_a_position_from_another_epoch_or_the_future_is_not_recovered(workspace):
    chat = open_chat(workspace)
    chat.post("one")
    token = agent_token(workspace)
    epoch = epoch_of(workspace.server)
    top = head(workspace, chat.channel)

    async def main():
        client = await connected(workspace.server, token)
        for position in [{"epoch": "0123456789abcdef", "offset": 1}, {"epoch": "", "offset": 0},
                         {"epoch": epoch, "offset": top + 100}]:
            result = await client.call("subscribe", {"channel": chat.channel, "recover": True, **position})
            assert result == {"expires": False, "ttl": 0, "recoverable": True, "epoch": epoch, "offset": top,
                              "positioned": True, "was_recovering": True, "recovered": False}, position
            await client.call("unsubscribe", {"channel": chat.channel})
        current = await client.call("subscribe", {"channel": chat.channel, "recover": True, "epoch": epoch, "offset": top})
        assert current["recovered"] is True and current.get("publications", []) == []
        for since in [{"offset": 1, "epoch": "0123456789abcdef"}, {"offset": 1}, {"offset": top + 1, "epoch": epoch}]:
            assert await client.error("history", {"channel": chat.channel, "since": since}) == 112, since
        await client.close()

    run(main())



class Follower:
    """A client that follows channels across connections, as an SDK does:
    each connection resubscribes every channel in its connect command with
    `recover` from the last offset it has, and pages through `history` when
    the server cannot recover."""

    def __init__(self, server: Server, token: str, channels: list[str], epoch: str):
        self.server = server
        self.token = token
        self.epoch = epoch
        self.received: dict[str, list[int]] = {channel: [] for channel in channels}
        self.recovered = 0
        self.unrecovered = 0

    def position(self, channel: str) -> int:
        return self.received[channel][-1] if self.received[channel] else 0

    async def resume(self) -> RawClient:
        client = await RawClient.open(ws_url(self.server))
        subs = {c: {"recover": True, "epoch": self.epoch, "offset": self.position(c)} for c in self.received}
        result = await client.connect(self.token, subs=subs)
        assert set(result["subs"]) == set(self.received)
        for channel, sub in result["subs"].items():
            assert sub["epoch"] == self.epoch and sub["was_recovering"] is True
            if sub["recovered"]:
                self.recovered += 1
                self.received[channel] += [p["offset"] for p in sub.get("publications", [])]
            else:
                assert "publications" not in sub
                self.unrecovered += 1
                await self.page(client, channel, sub["offset"])
        return client

    async def page(self, client: RawClient, channel: str, top: int) -> None:
        while self.position(channel) < top:
            page = await client.call("history", {
                "channel": channel, "since": {"offset": self.position(channel), "epoch": self.epoch}, "limit": 7})
            assert page["publications"], (channel, self.position(channel), top)
            self.received[channel] += [p["offset"] for p in page["publications"] if p["offset"] <= top]

    def take_pushes(self, client: RawClient) -> None:
        """The connection's live pushes, which continue where its recovery or history ended."""
        for channel in self.received:
            self.received[channel] += client.offsets(channel)


def test_every_client_gets_every_event_exactly_once_while_writers_race_and_connections_drop(tmp_path):
    with own_server(tmp_path, recovery_limit=10) as server:
        ws = workspace_on(server)
        inbox = make_inbox(ws)
        chats = [open_chat(ws, inbox), open_chat(ws, inbox)]
        channels = [c.channel for c in chats]
        epoch = epoch_of(server)
        token = agent_token(ws)
        writing = threading.Event()
        errors = []

        def writer(seed: int) -> None:
            rng = random.Random(seed)
            api = Api(server.base_url, ws.admin.token)
            try:
                for index in range(80):
                    chat = rng.choice(chats)
                    r = api.post(f"{ws.path}/conversations/{chat.conversation_id}/messages", json={"content": f"w{seed}-{index}"})
                    assert r.status_code == 200, r.text
                    time.sleep(rng.uniform(0, 0.04))
            except BaseException as error:
                errors.append(error)

        async def follow(follower: Follower, seed: int) -> None:
            rng = random.Random(seed)
            while writing.is_set():
                client = await follower.resume()
                await asyncio.sleep(rng.uniform(0.02, 0.3))
                follower.take_pushes(client)
                if rng.random() < 0.5:
                    client.conn.transport.abort()
                else:
                    await client.close()
                if seed == 0 and follower.unrecovered == 0:
                    # Once, stay away past the recovery limit, so that history has to fill the gap.
                    positions = {c: follower.position(c) for c in channels}
                    while writing.is_set() and not await asyncio.to_thread(
                            lambda: all(head(ws, c) > positions[c] + 10 for c in channels)):
                        await asyncio.sleep(0.05)
                else:
                    await asyncio.sleep(rng.uniform(0, 0.3))

        async def main():
            followers = [Follower(server, token, channels, epoch) for _ in range(4)]
            writers = [threading.Thread(target=writer, args=(seed,)) for seed in range(3)]
            writing.set()
            tasks = [asyncio.create_task(follow(f, seed)) for seed, f in enumerate(followers)]
            for thread in writers:
                thread.start()
            await asyncio.to_thread(lambda: [t.join(60) for t in writers])
            writing.clear()
            await asyncio.gather(*tasks)
            assert not errors, errors
            tops = {c: head(ws, c) for c in channels}
            assert sum(tops.values()) >= 240
            for follower in followers:
                client = await follower.resume()
                follower.take_pushes(client)
                for channel in channels:
                    assert follower.received[channel] == list(range(1, tops[channel] + 1)), (channel, follower.received[channel])
                assert follower.recovered >= 4
                await client.close()
            assert followers[0].unrecovered >= 1

        run(main(), timeout=60)


def test_after_kill_9_clients_recover_from_the_same_epoch_and_a_new_data_directory_is_a_new_epoch(tmp_path):
    data = tmp_path / "data"
    data.mkdir()
    platform_token = "platform-" + secrets.token_hex(16)
    server = Server(str(data), platform_token)
    ws = workspace_on(server)
    chat = open_chat(ws)
    chat.post("before")
    epoch = epoch_of(server)
    token = agent_token(ws)

    async def before_the_crash() -> int:
        client = await connected(server, token)
        position = (await client.call("subscribe", {"channel": chat.channel}))["offset"]
        chat.post("seen live")
        await client.wait_offset(chat.channel, position + 1)
        server.process.kill()
        assert await client.wait_closed() == 1006
        return position + 1

    position = run(before_the_crash())
    assert server.process.wait(10) == -9
    server.process.stdout.close()

    restarted = Server(str(data), platform_token)
    try:
        assert epoch_of(restarted) == epoch
        admin = Api(restarted.base_url, ws.admin.token)
        for index in range(5):
            r = admin.post(f"{ws.path}/conversations/{chat.conversation_id}/messages", json={"content": f"after {index}"})
            assert r.status_code == 200, r.text

        async def after_the_restart():
            client = await connected(restarted, token)
            result = await client.call("subscribe", {"channel": chat.channel, "recover": True, "epoch": epoch,
                                                     "offset": position})
            assert result["recovered"] is True and result["epoch"] == epoch and result["offset"] == position + 5
            assert [p["offset"] for p in result["publications"]] == list(range(position + 1, position + 6))
            assert [p["data"]["payload"]["content"] for p in result["publications"]] == [f"after {i}" for i in range(5)]
            await client.close()

        run(after_the_restart())
    finally:
        assert restarted.stop() == 0

    with own_server(tmp_path / "fresh") as fresh:
        other = workspace_on(fresh)
        elsewhere = open_chat(other)
        assert (other.account_id, elsewhere.conversation_id) == (ws.account_id, chat.conversation_id)
        fresh_epoch = epoch_of(fresh)
        assert fresh_epoch != epoch

        async def on_a_new_epoch():
            client = await connected(fresh, agent_token(other))
            result = await client.call("subscribe", {"channel": chat.channel, "recover": True, "epoch": epoch,
                                                     "offset": position})
            assert result == {"expires": False, "ttl": 0, "recoverable": True, "epoch": fresh_epoch,
                              "offset": head(other, chat.channel), "positioned": True, "was_recovering": True,
                              "recovered": False}
            await client.close()

        run(on_a_new_epoch())


def test_a_restart_sends_clients_away_to_reconnect_and_they_recover_what_they_missed(tmp_path):
    data = tmp_path / "data"
    data.mkdir()
    platform_token = "platform-" + secrets.token_hex(16)
    server = Server(str(data), platform_token)
    ws = workspace_on(server)
    chat = open_chat(ws)
    epoch = epoch_of(server)
    token = agent_token(ws)

    async def until_the_shutdown() -> tuple[int, int]:
        client = await connected(server, token)
        position = (await client.call("subscribe", {"channel": chat.channel}))["offset"]
        assert await asyncio.to_thread(server.stop) == 0
        return position, await client.wait_closed()

    position, code = run(until_the_shutdown())
    restarted = Server(str(data), platform_token)
    try:
        admin = Api(restarted.base_url, ws.admin.token)
        r = admin.post(f"{ws.path}/conversations/{chat.conversation_id}/messages", json={"content": "while away"})
        assert r.status_code == 200, r.text

        async def reconnect():
            client = await RawClient.open(ws_url(restarted))
            result = await client.connect(token, subs={chat.channel: {"recover": True, "epoch": epoch, "offset": position}})
            sub = result["subs"][chat.channel]
            assert sub["recovered"] is True
            assert [p["data"]["payload"]["content"] for p in sub["publications"]] == ["while away"]
            await client.close()

        run(reconnect())
    finally:
        assert restarted.stop() == 0
    # Parley's shutdown code (Schemas/websocket-protocol.md): the SDKs reconnect and recover.
    assert code == 1000


def test_a_shutdown_does_not_wait_for_a_client_that_stopped_reading(tmp_path):
    server = Server(str(tmp_path), "platform-" + secrets.token_hex(16), {"PARLEY_PING_INTERVAL": "0"})
    try:
        ws = workspace_on(server)
        token = agent_token(ws)

        async def main() -> tuple[int | None, float]:
            frozen = await connected(server, token)
            await frozen.call("subscribe", {"channel": f"user:{ws.admin.id}"})
            # A client whose process hangs: its socket stays open and nothing is read from it any more.
            frozen.conn.transport.pause_reading()
            started = time.monotonic()
            try:
                code = await asyncio.to_thread(server.stop, timeout=15)
            except subprocess.TimeoutExpired:
                code = None
            return code, time.monotonic() - started

        code, elapsed = run(main(), timeout=30)
    finally:
        if server.process.poll() is None:
            server.process.kill()
            server.process.wait(10)
    assert code == 0 and elapsed < 10, (code, elapsed)
