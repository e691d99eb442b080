"""Centrifugo's client protocol at `/connection/websocket`, spoken raw over
`websockets`: connect, subscribe with recovery, history, who may read what,
tokens, pings, bad commands, typing, several devices of one user, and slow
consumers. Every await has a deadline; nothing here waits for the clock
except where the protocol is about time (pings, token expiry)."""

import asyncio
import base64
import json
import socket
import threading
import time
import uuid

import pytest

from conftest import other_workspace
from realtime import (
    TIMEOUT, RawClient, add_agent, agent_token, connected, epoch_of, events_page, head, make_inbox, open_chat,
    own_server, post_many, raw_data, raw_publications, run, seq_in, stream_events, workspace_on, ws_url,
)

CONNECT_KEYS = {"client", "version", "expires", "ttl", "ping", "pong", "node"}


def test_connect_answers_with_the_client_its_token_lifetime_and_the_keepalive(workspace):
    token = agent_token(workspace)

    async def main():
        first = await connected(workspace.server, token)
        second = await connected(workspace.server, token)
        for result in (first.connect_result, second.connect_result):
            assert set(result) == CONNECT_KEYS
            assert str(uuid.UUID(result["client"])) == result["client"]
            assert result["expires"] is True and 3590 <= result["ttl"] <= 3600
            assert result["ping"] == 25 and result["pong"] is True
            assert isinstance(result["version"], str) and result["version"]
        assert first.connect_result["client"] != second.connect_result["client"]
        assert first.connect_result["node"] == second.connect_result["node"]
        assert await first.call("ping") == {}
        await first.close()
        await second.close()

    run(main())


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
        # And the other account's own token works there.
        theirs_client = await connected(workspace.server, agent_token(other))
        for channel in their_channels:
            await theirs_client.call("subscribe", {"channel": channel})
        for c in (client, contact, theirs_client):
            assert "their secret" not in "".join(c.lines if c is not theirs_client else [])
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


def test_subscribing_twice_is_refused_and_an_unsubscribed_channel_stays_quiet(workspace):
    chat = open_chat(workspace)
    token = agent_token(workspace)

    async def main():
        client = await connected(workspace.server, token)
        witness = await connected(workspace.server, token)
        await client.call("subscribe", {"channel": chat.channel})
        await witness.call("subscribe", {"channel": chat.channel})
        assert await client.error("subscribe", {"channel": chat.channel}) == 105
        assert await client.error("subscribe", {"channel": chat.channel, "recover": True, "offset": 0}) == 105
        chat.post("while subscribed")
        await client.wait_publications(chat.channel, 1)
        assert await client.call("unsubscribe", {"channel": chat.channel}) == {}
        assert await client.call("unsubscribe", {"channel": chat.channel}) == {}
        chat.post("after unsubscribe")
        await witness.wait_publications(chat.channel, 2)
        # A reply queued after the channel's last delivery: nothing more came before it.
        assert await client.call("ping") == {}
        assert [p["data"]["payload"]["content"] for p in client.publications(chat.channel)] == ["while subscribed"]
        await client.close()
        await witness.close()

    run(main())


def test_forged_malformed_and_revoked_tokens_close_the_connection_with_3500(workspace):
    chat = open_chat(workspace)
    token = agent_token(workspace)
    agent = workspace.new_user("agent")
    revoked = agent_token(workspace, agent)
    other = other_workspace(workspace)
    theirs = agent_token(other)
    header, payload, signature = token.split(".")

    def encode(value: dict) -> str:
        return base64.urlsafe_b64encode(json.dumps(value).encode()).rstrip(b"=").decode()

    claims = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    flipped = signature[:5] + ("A" if signature[5] != "A" else "B") + signature[6:]
    forged = [
        f"{header}.{payload}.{flipped}",
        f"{header}.{payload}.{signature[:-4]}",
        f"{header}.{payload}.",
        f"{header}.{encode({**claims, 'sub': str(agent.id)})}.{signature}",
        f"{header}.{encode({**claims, 'account': other.account_id})}.{signature}",
        f"{header}.{encode({**claims, 'exp': claims['exp'] + 86400})}.{signature}",
        f"{header}.{theirs.split('.')[1]}.{signature}",
        f"{encode({'alg': 'none', 'typ': 'JWT'})}.{payload}.",
        f"{encode({'alg': 'HS512', 'typ': 'JWT'})}.{payload}.{signature}",
        f"{header}.{payload}.{signature}.{signature}",
        chat.token[:-3] + "abc",
        "", "abc", "a.b.c", "...", "x" * 5000, token + " ", " " + token,
    ]
    r = workspace.platform.delete(f"/platform/api/v1/accounts/{workspace.account_id}/account_users",
                                  json={"user_id": agent.id})
    assert r.status_code == 200, r.text

    async def refused(token_text: str) -> None:
        client = await RawClient.open(ws_url(workspace.server))
        await client.send(json.dumps({"id": 1, "connect": {"token": token_text}}))
        assert await client.wait_closed() == 3500, token_text
        assert client.close_reason == "invalid token"
        assert client.replies == {} and client.pushes == []

    async def main():
        await asyncio.gather(*(refused(t) for t in forged + [revoked]))
        # The genuine token still works.
        client = await connected(workspace.server, token)
        await client.close()

    run(main())


