"""Live delivery over `/connection/websocket`: typing indicators, users'
connection presence, two devices of one user kept in step, and a stalled
consumer cut off from its bounded queue while the other subscribers get
everything."""

import asyncio

from conftest import Workspace
from realtime import (
    TIMEOUT, Chat, add_agent, agent_token, connected, epoch_of, head, make_inbox, open_chat, own_server, post_many,
    RawClient, run, small_socket, stream_events, workspace_on, ws_url,
)


def test_typing_reaches_the_others_live_and_is_never_stored(workspace):
    ws = workspace
    inbox = make_inbox(ws)
    colleague = ws.new_user("agent")
    add_agent(ws, inbox, colleague)
    chat = open_chat(ws, inbox)
    chat.contact_post("hello")
    epoch = epoch_of(ws.server)

    def typing(status: str, **fields) -> None:
        r = ws.admin.api.post(f"{ws.path}/conversations/{chat.conversation_id}/toggle_typing_status",
                              json={"typing_status": status, **fields})
        assert r.status_code == 200, r.text

    def unread() -> int:
        r = colleague.api.get(f"{ws.path}/conversations/{chat.conversation_id}")
        assert r.status_code == 200, r.text
        return r.json()["unread_count"]

    async def main():
        typist = await connected(ws.server, agent_token(ws))
        other = await connected(ws.server, agent_token(ws, colleague))
        contact = await connected(ws.server, chat.token)
        start = (await typist.call("subscribe", {"channel": chat.channel}))["offset"]
        await other.call("subscribe", {"channel": chat.channel})
        contact_start = (await contact.call("subscribe", {"channel": chat.contact_channel}))["offset"]
        unread_before = unread()

        typing("on")
        typing("off")
        typing("on", is_private=True)
        chat.post("after typing")
        seen = await other.wait_publications(chat.channel, 4)
        assert [p["data"]["type"] for p in seen] == [
            "conversation.typing_on", "conversation.typing_off", "conversation.typing_on", "message.created"]
        for publication in seen[:3]:
            assert "offset" not in publication
            assert publication["data"]["payload"]["conversation_id"] == chat.conversation_id
            assert publication["data"]["actor"] == {"id": ws.admin.id, "type": "agent"}
        assert [p["data"]["payload"]["is_private"] for p in seen[:3]] == [False, False, True]
        assert seen[3]["offset"] == start + 1

        # The contact sees public typing, never a private one.
        told = await contact.wait_publications(chat.contact_channel, 3)
        assert [p["data"]["type"] for p in told] == ["conversation.typing_on", "conversation.typing_off", "message.created"]
        assert told[2]["offset"] == contact_start + 1
        # The typist never gets its own typing back.
        mine = await typist.wait_publications(chat.channel, 1)
        assert [p["data"]["type"] for p in mine] == ["message.created"]

        # Never replayed, never counted.
        later = await connected(ws.server, agent_token(ws, colleague))
        recovered = await later.call("subscribe", {"channel": chat.channel, "recover": True, "epoch": epoch, "offset": start})
        assert [p["data"]["type"] for p in recovered["publications"]] == ["message.created"]
        history = await later.call("history", {"channel": chat.channel, "limit": -1})
        assert not [p for p in history["publications"] if p["data"]["type"].startswith("conversation.typing")]
        assert not [e for e in stream_events(ws, chat.channel) if e["type"].startswith("conversation.typing")]
        assert unread() == unread_before
        for client in (typist, other, contact, later):
            await client.close()

    run(main())


def test_typing_stops_by_itself_after_the_typing_timeout(tmp_path):
    with own_server(tmp_path, typing_timeout=1) as server:
        ws = workspace_on(server)
        chat = open_chat(ws)

        async def main():
            watcher = await connected(server, chat.token)
            await watcher.call("subscribe", {"channel": chat.contact_channel})
            r = ws.admin.api.post(f"{ws.path}/conversations/{chat.conversation_id}/toggle_typing_status",
                                  json={"typing_status": "on"})
            assert r.status_code == 200, r.text
            seen = await watcher.wait_publications(chat.contact_channel, 2, timeout=5)
            assert [p["data"]["type"] for p in seen] == ["conversation.typing_on", "conversation.typing_off"]
            assert seen[1]["data"]["payload"]["conversation_id"] == chat.conversation_id
            await watcher.close()

        run(main())


