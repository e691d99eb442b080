"""Centrifugo's own Python SDK (`centrifuge-python`) against Parley:
subscribe with recovery, lose the connection, miss messages posted over
HTTP, come back and get exactly those; rpc with `echo_id`; history;
presence; and what a contact's token opens."""

import asyncio
import json

from centrifuge import (
    Client, ClientEventHandler, ConnectingContext, PublicationContext, ReplyError, StreamPosition, SubscribedContext,
    SubscriptionEventHandler, UnsubscribedContext,
)

from conftest import other_workspace
from realtime import TIMEOUT, add_agent, agent_token, epoch_of, events_page, head, on_finish, open_chat, run, ws_url


class Recorder(SubscriptionEventHandler):
    """What one subscription went through, with waits that have a deadline."""

    def __init__(self):
        self.publications = []
        self.subscribed: list[SubscribedContext] = []
        self.unsubscribed: list[UnsubscribedContext] = []
        self.changed = asyncio.Event()

    async def on_publication(self, ctx: PublicationContext) -> None:
        self.publications.append(ctx.pub)
        self.changed.set()

    async def on_subscribed(self, ctx: SubscribedContext) -> None:
        self.subscribed.append(ctx)
        self.changed.set()

    async def on_unsubscribed(self, ctx: UnsubscribedContext) -> None:
        self.unsubscribed.append(ctx)
        self.changed.set()

    async def until(self, predicate, what: str) -> None:
        try:
            async with asyncio.timeout(TIMEOUT):
                while not predicate():
                    self.changed.clear()
                    await self.changed.wait()
        except TimeoutError:
            raise AssertionError(f"timed out waiting for {what}") from None

    def contents(self) -> list[str]:
        return [p.data["payload"].get("content") for p in self.publications if p.data["type"] == "message.created"]


class Connection(ClientEventHandler):
    """Runs `on_lost` (once) when the connection is lost, before the client
    reconnects: the SDK awaits this handler before it schedules the reconnect."""

    TRANSPORT_CLOSED = 1

    def __init__(self):
        self.on_lost = None

    async def on_connecting(self, ctx: ConnectingContext) -> None:
        if ctx.code == self.TRANSPORT_CLOSED and self.on_lost:
            action, self.on_lost = self.on_lost, None
            await action()


def sdk_client(server, token: str, events: ClientEventHandler | None = None) -> Client:
    """An SDK client that reconnects quickly, disconnected when the test body ends."""
    client = Client(ws_url(server), token=token, events=events, timeout=TIMEOUT, proxy=None,
                    min_reconnect_delay=0.05, max_reconnect_delay=0.5)
    on_finish(client.disconnect)
    return client


def test_the_sdk_recovers_exactly_what_it_missed_while_its_connection_was_down(workspace):
    chat = open_chat(workspace)
    token = agent_token(workspace)
    epoch = epoch_of(workspace.server)
    start = head(workspace, chat.channel)

    async def main():
        connection = Connection()
        client = sdk_client(workspace.server, token, connection)
        recorder = Recorder()
        sub = client.new_subscription(chat.channel, events=recorder, recoverable=True, positioned=True)
        await client.connect()
        await sub.subscribe()
        await sub.ready(TIMEOUT)
        first = recorder.subscribed[0]
        assert first.recoverable and first.positioned and not first.was_recovering and not first.recovered
        assert (first.stream_position.offset, first.stream_position.epoch) == (start, epoch)

        for index in range(3):
            chat.post(f"live {index}")
        await recorder.until(lambda: len(recorder.publications) == 3, "3 live publications")
        for publication in recorder.publications:
            stored = events_page(workspace, chat.channel, after=publication.offset - 1, limit=1).json()["events"]
            assert stored == [publication.data]

        # The network goes away; messages arrive meanwhile; the SDK reconnects by itself and recovers.
        async def post_while_away():
            await asyncio.to_thread(lambda: [chat.post(f"missed {i}") for i in range(4)])

        connection.on_lost = post_while_away
        client._conn.transport.abort()
        await recorder.until(lambda: len(recorder.subscribed) == 2, "the resubscription")
        second = recorder.subscribed[1]
        assert second.was_recovering and second.recovered
        assert (second.stream_position.offset, second.stream_position.epoch) == (start + 7, epoch)
        await recorder.until(lambda: len(recorder.publications) == 7, "the missed publications")

        # An explicit disconnect and connect recovers the same way.
        await client.disconnect()
        await asyncio.to_thread(lambda: [chat.post(f"offline {i}") for i in range(2)])
        await client.connect()
        await recorder.until(lambda: len(recorder.subscribed) == 3 and len(recorder.publications) == 9, "a second recovery")
        assert recorder.subscribed[2].recovered
        chat.post("back live")
        await recorder.until(lambda: len(recorder.publications) == 10, "a live publication after recovery")

        assert [p.offset for p in recorder.publications] == list(range(start + 1, start + 11))
        assert recorder.contents() == [
            "live 0", "live 1", "live 2", "missed 0", "missed 1", "missed 2", "missed 3", "offline 0", "offline 1",
            "back live"]
        await client.disconnect()

    run(main())


