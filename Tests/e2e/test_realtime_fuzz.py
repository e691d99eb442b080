"""Fuzzing `/connection/websocket` with more than 10,000 random and mutated
frames over hundreds of connections: valid commands with fields of the
wrong type, truncated JSON, random text, huge ids, unknown methods,
subscribe storms, binary frames, empty lines. Each connection gets error
replies or a close with a protocol code (3000–3999); the server never
crashes, still serves a well-behaved client afterwards, and no frame ever
carries another account's data."""

import asyncio
import json
import random

import requests
from websockets.exceptions import ConnectionClosed

from realtime import RawClient, agent_token, connected, open_chat, own_server, run, unique, workspace_on, ws_url

SEED = 20240505
FRAMES_PER_CONNECTION = 48
AT_ONCE = 48
# Ids of the pings that follow each frame, above any id the fuzzer uses.
BARRIER = 3_000_000_000
# Replies a command may get: Centrifugo's errors, and the HTTP statuses of refused rpc commands.
ERROR_CODES = set(range(100, 113)) | {400, 401, 403, 404, 409, 413, 422, 429}
RESULTS = {"connect", "subscribe", "unsubscribe", "publish", "presence", "presence_stats", "history", "ping", "rpc",
           "refresh", "sub_refresh"}
WRONG_VALUES = [None, True, False, 0, -1, 1.5, 2 ** 32, 2 ** 64, 1e308, -1e308, "", "x" * 300, "1", [], [1, "a"], {},
                {"a": {"b": None}}, "\u0000", "\ud7ff\ue000", "🎉" * 20]
METHODS = ["message.create", "conversation.typing", "conversation.update_last_seen", "conversation.toggle_status",
           "conversation.assign", "conversation.toggle_priority", "conversation.labels", "conversation.delete", "",
           "message.create\u0000", "MESSAGE.CREATE"]


