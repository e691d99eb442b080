"""A connection's life at `/connection/websocket`: the connect reply, tokens
(forged, refreshed, expired), and the server's pings. Tokens that expire
take ten seconds at least, so that scenario runs beside the other tests of
the module."""

import asyncio
import base64
import json
import threading
import time
import uuid

import pytest

from conftest import other_workspace
from realtime import RawClient, agent_token, connected, open_chat, own_server, run, workspace_on, ws_url


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
            started = time.monotonic()
            answering = await connected(server, token)
            silent = await RawClient.open(ws_url(server), pong=False)
            assert (await silent.connect(token))["ping"] == 1
            assert answering.connect_result["ping"] == 1 and answering.connect_result["pong"] is True
            assert await silent.wait_closed(timeout=8) == 3012
            assert silent.close_reason == "no pong" and silent.pings >= 1
            await asyncio.sleep(max(0.0, started + 4 - time.monotonic()))
            await answering.until(lambda: answering.pings >= 4, "4 pings in 4 s")
            assert not answering.closed.is_set()
            assert await answering.call("ping") == {}
            await answering.close()

        run(main())


def test_presence_outlives_its_ttl_without_pings(tmp_path):
    """Presence is refreshed on its own clock, not with pings: with pings off
    and a 5 s TTL, a connected subscriber is still listed after 7 s."""
    with own_server(tmp_path, ping_interval=0, presence_ttl=5) as server:
        ws = workspace_on(server)
        token = agent_token(ws)

        async def main():
            client = await connected(server, token)
            channel = f"account:{ws.account_id}"
            await client.call("subscribe", {"channel": channel})
            await asyncio.sleep(7)
            presence = await client.call("presence", {"channel": channel})
            assert list(presence["presence"]) == [client.connect_result["client"]]
            await client.close()

        run(main())


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
