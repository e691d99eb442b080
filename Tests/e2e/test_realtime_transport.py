"""The WebSocket underneath the protocol: the upgrade (and its refusals),
control frames, fragmented messages, the closing handshake from the
client's side, and commands sent faster than they are answered."""

import asyncio
import json
import socket

from realtime import TIMEOUT, RawClient, agent_token, connected, open_chat, run, stream_events, ws_url

HANDSHAKE = ("Upgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Version: 13\r\n"
             "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n")


def exchange(server, request: bytes) -> bytes:
    """Sends raw bytes on a new connection and reads until the server closes it."""
    host, port = server.base_url.removeprefix("http://").split(":")
    with socket.create_connection((host, int(port)), timeout=TIMEOUT) as sock:
        sock.sendall(request)
        answer = b""
        while chunk := sock.recv(65536):
            answer += chunk
    return answer


def head_and_body(answer: bytes) -> tuple[list[str], bytes]:
    head, _, body = answer.partition(b"\r\n\r\n")
    return head.decode().split("\r\n"), body


def test_an_upgrade_elsewhere_or_without_a_valid_handshake_is_refused_with_400(workspace):
    for request in (
        f"GET /api/v1/profile HTTP/1.1\r\nHost: x\r\n{HANDSHAKE}\r\n",
        "GET /connection/websocket HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\r\n",
        "GET /healthz HTTP/1.1\r\nHost: x\r\nUpgrade: h2c\r\nConnection: Upgrade\r\n\r\n",
    ):
        lines, body = head_and_body(exchange(workspace.server, request.encode()))
        assert lines[0] == "HTTP/1.1 400 Bad Request", lines
        assert "connection: close" in [line.lower() for line in lines]
        assert json.loads(body)["error"]["code"] == "upgrade_refused"


def test_an_upgrade_after_a_request_on_the_same_connection_is_sent_to_a_new_one(workspace):
    answer = exchange(workspace.server, (
        "GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n"
        f"GET /connection/websocket?format=json HTTP/1.1\r\nHost: x\r\n{HANDSHAKE}\r\n").encode())
    first, rest = answer.split(b"\r\n\r\n", 1)
    assert first.startswith(b"HTTP/1.1 200"), first
    length = next(int(line.split(b":")[1]) for line in first.split(b"\r\n") if line.lower().startswith(b"content-length"))
    lines, _ = head_and_body(rest[length:])
    assert lines[0] == "HTTP/1.1 307 Temporary Redirect", lines
    fields = {line.split(":", 1)[0].lower(): line.split(":", 1)[1].strip() for line in lines[1:]}
    assert fields["location"] == "/connection/websocket?format=json"
    assert fields["connection"] == "close"


def test_pings_fragments_and_the_clients_close_code(workspace):
    token = agent_token(workspace)

    async def main():
        client = await connected(workspace.server, token)
        async with asyncio.timeout(TIMEOUT):
            latency = await client.conn.ping(b"are you there")
            await latency
        # One command split over four WebSocket frames is one message.
        text = json.dumps({"id": 7, "ping": {}})
        await client.send([text[:3], text[3:9], text[9:12], text[12:]])
        await client.until(lambda: 7 in client.replies, "the reply to a fragmented command")
        assert client.replies[7].json == {"id": 7, "ping": {}}
        # The client closes: the server answers with the client's own code.
        async with asyncio.timeout(TIMEOUT):
            await client.conn.close(code=4000, reason="bye")
        assert client.conn.protocol.close_rcvd is not None and client.conn.protocol.close_rcvd.code == 4000
        assert client.conn.protocol.close_sent.code == 4000

    run(main())


def test_a_message_over_the_limit_in_fragments_closes_with_1009(workspace):
    token = agent_token(workspace)

    async def main():
        client = await connected(workspace.server, token)
        await client.send([" " * (30 * 1024)] * 3 + [json.dumps({"id": 9, "ping": {}})])
        assert await client.wait_closed() == 1009
        assert 9 not in client.replies

    run(main())


def test_a_thousand_commands_sent_without_waiting_are_answered_in_order(workspace):
    """The server stops reading while a client's commands wait and reads on
    as they are handled: a client far ahead of its replies is held back, not
    dropped, and gets every reply in order."""
    token = agent_token(workspace)

    async def main():
        client = await connected(workspace.server, token)
        first = client.new_id() + 1
        ids = [client.new_id() for _ in range(1000)]
        await asyncio.gather(*(client.send(json.dumps({"id": i, "ping": {}})) for i in ids))
        await client.until(lambda: ids[-1] in client.replies, "the last reply", timeout=30)
        answered = [json.loads(line)["id"] for line in client.lines if line.startswith('{"id"')]
        assert answered[-1000:] == list(range(first, first + 1000))

    run(main())


def test_commands_sent_right_before_the_client_leaves_still_happen(workspace):
    chat = open_chat(workspace)
    token = agent_token(workspace)
    contents = [f"parting-{index}" for index in range(20)]

    async def main():
        client = await connected(workspace.server, token)
        for index, content in enumerate(contents):
            await client.send(json.dumps({"id": 100 + index, "rpc": {"method": "message.create", "data": {
                "conversation_id": chat.conversation_id, "content": content}}}))
        # Gone without a close frame (its side of the socket shut), before any reply was read.
        client.conn.transport.write_eof()
        # The server takes a shut side for a client gone: it closes at once,
        # not at the next ping.
        assert await client.wait_closed(timeout=5) == 1006

    run(main())

    async def until_stored():
        async with asyncio.timeout(TIMEOUT):
            while True:
                events = await asyncio.to_thread(stream_events, workspace, chat.channel)
                stored = [e["payload"].get("content") for e in events if e["type"] == "message.created"]
                if len(stored) >= len(contents):
                    return stored
                await asyncio.sleep(0.1)

    assert asyncio.run(until_stored()) == contents


def test_a_client_that_never_connects_is_closed_as_stale_not_kept(workspace):
    async def main():
        client = await RawClient.open(ws_url(workspace.server))
        assert await client.wait_closed(timeout=15) == 3502

    run(main(), timeout=30)
