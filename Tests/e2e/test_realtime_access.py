"""Who may read which channel over `/connection/websocket`: agents their
inboxes, those inboxes' conversations and their own channel; nobody another
account's channels; a user channel shows each connection only its token's
account; and access lost while connected ends the delivery at once. (What a
contact's token opens is in test_realtime_centrifuge.py.)"""

from websockets.exceptions import ConnectionClosed

from conftest import other_workspace
from realtime import add_agent, agent_token, connected, epoch_of, make_inbox, open_chat, run


def test_agents_may_read_only_their_inboxes_their_conversations_and_their_own_channel(workspace):
    ws = workspace
    mine, theirs = make_inbox(ws, "Mine"), make_inbox(ws, "Theirs")
    agent, colleague = ws.new_user("agent"), ws.new_user("agent")
    add_agent(ws, mine, agent)
    visible, hidden = open_chat(ws, mine), open_chat(ws, theirs)
    r = agent.api.post(f"{ws.path}/realtime_token")
    assert r.status_code == 200, r.text
    assert r.json()["channels"] == [f"user:{agent.id}", f"inbox:{ws.account_id}:{mine['id']}"]
    token = r.json()["token"]
    a = ws.account_id
    allowed = [f"user:{agent.id}", visible.inbox_channel, visible.channel]
    refused = [
        f"account:{a}", f"audit:{a}", hidden.inbox_channel, hidden.channel, visible.contact_channel,
        hidden.contact_channel, f"user:{colleague.id}", f"user:{ws.admin.id}", "platform",
        f"conversation:{a}:999999", f"inbox:{a}:999999",
        # Malformed names get the same answer as channels that exist.
        "nonsense", "inbox:1", f"inbox:{a}:0{mine['id']}", f"conversation:{a}:", f"conversation:{a}:x",
        f"user:{agent.id}:1", f" user:{agent.id}", f"user:{agent.id} ", f"user:0{agent.id}", f"USER:{agent.id}",
        f"conversation:{a}:{2 ** 64 + visible.conversation_id}", f"inbox:{a}:-{mine['id']}", "account:", ":",
        f"user:{agent.id}\u0000", f"inbox:{a}:{mine['id']}\n",
    ]

    async def main():
        client = await connected(ws.server, token)
        for channel in refused:
            assert await client.error("subscribe", {"channel": channel}) == 103, channel
            assert await client.error("history", {"channel": channel, "limit": 10}) == 103, channel
            assert await client.error("presence", {"channel": channel}) == 103, channel
            assert await client.error("presence_stats", {"channel": channel}) == 103, channel
        assert await client.error("subscribe", {"channel": ""}) == 107
        for channel in allowed:
            result = await client.call("subscribe", {"channel": channel})
            assert result["recoverable"] is True, channel
        assert client.pushes == []
        await client.close()

    run(main())


def test_a_token_of_one_account_opens_nothing_of_another(workspace):
    ours = open_chat(workspace)
    other = other_workspace(workspace)
    theirs = open_chat(other)
    theirs.post("their secret")
    token = agent_token(workspace)
    b = other.account_id
    their_channels = [f"account:{b}", f"audit:{b}", theirs.inbox_channel, theirs.channel, theirs.contact_channel,
                      f"user:{other.admin.id}"]

    async def main():
        client = await connected(workspace.server, token)
        for channel in their_channels:
            assert await client.error("subscribe", {"channel": channel}) == 103, channel
            assert await client.error("history", {"channel": channel}) == 103, channel
        # The contact of one account cannot reach the other either.
        contact = await connected(workspace.server, ours.token)
        for channel in their_channels:
            assert await contact.error("subscribe", {"channel": channel}) == 103, channel
        # The other account's own token opens them all.
        owner = await connected(workspace.server, agent_token(other))
        for channel in their_channels:
            await owner.call("subscribe", {"channel": channel})
        history = await owner.call("history", {"channel": theirs.channel, "limit": -1})
        assert "their secret" in [p["data"]["payload"].get("content") for p in history["publications"]]
        for c in (client, contact):
            assert "their secret" not in "".join(c.lines)
        for c in (client, contact, owner):
            await c.close()

    run(main())