def test_refresh_takes_a_new_token_of_the_same_user_and_nobody_elses(workspace):
    chat = open_chat(workspace)
    colleague = workspace.new_user("agent")
    token = agent_token(workspace)

    async def refused(replacement: str) -> None:
        client = await connected(workspace.server, token)
        await client.send(json.dumps({"id": 9, "refresh": {"token": replacement}}))
        assert await client.wait_closed() == 3500, replacement
        assert 9 not in client.replies

    async def main():
        client = await connected(workspace.server, token)
        await client.call("subscribe", {"channel": chat.channel})
        renewed = await client.call("refresh", {"token": agent_token(workspace)})
        assert set(renewed) == {"client", "version", "expires", "ttl"}
        assert renewed["client"] == client.connect_result["client"] and renewed["expires"] is True
        assert 3590 <= renewed["ttl"] <= 3600
        chat.post("still here")
        await client.wait_publications(chat.channel, 1)
        assert await client.error("refresh", {"token": ""}) == 107
        await asyncio.gather(refused(agent_token(workspace, colleague)), refused(chat.token), refused("garbage"))
        await client.close()

    run(main())


def test_the_server_pings_and_closes_a_client_that_does_not_answer(tmp_path):
    with own_server(tmp_path, ping_interval=1, pong_timeout=1) as server:
        ws = workspace_on(server)
        token = agent_token(ws)

        async def main():
            answering = await connected(server, token)
            silent = await RawClient.open(ws_url(server), pong=False)
            assert (await silent.connect(token))["ping"] == 1
            assert answering.connect_result["ping"] == 1 and answering.connect_result["pong"] is True
            assert await silent.wait_closed(timeout=8) == 3012
            assert silent.close_reason == "no pong" and silent.pings >= 1
            await asyncio.sleep(max(0.0, 4.2 - answering.pings))
            await answering.until(lambda: answering.pings >= 4, "4 pings")
            assert not answering.closed.is_set()
            assert await answering.call("ping") == {}
            await answering.close()

        run(main())


async def closes_with(server, frames: list, code: int, token: str | None = None) -> RawClient:
    """Sends `frames` (after a connect when `token` is given) and expects the server to close with `code`."""
    client = await connected(server, token) if token else await RawClient.open(ws_url(server))
    replies = len(client.replies)
    for frame in frames:
        await client.send(frame)
    assert await client.wait_closed() == code, frames
    assert len(client.replies) == replies, (frames, client.lines)
    return client


def test_a_command_before_connect_or_a_malformed_line_closes_with_3501(workspace):
    chat = open_chat(workspace)
    token = agent_token(workspace)
    before_connect = [
        {"id": 1, "subscribe": {"channel": chat.channel}}, {"id": 1, "ping": {}}, {"id": 1, "history": {"channel": "x"}},
        {"id": 1, "rpc": {"method": "message.create", "data": {}}}, {"id": 1, "refresh": {"token": token}},
        {"id": 1, "presence": {"channel": chat.channel}}, {"id": 1, "unsubscribe": {"channel": chat.channel}},
    ]
    malformed = ["not json", '{"id":1,', "[1,2]", '"connect"', "42", "null", '{"id":-1,"ping":{}}', '{"id":1.5,"ping":{}}',
                 '{"id":"1","ping":{}}', '{"id":4294967296,"ping":{}}', '{"subscribe":{"channel":"x"}}',
                 '{"id":0,"ping":{}}', '{"foo":1}']

    async def main():
        await asyncio.gather(*(closes_with(workspace.server, [json.dumps(c)], 3501) for c in before_connect))
        await asyncio.gather(*(closes_with(workspace.server, [line], 3501, token) for line in malformed))
        await closes_with(workspace.server, [json.dumps({"id": 2, "connect": {"token": token}})], 3501, token)
        await closes_with(workspace.server, [b'{"id":2,"ping":{}}'], 3501, token)
        await closes_with(workspace.server, [b'{"id":1,"connect":{}}'], 3501)

    run(main())