def test_a_users_first_connection_and_last_disconnect_are_presence_events(workspace):
    ws = workspace
    agent = ws.new_user("agent")
    account = f"account:{ws.account_id}"
    token = agent_token(ws, agent)

    def presence(client: RawClient) -> list:
        return [(p["data"]["payload"]["user_id"], p["data"]["payload"]["online"]) for p in client.publications(account)
                if p["data"]["type"] == "user.presence_changed"]

    async def main():
        watcher = await connected(ws.server, agent_token(ws))
        await watcher.call("subscribe", {"channel": account})
        phone = await connected(ws.server, token)
        await watcher.until(lambda: presence(watcher) == [(agent.id, True)], "the agent online")
        laptop = await connected(ws.server, token)
        listed = await watcher.call("presence", {"channel": account})
        assert {c["user"] for c in listed["presence"].values()} == {str(ws.admin.id), str(agent.id)}
        assert {phone.connect_result["client"], laptop.connect_result["client"]} <= set(listed["presence"])
        await phone.close()
        await laptop.close()
        await watcher.until(lambda: len(presence(watcher)) == 2, "the agent offline")
        assert presence(watcher) == [(agent.id, True), (agent.id, False)]
        stats = await watcher.call("presence_stats", {"channel": account})
        assert stats == {"num_clients": 1, "num_users": 1}
        await watcher.close()

    run(main())


def test_two_devices_of_one_user_stay_in_step(workspace):
    ws = workspace
    chat = open_chat(ws)
    chat.contact_post("one")
    chat.contact_post("two")
    token = agent_token(ws)
    own = f"user:{ws.admin.id}"
    epoch = epoch_of(ws.server)

    def unread() -> int:
        r = ws.admin.api.get(f"{ws.path}/conversations/{chat.conversation_id}")
        assert r.status_code == 200, r.text
        return r.json()["unread_count"]

    async def main():
        phone = await connected(ws.server, token)
        laptop = await connected(ws.server, token)
        positions = {}
        for device in (phone, laptop):
            for channel in (chat.channel, own):
                positions[channel] = (await device.call("subscribe", {"channel": channel}))["offset"]
        for index in range(3):
            chat.contact_post(f"live {index}")
        for device in (phone, laptop):
            pubs = await device.wait_publications(chat.channel, 3)
            assert [p["data"]["payload"]["content"] for p in pubs] == ["live 0", "live 1", "live 2"]
        assert raw_publications_equal(phone, laptop, chat.channel)
        assert unread() == 5

        marked = await phone.call("rpc", {"method": "conversation.update_last_seen",
                                          "data": {"conversation_id": chat.conversation_id}})
        assert marked["data"]["id"] == chat.conversation_id and marked["data"]["unread_count"] == 0
        read = await laptop.wait_publications(own, 1)
        assert read[0]["data"]["type"] == "conversation.read"
        assert read[0]["data"]["payload"]["conversation_id"] == chat.conversation_id
        assert read[0]["offset"] == positions[own] + 1
        assert unread() == 0

        # An offline device gets what it missed, and the read marker, when it comes back.
        await laptop.close()
        chat.contact_post("while away")
        assert unread() == 1
        await phone.call("rpc", {"method": "conversation.update_last_seen", "data": {"conversation_id": chat.conversation_id}})
        back = await RawClient.open(ws_url(ws.server))
        result = await back.connect(token, subs={
            chat.channel: {"recover": True, "epoch": epoch, "offset": positions[chat.channel] + 3},
            own: {"recover": True, "epoch": epoch, "offset": positions[own] + 1},
        })
        assert set(result["subs"]) == {chat.channel, own}
        assert all(s["recovered"] is True for s in result["subs"].values())
        assert [p["data"]["payload"]["content"] for p in result["subs"][chat.channel]["publications"]] == ["while away"]
        assert [p["data"]["type"] for p in result["subs"][own]["publications"]] == ["conversation.read"]
        assert unread() == 0
        await phone.close()
        await back.close()

    run(main())