def test_a_user_channel_shows_a_connection_only_its_own_accounts_events(workspace):
    """A user of two accounts has one user channel; a connection sees only the events of its token's account."""
    ws = workspace
    other = other_workspace(ws)
    r = other.platform.post(f"/platform/api/v1/accounts/{other.account_id}/account_users",
                            json={"user_id": ws.admin.id, "role": "administrator"})
    assert r.status_code == 200, r.text
    ours, theirs = open_chat(ws), open_chat(other)
    ours.contact_post("hello A")
    theirs.contact_post("hello B")
    channel = f"user:{ws.admin.id}"
    epoch = epoch_of(ws.server)
    token_a = agent_token(ws)
    r = ws.admin.api.post(f"/api/v1/accounts/{other.account_id}/realtime_token")
    assert r.status_code == 200, r.text
    token_b = r.json()["token"]

    def mark_read(account_id: int, conversation_id: int) -> None:
        r = ws.admin.api.post(f"/api/v1/accounts/{account_id}/conversations/{conversation_id}/update_last_seen")
        assert r.status_code == 200, r.text

    async def main():
        in_a = await connected(ws.server, token_a)
        in_b = await connected(ws.server, token_b)
        start = (await in_a.call("subscribe", {"channel": channel}))["offset"]
        await in_b.call("subscribe", {"channel": channel})
        mark_read(other.account_id, theirs.conversation_id)
        mark_read(ws.account_id, ours.conversation_id)
        mark_read(other.account_id, theirs.conversation_id)
        seen_a = await in_a.wait_publications(channel, 1)
        seen_b = await in_b.wait_publications(channel, 2)
        assert [(p["offset"], p["data"]["type"], p["data"]["account_id"]) for p in seen_a] == [
            (start + 2, "conversation.read", ws.account_id)]
        assert [(p["offset"], p["data"]["account_id"]) for p in seen_b] == [
            (start + 1, other.account_id), (start + 3, other.account_id)]

        later = await connected(ws.server, token_a)
        recovered = await later.call("subscribe", {"channel": channel, "recover": True, "epoch": epoch, "offset": start})
        assert recovered["recovered"] is True and recovered["offset"] == start + 3
        assert [p["offset"] for p in recovered["publications"]] == [start + 2]
        history = await later.call("history", {"channel": channel, "since": {"offset": start, "epoch": epoch}, "limit": 100})
        assert [p["offset"] for p in history["publications"]] == [start + 2]
        for client in (in_a, later):
            assert f'"account_id":{other.account_id},' not in "".join(client.lines)
            await client.close()
        await in_b.close()

    run(main())


def test_a_member_who_loses_access_stops_receiving_at_once(workspace):
    """Access is decided by who the user is now: an agent removed from an
    inbox, or from the account, gets nothing posted after the removal on an
    open connection (an unsubscribe push or a disconnect, as Centrifugo does)."""
    ws = workspace
    inbox = make_inbox(ws)
    chat = open_chat(ws, inbox)
    moved, removed = ws.new_user("agent"), ws.new_user("agent")
    for agent in (moved, removed):
        add_agent(ws, inbox, agent)
    tokens = {agent.id: agent_token(ws, agent) for agent in (moved, removed)}

    async def main():
        witness = await connected(ws.server, agent_token(ws))
        await witness.call("subscribe", {"channel": chat.inbox_channel})
        clients = {}
        for agent_id, token in tokens.items():
            clients[agent_id] = await connected(ws.server, token)
            for channel in (chat.inbox_channel, chat.channel):
                await clients[agent_id].call("subscribe", {"channel": channel})
        chat.post("before")
        for client in clients.values():
            await client.wait_publications(chat.inbox_channel, 1)

        r = ws.admin.api.delete(f"{ws.path}/inbox_members", json={"inbox_id": inbox["id"], "user_ids": [moved.id]})
        assert r.status_code == 200, r.text
        r = ws.platform.delete(f"/platform/api/v1/accounts/{ws.account_id}/account_users", json={"user_id": removed.id})
        assert r.status_code == 200, r.text
        chat.post("after the removal")
        await witness.wait_publications(chat.inbox_channel, 2)
        leaks = {}
        for agent_id, client in clients.items():
            if not client.closed.is_set():
                # A ping flushes what an open connection still had coming;
                # the disconnect may land first, which is as good.
                try:
                    await client.call("ping")
                except (AssertionError, ConnectionClosed):
                    pass
            for channel in (chat.inbox_channel, chat.channel):
                contents = [p["data"]["payload"].get("content") for p in client.publications(channel)]
                if "after the removal" in contents:
                    leaks[(agent_id, channel)] = contents
        assert leaks == {}

    run(main())