def test_wrong_fields_and_unknown_methods_are_refused_one_command_at_a_time(workspace):
    chat = open_chat(workspace)
    token = agent_token(workspace)
    bad_requests = [
        {"subscribe": {"channel": 5}}, {"subscribe": "x"}, {"subscribe": {}}, {"subscribe": {"channel": chat.channel, "recover": "yes"}},
        {"subscribe": {"channel": chat.channel, "offset": -1}}, {"subscribe": {"channel": chat.channel, "offset": 1.5}},
        {"subscribe": {"channel": chat.channel, "epoch": 7}}, {"history": {"channel": chat.channel, "limit": "x"}},
        {"history": {"channel": chat.channel, "since": 3}}, {"history": {"channel": chat.channel, "reverse": 1}},
        {"history": {"channel": chat.channel, "limit": 1e300}}, {"unsubscribe": {"channel": []}},
        {"presence": {}}, {"refresh": {}}, {"sub_refresh": {}}, {"rpc": []}, {"ping": {}, "presence": {"channel": "x"}},
    ]

    async def main():
        client = await connected(workspace.server, token)
        for command in bad_requests:
            command_id = client.new_id()
            await client.send(json.dumps({"id": command_id, **command}))
            await client.until(lambda: command_id in client.replies, f"the reply to {command}")
            assert client.replies[command_id].json == {"id": command_id, "error": {"code": 107, "message": "bad request"}}
        command_id = client.new_id()
        await client.send(json.dumps({"id": command_id, "teleport": {}}))
        await client.until(lambda: command_id in client.replies, "the reply to an unknown method")
        assert client.replies[command_id].json["error"]["code"] == 104
        assert await client.error("publish", {"channel": chat.channel, "data": {"content": "x"}}) == 103
        assert await client.error("sub_refresh", {"channel": chat.channel}) == 103
        # Unknown fields are ignored, as Centrifugo's decoding does.
        result = await client.call("subscribe", {"channel": chat.channel, "flag": 3, "delta": "fossil", "data": {"a": 1}})
        assert result["recoverable"] is True
        assert await client.call("sub_refresh", {"channel": chat.channel}) == {"expires": False}
        assert not client.closed.is_set()
        await client.close()

    run(main())


def test_commands_batched_in_one_frame_are_answered_in_order(workspace):
    chat = open_chat(workspace)
    token = agent_token(workspace)

    async def main():
        client = await RawClient.open(ws_url(workspace.server))
        await client.send("\n".join([
            json.dumps({"id": 1, "connect": {"token": token}}), "",
            json.dumps({"id": 2, "subscribe": {"channel": chat.channel}}),
            json.dumps({"id": 3, "ping": {}}), json.dumps({"id": 4, "history": {"channel": chat.channel, "limit": 1}}), "",
        ]))
        await client.until(lambda: 4 in client.replies, "four replies")
        assert [json.loads(line).get("id") for line in client.lines] == [1, 2, 3, 4]
        assert [next(k for k in client.replies[i].json if k != "id") for i in (1, 2, 3, 4)] == [
            "connect", "subscribe", "ping", "history"]
        # Just under the frame limit passes; over it the connection closes.
        ping = json.dumps({"id": 5, "ping": {}})
        await client.send(ping + "\n" * (64 * 1024 - len(ping) - 1))
        await client.until(lambda: 5 in client.replies, "the reply to a frame just under the limit")
        await client.send(json.dumps({"id": 6, "ping": {}}) + " " * (64 * 1024))
        assert await client.wait_closed() == 1009
        assert 6 not in client.replies

    run(main())


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


def test_a_connection_subscribes_to_at_most_256_channels(workspace):
    chat = open_chat(workspace)
    base = f"/public/api/v1/inboxes/{chat.inbox['inbox_identifier']}/contacts/{chat.contact['source_id']}/conversations"
    conversations = [chat.conversation_id]

    def create(_):
        r = chat.widget.post(base, json={})
        assert r.status_code == 200, r.text
        return r.json()["id"]

    from concurrent.futures import ThreadPoolExecutor
    with ThreadPoolExecutor(8) as pool:
        conversations += list(pool.map(create, range(259)))
    channels = [f"conversation:{workspace.account_id}:{c}" for c in conversations]
    token = agent_token(workspace)

    async def main():
        client = await connected(workspace.server, token)
        ids = [client.new_id() for _ in channels]
        await client.send("\n".join(json.dumps({"id": i, "subscribe": {"channel": c}}) for i, c in zip(ids, channels)))
        await client.until(lambda: all(i in client.replies for i in ids), "a reply to every subscribe")
        assert all("subscribe" in client.replies[i].json for i in ids[:256])
        assert [client.replies[i].json["error"]["code"] for i in ids[256:]] == [106] * 4
        # Leaving one makes room for another.
        await client.call("unsubscribe", {"channel": channels[0]})
        await client.call("subscribe", {"channel": channels[-1]})
        await client.close()

    run(main())


