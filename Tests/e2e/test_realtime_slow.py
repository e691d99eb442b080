"""Slow consumers: clients that stop reading are cut off at their outbound
queue's bound (3008), server memory stays bounded, and the clients that do
read get everything, in order."""

import asyncio

from realtime import (
    RawClient, agent_token, epoch_of, make_inbox, open_chat, own_server, post_many, run, small_socket, workspace_on,
    ws_url,
)

STALLED = 100
MESSAGES = 600
PAD = 12000


def rss_kib(pid: int) -> int:
    with open(f"/proc/{pid}/status") as status:
        return next(int(line.split()[1]) for line in status if line.startswith("VmRSS:"))


def test_a_hundred_stalled_clients_do_not_hold_up_or_bloat_the_server(tmp_path):
    with own_server(tmp_path / "data", outbound_queue_limit=64) as server:
        ws = workspace_on(server)
        inbox = make_inbox(ws)
        chats = [open_chat(ws, inbox, f"Visitor {n}") for n in range(4)]
        channel = chats[0].inbox_channel
        token = agent_token(ws)
        epoch = epoch_of(server)

        async def body():
            reader = await RawClient.open(ws_url(server))
            await reader.connect(token)
            await reader.call("subscribe", {"channel": channel})
            stalled = []
            for _ in range(STALLED):
                client = await RawClient.open(ws_url(server), sock=small_socket(server), max_queue=1)
                await client.connect(token)
                await client.call("subscribe", {"channel": channel})
                client.reading.clear()
                stalled.append(client)
            before = rss_kib(server.process.pid)
            start = (await reader.call("history", {"channel": channel, "limit": 0}))["offset"]

            await asyncio.to_thread(post_many, ws, [c.conversation_id for c in chats], MESSAGES, "slow", PAD)
            end = (await reader.call("history", {"channel": channel, "limit": 0}))["offset"]
            assert end >= start + MESSAGES
            await reader.wait_offset(channel, end, timeout=60)
            assert reader.offsets(channel) == list(range(start + 1, end + 1))
            grown = rss_kib(server.process.pid) - before
            # Unbounded, the stalled clients would hold 100 × 600 × 12 KB ≈ 700 MiB between them; each
            # socket's buffers take up to about 4 MiB (in the kernel, not in the server's memory).
            assert grown < 200 * 1024, f"server RSS grew by {grown} KiB"

            for client in stalled:
                client.reading.set()
            codes = [await client.wait_closed(timeout=30) for client in stalled]
            assert set(codes) <= {3008, 1006}, codes

            # A stalled client comes back and recovers from the log: everything, in order.
            again = await RawClient.open(ws_url(server))
            await again.connect(token)
            recovered, position = [], start
            while position < end:
                page = await again.call("history", {"channel": channel, "limit": 1000,
                                                     "since": {"offset": position, "epoch": epoch}})
                recovered += [p["offset"] for p in page["publications"]]
                position = recovered[-1]
            assert recovered == list(range(start + 1, end + 1))

        run(body(), timeout=180)
