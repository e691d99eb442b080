"""Centrifugo's client protocol at `/connection/websocket`, spoken raw over
`websockets`: commands one at a time or batched in a frame, the errors and
closes that bad input gets, channel limits, join and leave pushes, and rpc
refusals."""

import asyncio
import json
from concurrent.futures import ThreadPoolExecutor

from conftest import other_workspace
from realtime import RawClient, add_agent, agent_token, connected, epoch_of, open_chat, run, ws_url


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


def test_a_client_still_sending_when_the_server_closes_gets_the_close_code(workspace):
    """The server closes with a protocol code and then waits for the client's
    close frame, reading what the client still sends meanwhile: if it dropped
    the socket at once, the client's next frames would be answered with a TCP
    reset, which discards the replies and the close frame not yet read."""
    token = agent_token(workspace)

    async def pipelining() -> RawClient:
        client = await RawClient.open(ws_url(workspace.server))
        await client.send(json.dumps({"id": 1, "connect": {"token": token}}))
        await client.send("not json")
        for index in range(2000):
            if client.closed.is_set():
                break
            try:
                await client.send(json.dumps({"id": 10 + index, "ping": {}}))
            except Exception:
                break
        await client.wait_closed()
        return client

    async def main():
        for client in await asyncio.gather(*(pipelining() for _ in range(5))):
            assert (client.close_code, client.close_reason) == (3501, "bad request")
            assert "connect" in client.replies[1].json

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


def test_a_connection_subscribes_to_at_most_256_channels(workspace):
    chat = open_chat(workspace)
    base = f"/public/api/v1/inboxes/{chat.inbox['inbox_identifier']}/contacts/{chat.contact['source_id']}/conversations"
    conversations = [chat.conversation_id]

    def create(_):
        r = chat.widget.post(base, json={})
        assert r.status_code == 200, r.text
        return r.json()["id"]

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


def test_connect_subscribes_its_subs_and_refuses_the_others_with_an_unsubscribe_push(workspace):
    chat = open_chat(workspace)
    other = other_workspace(workspace)
    theirs = open_chat(other)
    agent = workspace.new_user("agent")
    epoch = epoch_of(workspace.server)
    allowed = f"user:{agent.id}"
    refused = [chat.channel, theirs.channel, "nonsense"]

    async def main():
        client = await RawClient.open(ws_url(workspace.server))
        result = await client.connect(agent_token(workspace, agent), subs={
            allowed: {"recover": True, "epoch": epoch, "offset": 0}, **{c: {} for c in refused}})
        assert set(result["subs"]) == {allowed}
        assert result["subs"][allowed]["recovered"] is True
        await client.until(lambda: len(client.pushes) >= 3, "the refusals")
        assert sorted((f.json["push"]["channel"], json.dumps(f.json["push"]["unsubscribe"])) for f in client.pushes) == sorted(
            (c, json.dumps({"code": 2000, "reason": "permission denied"})) for c in refused)
        await client.close()

    run(main())


def test_join_and_leave_are_pushed_to_subscribers_that_asked_for_them(workspace):
    chat = open_chat(workspace)
    agent = workspace.new_user("agent")
    add_agent(workspace, chat.inbox, agent)

    async def main():
        watcher = await connected(workspace.server, agent_token(workspace))
        quiet = await connected(workspace.server, agent_token(workspace))
        await watcher.call("subscribe", {"channel": chat.channel, "join_leave": True})
        await quiet.call("subscribe", {"channel": chat.channel})
        joining = await connected(workspace.server, agent_token(workspace, agent))
        await joining.call("subscribe", {"channel": chat.channel})
        await joining.call("unsubscribe", {"channel": chat.channel})
        await watcher.until(lambda: len(watcher.pushes) >= 3, "join and leave pushes")
        info = {"user": str(agent.id), "client": joining.connect_result["client"]}
        quiet_info = {"user": str(workspace.admin.id), "client": quiet.connect_result["client"]}
        assert [f.json for f in watcher.pushes] == [
            {"push": {"channel": chat.channel, "join": {"info": quiet_info}}},
            {"push": {"channel": chat.channel, "join": {"info": info}}},
            {"push": {"channel": chat.channel, "leave": {"info": info}}},
        ]
        assert await quiet.call("ping") == {}
        assert quiet.pushes == []
        for client in (watcher, quiet, joining):
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