def test_an_rpc_retried_with_its_echo_id_creates_one_message(workspace):
    chat = open_chat(workspace)
    token = agent_token(workspace)

    async def main():
        client = sdk_client(workspace.server, token)
        recorder = Recorder()
        sub = client.new_subscription(chat.channel, events=recorder, recoverable=True, positioned=True)
        await client.connect()
        await sub.subscribe()
        await sub.ready(TIMEOUT)
        request = {"conversation_id": chat.conversation_id, "content": "exactly once", "echo_id": "echo-42"}
        first = await client.rpc("message.create", request)
        again = await client.rpc("message.create", request)
        assert first.data["id"] == again.data["id"]
        assert first.data["content"] == "exactly once" and first.data["echo_id"] == "echo-42"
        assert first.data["conversation_id"] == chat.conversation_id
        # The same key over HTTP is the same message too.
        r = workspace.admin.api.post(f"{workspace.path}/conversations/{chat.conversation_id}/messages",
                                     json={"content": "exactly once", "echo_id": "echo-42"})
        assert r.status_code == 200 and r.json()["id"] == first.data["id"], r.text
        chat.post("sentinel")
        await recorder.until(lambda: "sentinel" in recorder.contents(), "the sentinel")
        assert recorder.contents() == ["exactly once", "sentinel"]
        assert recorder.publications[0].data["payload"]["message_id"] == first.data["id"]
        # Refused as the HTTP route refuses it.
        r = workspace.admin.api.post(f"{workspace.path}/conversations/{chat.conversation_id}/messages", json={})
        assert r.status_code == 422, r.text
        try:
            await client.rpc("message.create", {"conversation_id": chat.conversation_id})
            raise AssertionError("a message without content was accepted")
        except ReplyError as error:
            assert (error.code, error.message) == (422, f"{r.json()['error']['code']}: {r.json()['error']['message']}")
        await client.disconnect()

    run(main())


def test_history_pages_through_a_channel_as_the_events_route_does(workspace):
    chat = open_chat(workspace)
    for index in range(7):
        chat.post(f"h{index}")
    token = agent_token(workspace)
    epoch = epoch_of(workspace.server)
    top = head(workspace, chat.channel)
    stored = events_page(workspace, chat.channel).json()["events"]

    async def main():
        client = sdk_client(workspace.server, token)
        sub = client.new_subscription(chat.channel, recoverable=True, positioned=True)
        await client.connect()
        await sub.subscribe()
        pages, position = [], StreamPosition(offset=0, epoch=epoch)
        while position.offset < top:
            page = await sub.history(limit=3, since=position)
            assert (page.epoch, page.offset) == (epoch, top) and 1 <= len(page.publications) <= 3
            pages += page.publications
            position = StreamPosition(offset=page.publications[-1].offset, epoch=epoch)
        assert [p.offset for p in pages] == list(range(1, top + 1))
        assert [p.data for p in pages] == stored
        newest = await sub.history(limit=2, reverse=True)
        assert [p.offset for p in newest.publications] == [top, top - 1]
        position_only = await sub.history(limit=0)
        assert (position_only.publications, position_only.offset, position_only.epoch) == ([], top, epoch)
        try:
            await sub.history(limit=1, since=StreamPosition(offset=1, epoch="another-epoch"))
            raise AssertionError("a position of another epoch was accepted")
        except ReplyError as error:
            assert error.code == 112
        await client.disconnect()

    run(main())