def test_rpc_refusals_carry_the_http_status_and_the_api_error_code(workspace):
    chat = open_chat(workspace)
    neighbour = open_chat(workspace, chat.inbox, name="Neighbour")
    token = agent_token(workspace)

    async def main():
        agent = await connected(workspace.server, token)
        contact = await connected(workspace.server, chat.token)

        async def refusal(client: RawClient, method: str, data) -> dict:
            reply = (await client.request("rpc", {"method": method, "data": data})).json
            assert "rpc" not in reply, reply
            return reply["error"]

        assert (await refusal(agent, "conversation.teleport", {"conversation_id": chat.conversation_id}))["code"] == 104
        assert (await refusal(contact, "conversation.assign", {"conversation_id": chat.conversation_id}))["code"] == 104
        assert await refusal(agent, "message.create", {"content": "x"}) == {
            "code": 400, "message": "missing_field: conversation_id is required"}
        assert (await refusal(agent, "message.create", []))["code"] == 400
        for client, conversation in [(agent, 987654), (contact, neighbour.conversation_id), (contact, 987654)]:
            refused = await refusal(client, "message.create", {"conversation_id": conversation, "content": "x"})
            assert refused["code"] == 404 and refused["message"].startswith("not_found:"), refused
        invalid = await refusal(agent, "conversation.toggle_status", {"conversation_id": chat.conversation_id, "status": 7})
        assert invalid["code"] == 400
        sent = await contact.call("rpc", {"method": "message.create",
                                          "data": {"conversation_id": chat.conversation_id, "content": "from the widget"}})
        assert sent["data"]["content"] == "from the widget"
        assert [m["content"] for m in chat.widget.get(f"{chat.public_path}/messages").json()][-1:] == ["from the widget"]
        for client in (agent, contact):
            await client.close()

    run(main())


def small_socket(server) -> socket.socket:
    """A connected socket with a small receive buffer, so that a client that stops reading stalls its sender soon."""
    host, port = server.base_url.removeprefix("http://").split(":")
    sock = socket.socket()
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
    sock.settimeout(TIMEOUT)
    sock.connect((host, int(port)))
    return sock


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


async def expiry_scenario(server) -> None:
    """Tokens that live 10 s: an unrefreshed connection ends with 3005 when
    its token expires, a refreshed one lives on, and the expired token is
    then refused with 109 at connect and at refresh."""
    ws = await asyncio.to_thread(workspace_on, server)
    first = await asyncio.to_thread(lambda: ws.admin.api.post(f"{ws.path}/realtime_token").json())
    token, expires_at = first["token"], first["expires_at"]
    unrefreshed = await connected(server, token)
    refreshed = await connected(server, token)
    assert 8 <= unrefreshed.connect_result["ttl"] <= 10
    await asyncio.sleep(max(0.0, expires_at - 6 - time.time()))
    renewed = await refreshed.call("refresh", {"token": await asyncio.to_thread(agent_token, ws)})
    assert 9 <= renewed["ttl"] <= 10
    assert await unrefreshed.wait_closed(timeout=expires_at + 4 - time.time()) == 3005
    assert unrefreshed.close_reason == "connection expired" and time.time() >= expires_at - 0.1
    assert await refreshed.call("ping") == {}
    late = await RawClient.open(ws_url(server))
    assert (await late.request("connect", {"token": token})).json == {
        "id": 1, "error": {"code": 109, "message": "token expired"}}
    assert await refreshed.error("refresh", {"token": token}) == 109
    assert await refreshed.call("ping") == {}
    await late.close()
    await refreshed.close()


@pytest.fixture(scope="module", autouse=True)
def token_expiry(tmp_path_factory):
    """Runs ``expiry_scenario`` on a server of its own beside the module's other tests, which take about as long."""
    outcome = {}

    def scenario():
        try:
            with own_server(tmp_path_factory.mktemp("short-ttl"), realtime_token_ttl=10) as server:
                run(expiry_scenario(server), timeout=40)
            outcome["done"] = True
        except BaseException as error:
            outcome["error"] = error

    thread = threading.Thread(target=scenario, daemon=True)
    thread.start()

    def result() -> dict:
        thread.join(60)
        return outcome

    yield result
    thread.join(60)


def test_an_expired_token_is_refused_with_109_and_a_connection_ends_with_3005_when_its_token_does(token_expiry):
    outcome = token_expiry()
    if "error" in outcome:
        raise outcome["error"]
    assert outcome == {"done": True}