class Fuzzer:
    """Frames from one seeded generator: valid commands about the channels
    of account A and of account B, then mutated in every way a client could."""

    def __init__(self, rng: random.Random, ours: list[str], theirs: list[str], tokens: list[str],
                 conversations: list[int]):
        self.rng = rng
        self.channels = ours + theirs + [
            "", "nonsense", "account:", "conversation:1:", "user:-1", "inbox:1:1:1", "x" * 500, "conversation:1:1\u0000",
            "contact:1:" + "9" * 30, "💬:1", "account:01", " account:1"]
        self.tokens = tokens
        self.conversations = conversations
        self.next_id = 1

    def channel(self) -> str:
        return self.rng.choice(self.channels)

    def command(self) -> dict:
        rng = self.rng
        self.next_id += 1
        # A second connect, or a refresh with another identity's token, ends the connection: those stay rare.
        method = rng.choices(
            ["subscribe", "unsubscribe", "history", "presence", "presence_stats", "rpc", "ping", "refresh", "sub_refresh",
             "publish", "connect", "send"], weights=[20, 8, 15, 6, 6, 20, 4, 2, 4, 4, 1, 4])[0]
        body: dict = {}
        if method in ("subscribe", "unsubscribe", "history", "presence", "presence_stats", "sub_refresh", "publish"):
            body["channel"] = self.channel()
        if method == "subscribe" and rng.random() < 0.6:
            body.update(recover=True, epoch=rng.choice(["", "0" * 16, "zz"]), offset=rng.randrange(0, 50))
        if method == "history":
            body["limit"] = rng.choice([-1, 0, 1, 5, 1000, 10 ** 6])
            if rng.random() < 0.5:
                body["since"] = {"offset": rng.randrange(0, 50), "epoch": rng.choice(["", "0" * 16])}
            body["reverse"] = rng.random() < 0.3
        if method == "rpc":
            body["method"] = rng.choice(METHODS)
            body["data"] = {"conversation_id": rng.choice(self.conversations + [0, 999999]), "content": unique("fuzz"),
                            "echo_id": unique("e"), "status": rng.choice(["open", "resolved", "bogus"]),
                            "labels": ["a", "b"], "typing_status": rng.choice(["on", "off"]), "priority": "high"}
        if method in ("refresh", "connect"):
            body["token"] = rng.choice(self.tokens)
        if method == "connect" and rng.random() < 0.5:
            body["subs"] = {self.channel(): {"recover": True, "offset": 1} for _ in range(rng.randrange(1, 5))}
        if method == "publish":
            body["data"] = {"content": "published"}
        command = {"id": self.next_id, method: body}
        if method == "send":
            command = {"send": {"data": {"x": 1}}}
        return command

    def mutate(self, command: dict) -> dict:
        """A field of the command replaced by a value of another type, dropped, or added."""
        rng = self.rng
        command = json.loads(json.dumps(command))
        targets = [(command, key) for key in command if key != "id" or rng.random() < 0.1]
        for key, value in list(command.items()):
            if isinstance(value, dict):
                targets += [(value, k) for k in value]
                for inner in value.values():
                    if isinstance(inner, dict):
                        targets += [(inner, k) for k in inner]
        holder, key = rng.choice(targets)
        choice = rng.random()
        if choice < 0.6:
            holder[key] = rng.choice(WRONG_VALUES)
        elif choice < 0.8:
            del holder[key]
        else:
            holder[rng.choice(["teleport", "id", "channel", "data", key + "_"])] = rng.choice(WRONG_VALUES)
        return command

    def frame(self) -> str | bytes:
        rng = self.rng
        kind = rng.random()
        if kind < 0.18:
            return json.dumps(self.command())
        if kind < 0.54:
            return json.dumps(self.mutate(self.command()))
        if kind < 0.57:
            text = json.dumps(self.command())
            return text[:rng.randrange(1, len(text))]
        if kind < 0.59:
            return bytes(rng.randrange(256) for _ in range(rng.randrange(1, 200))).decode("latin-1")
        if kind < 0.62:
            command = self.command()
            if "id" in command:
                command["id"] = rng.choice([2 ** 32, 2 ** 53 + 1, 10 ** 30, -5, 1.25, "7", None, 0, 2 ** 32 - 1])
            return json.dumps(command)
        if kind < 0.67:
            return json.dumps({"id": self.next_id, rng.choice(["teleport", "Subscribe", "PING", "__proto__"]): {}})
        if kind < 0.69:
            self.next_id += 300
            return "\n".join(json.dumps({"id": self.next_id - i, "subscribe": {"channel": self.channel()}})
                             for i in range(300))
        if kind < 0.70:
            return json.dumps(self.command()).encode()
        if kind < 0.78:
            return rng.choice(["", "\n", "\n\n\n", " ", "{}", "{}\n{}", "\r\n", "\t"])
        if kind < 0.85:
            return "\n".join(rng.choice([json.dumps(self.command()), json.dumps(self.mutate(self.command())), ""])
                             for _ in range(rng.randrange(2, 8)))
        if kind < 0.87:
            return rng.choice(['{"id":1,"ping":{}', "NaN", '{"id":NaN,"ping":{}}', '{"id":1,"ping":{}}}',
                               '{"id":1,"ping":{},"id":2}', "[" * 500, '{"id":1e400,"ping":{}}', "\"\\ud800\"",
                               '{"id":1,"subscribe":{"channel":"\\ud800"}}', "\ufeff{}", "null", "true", "[]"])
        return json.dumps({"id": self.next_id, "rpc": {"method": rng.choice(METHODS), "data": rng.choice(WRONG_VALUES)}})