def test_presence_lists_every_connection_on_a_channel(workspace):
    chat = open_chat(workspace)
    agent = workspace.new_user("agent")
    add_agent(workspace, chat.inbox, agent)
    tokens = [agent_token(workspace), agent_token(workspace), agent_token(workspace, agent)]

    async def main():
        clients, subs = [], []
        for token in tokens:
            client = sdk_client(workspace.server, token)
            sub = client.new_subscription(chat.channel)
            await client.connect()
            await sub.subscribe()
            await sub.ready(TIMEOUT)
            clients.append(client)
            subs.append(sub)
        presence = await subs[0].presence()
        assert set(presence.clients) == {c.client_id for c in clients}
        assert {(k, v.client, v.user) for k, v in presence.clients.items()} == {
            (clients[0].client_id, clients[0].client_id, str(workspace.admin.id)),
            (clients[1].client_id, clients[1].client_id, str(workspace.admin.id)),
            (clients[2].client_id, clients[2].client_id, str(agent.id)),
        }
        stats = await subs[2].presence_stats()
        assert (stats.num_clients, stats.num_users) == (3, 2)
        await subs[2].unsubscribe()
        await clients[1].disconnect()
        # The server learns of the disconnect a moment later.
        async with asyncio.timeout(TIMEOUT):
            while set((await subs[0].presence()).clients) != {clients[0].client_id}:
                await asyncio.sleep(0.05)
        stats = await clients[0].presence_stats(chat.channel)
        assert (stats.num_clients, stats.num_users) == (1, 1)
        for client in clients:
            await client.disconnect()

    run(main())


def test_a_contact_sees_its_conversations_without_private_notes_and_nothing_else(workspace):
    ws = workspace
    chat = open_chat(ws)
    neighbour = open_chat(ws, chat.inbox, name="Neighbour")
    other = other_workspace(ws)
    theirs = open_chat(other)
    theirs.post("their business")
    refused = [
        neighbour.contact_channel, chat.channel, chat.inbox_channel, f"account:{ws.account_id}", f"user:{ws.admin.id}",
        theirs.contact_channel, theirs.channel, theirs.inbox_channel, f"account:{other.account_id}",
        f"contact:{other.account_id}:{chat.contact['id']}",
    ]

    async def main():
        client = sdk_client(ws.server, chat.token)
        mine = Recorder()
        sub = client.new_subscription(chat.contact_channel, events=mine, recoverable=True, positioned=True)
        others = {}
        for channel in refused:
            others[channel] = Recorder()
            client.new_subscription(channel, events=others[channel])
        await client.connect()
        await sub.subscribe()
        await sub.ready(TIMEOUT)
        for channel, recorder in others.items():
            await client.get_subscription(channel).subscribe()
        for channel, recorder in others.items():
            await recorder.until(lambda: recorder.unsubscribed, f"the refusal of {channel}")
            assert [(u.code, u.reason) for u in recorder.unsubscribed] == [(103, "permission denied")], channel
            assert recorder.publications == []
            for call in (client.history(channel, limit=10), client.presence(channel), client.presence_stats(channel)):
                try:
                    await call
                    raise AssertionError(f"{channel} answered a contact")
                except ReplyError as error:
                    assert error.code == 103, channel

        chat.post("public reply")
        chat.post("internal note", private=True)
        r = ws.admin.api.post(f"{ws.path}/conversations/{chat.conversation_id}/labels", json={"labels": ["vip"]})
        assert r.status_code == 200, r.text
        neighbour.post("for the neighbour")
        sent = await client.rpc("message.create", {"conversation_id": chat.conversation_id, "content": "from the contact"})
        assert sent.data["content"] == "from the contact"
        chat.post("second reply")
        await mine.until(lambda: "second reply" in mine.contents(), "the second reply")
        assert mine.contents() == ["public reply", "from the contact", "second reply"]
        assert {p.data["type"] for p in mine.publications} == {"message.created"}
        history = await sub.history(limit=-1)
        everything = json.dumps([p.data for p in history.publications])
        for secret in ("internal note", "vip", "for the neighbour", "their business"):
            assert secret not in everything and secret not in json.dumps([p.data for p in mine.publications])
        await client.disconnect()

    run(main())