def raw_publications_equal(first: RawClient, second: RawClient, channel: str) -> bool:
    return first.raw_pushes(channel) == second.raw_pushes(channel)


def test_a_stalled_consumer_is_cut_off_and_recovers_while_the_others_get_everything(tmp_path):
    with own_server(tmp_path, outbound_queue_limit=16) as server:
        ws = workspace_on(server)
        inbox = make_inbox(ws)
        chats = [open_chat(ws, inbox) for _ in range(20)]
        channel = chats[0].inbox_channel
        token = agent_token(ws)
        epoch = epoch_of(server)

        async def main():
            reader = await connected(server, token)
            start = (await reader.call("subscribe", {"channel": channel}))["offset"]
            stalled = await RawClient.open(ws_url(server), sock=small_socket(server), max_queue=1)
            await stalled.connect(token)
            assert (await stalled.call("subscribe", {"channel": channel}))["offset"] == start
            stalled.reading.clear()
            # About 8 MB in all: more than the socket buffers between the server and a client that reads nothing.
            contents = await asyncio.to_thread(post_many, ws, [c.conversation_id for c in chats], 2000, "slow", 3000)
            top = head(ws, channel)
            await reader.wait_offset(channel, top, timeout=30)
            assert reader.offsets(channel) == list(range(start + 1, top + 1))
            delivered = [p["data"]["payload"]["content"] for p in reader.publications(channel)
                         if p["data"]["type"] == "message.created"]
            assert sorted(delivered) == sorted(contents)

            # Stalled for longer than the server gives a closing connection to drain (3 s).
            await asyncio.sleep(4)
            stalled.reading.set()
            code = await stalled.wait_closed(timeout=15)
            got = stalled.offsets(channel)
            assert got == list(range(start + 1, start + 1 + len(got)))
            assert len(got) < top - start

            again = await connected(server, token)
            last = got[-1] if got else start
            result = await again.call("subscribe", {"channel": channel, "recover": True, "epoch": epoch, "offset": last})
            if top - last <= 1000:
                assert result["recovered"] is True
                rest = result["publications"]
            else:
                assert result["recovered"] is False and "publications" not in result
                rest, since = [], last
                while since < top:
                    page = await again.call("history", {"channel": channel, "since": {"offset": since, "epoch": epoch},
                                                        "limit": 1000})
                    rest += page["publications"]
                    since = page["publications"][-1]["offset"]
            assert [p["offset"] for p in rest] == list(range(last + 1, top + 1))
            await reader.close()
            await again.close()
            # Centrifugo's code for a slow client, or a dropped socket; never a normal closure.
            assert code in (3008, 1006), (code, stalled.close_reason)

        run(main(), timeout=90)


def test_reverse_history_of_a_user_channel_pages_past_other_accounts(workspace):
    """A user's channel spans every account they belong to, and a connection
    sees only its own account's part: a reverse page of 3 still holds 3 of its
    publications when the newest entries belong to another account."""
    ws = workspace
    r = ws.platform.post("/platform/api/v1/accounts", json={"name": "Second"})
    assert r.status_code == 200, r.text
    second = Workspace(ws.server, r.json()["id"], ws.admin, ws.platform)
    r = ws.platform.post(f"/platform/api/v1/accounts/{second.account_id}/account_users",
                         json={"user_id": ws.admin.id, "role": "administrator"})
    assert r.status_code == 200, r.text

    def mark_read(space: Workspace, chat: Chat, times: int) -> None:
        for index in range(times):
            chat.contact_post(f"hello {index}")
            r = ws.admin.api.post(f"{space.path}/conversations/{chat.conversation_id}/update_last_seen")
            assert r.status_code == 200, r.text

    mark_read(ws, open_chat(ws), 3)
    mark_read(second, open_chat(second), 5)

    async def main():
        client = await connected(ws.server, agent_token(ws))
        page = await client.call("history", {"channel": f"user:{ws.admin.id}", "limit": 3, "reverse": True})
        publications = page["publications"]
        assert len(publications) == 3
        assert all(p["data"]["account_id"] == ws.account_id for p in publications)
        offsets = [int(p["offset"]) for p in publications]
        assert offsets == sorted(offsets, reverse=True)
        await client.close()

    run(main())