def test_random_and_mutated_frames_get_errors_or_protocol_closes_and_never_another_accounts_data(tmp_path):
    with own_server(tmp_path) as server:
        ours = workspace_on(server)
        chat = open_chat(ours)
        chat.post("ours")
        theirs = workspace_on(server)
        their_chat = open_chat(theirs)
        secret = unique("their-secret")
        their_chat.post(secret)
        their_chat.contact_post(secret + "-from-contact")
        b = theirs.account_id
        their_channels = [f"account:{b}", f"audit:{b}", their_chat.inbox_channel, their_chat.channel,
                          their_chat.contact_channel, f"user:{theirs.admin.id}"]
        our_channels = [f"account:{ours.account_id}", chat.inbox_channel, chat.channel, chat.contact_channel,
                        f"user:{ours.admin.id}"]
        admin_token = agent_token(ours)
        tokens = [admin_token, chat.token, admin_token[:-2] + "xx", "", "garbage", agent_token(ours)]
        outcomes: dict[str, int] = {}
        # Connections closed with a code outside 3000–3999: the code, the reason, lines received, the last frames sent.
        strays = []
        processed = 0

        async def session(index: int) -> None:
            """Frames one at a time, each followed by a ping with an id of
            its own: its reply (or the close) shows the server has dealt
            with the frame before the next one goes."""
            nonlocal processed
            rng = random.Random(SEED + index)
            fuzzer = Fuzzer(rng, our_channels, their_channels, tokens, [chat.conversation_id, their_chat.conversation_id])
            client = await RawClient.open(ws_url(server))
            token = rng.choice([admin_token] * 6 + [chat.token] * 3 + [None])
            if token:
                await client.connect(token)
            frames = []
            for barrier in range(BARRIER, BARRIER + FRAMES_PER_CONNECTION):
                frames.append(fuzzer.frame())
                try:
                    await client.send(frames[-1])
                    await client.send(json.dumps({"id": barrier, "ping": {}}))
                except ConnectionClosed:
                    pass
                await client.until(lambda: barrier in client.replies or client.closed.is_set(),
                                   "the server to answer or close")
                processed += 1
                if client.closed.is_set():
                    break
            if client.closed.is_set():
                code = client.close_code
                outcomes[f"closed {code}"] = outcomes.get(f"closed {code}", 0) + 1
                if not (code is not None and 3000 <= code <= 3999):
                    strays.append((code, client.close_reason, len(client.lines), frames[-2:]))
            else:
                outcomes["open"] = outcomes.get("open", 0) + 1
                await client.close()
            assert client.closed.is_set() or any("error" in r.json for r in client.replies.values()), frames[:5]
            check(client)

        def check(client: RawClient) -> None:
            assert client.unparseable == []
            for reply in client.replies.values():
                keys = set(reply.json) - {"id"}
                assert len(keys) == 1, reply.raw
                (key,) = keys
                if key == "error":
                    assert reply.json["error"]["code"] in ERROR_CODES, reply.raw
                    assert isinstance(reply.json["error"]["message"], str)
                else:
                    assert key in RESULTS, reply.raw
            for line in client.lines:
                assert secret not in line, line
                if any(channel in line for channel in their_channels):
                    push = json.loads(line).get("push", {})
                    # Only the refusal of a channel the client named itself in its connect command.
                    assert push.get("unsubscribe") == {"code": 2000, "reason": "permission denied"}, line
                assert f'"account_id":{b},' not in line and f'"account_id":{b}}}' not in line, line

        async def main():
            connections = 0
            while processed < 10_000:
                await asyncio.gather(*(session(connections + i) for i in range(AT_ONCE)))
                connections += AT_ONCE
                assert connections <= 5000, (processed, outcomes)
            assert server.process.poll() is None
            r = requests.get(server.base_url + "/healthz", timeout=10)
            assert r.status_code == 200, r.text
            # A well-behaved client is served as before (in a conversation the fuzzer's messages did not fill up).
            calm = await asyncio.to_thread(open_chat, ours, chat.inbox)
            client = await connected(server, agent_token(ours))
            result = await client.call("subscribe", {"channel": calm.channel})
            calm.post("after the storm")
            pubs = await client.wait_publications(calm.channel, 1)
            assert pubs[0]["data"]["payload"]["content"] == "after the storm"
            assert pubs[0]["offset"] == result["offset"] + 1
            await client.close()
            assert strays == [], (outcomes, strays[:5])

        run(main(), timeout=120)
