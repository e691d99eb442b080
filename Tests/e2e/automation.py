"""Helpers for the automation tests: waiting until the reactor has seen
everything logged so far, reading a conversation's messages, setting an
inbox's automation fields."""

import time

import requests

from conftest import Api, Server, Workspace

# Seconds a wait for the reactor may take before the test fails.
TIMEOUT = 15.0


def ready(server: Server) -> dict:
    r = requests.get(server.base_url + "/readyz", timeout=10)
    assert r.status_code == 200, r.text
    return r.json()


def settle(server: Server) -> None:
    """Waits until the reactor has evaluated every logged event and the log
    stopped growing: reactions to reactions (an assignment's notification)
    included."""
    deadline = time.monotonic() + TIMEOUT
    while time.monotonic() < deadline:
        head = ready(server)["head"]
        while ready(server)["automation_offset"] < head:
            assert time.monotonic() < deadline, f"the reactor did not reach offset {head}"
            time.sleep(0.02)
        if ready(server)["head"] == head:
            return
    raise AssertionError("the log kept growing")


def wait_for(predicate, what: str, timeout: float = TIMEOUT):
    """Polls `predicate` until it returns something truthy, which it returns."""
    deadline = time.monotonic() + timeout
    while True:
        value = predicate()
        if value:
            return value
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        time.sleep(0.05)


def messages(ws: Workspace, conversation_id: int) -> list[dict]:
    r = ws.admin.api.get(f"{ws.path}/conversations/{conversation_id}/messages")
    assert r.status_code == 200, r.text
    return r.json()["payload"]


def bot_messages(ws: Workspace, conversation_id: int) -> list[tuple[int, str]]:
    """(message_type, content) of each message the bot sent, oldest first."""
    return [(m["message_type"], m["content"]) for m in messages(ws, conversation_id)
            if (m.get("sender") or {}).get("type") == "agent_bot"]


def conversation(ws: Workspace, conversation_id: int) -> dict:
    r = ws.admin.api.get(f"{ws.path}/conversations/{conversation_id}")
    assert r.status_code == 200, r.text
    return r.json()


def update_inbox(ws: Workspace, inbox: dict, **fields) -> dict:
    r = ws.admin.api.patch(f"{ws.path}/inboxes/{inbox['id']}", json=fields)
    assert r.status_code == 200, r.text
    return r.json()


def notifications(api: Api, ws: Workspace) -> dict:
    r = api.get(f"{ws.path}/notifications")
    assert r.status_code == 200, r.text
    return r.json()["data"]
