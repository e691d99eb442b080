"""Parley's event log over HTTP (`GET /api/v1/accounts/{id}/events`): pages
of envelopes per stream, resumable by sequence, and only the streams the
caller may read (anything else is a 404, never a hint that it exists)."""

import json
from pathlib import Path

import requests

from conftest import Api, Workspace, sdk

SCHEMAS = Path(__file__).resolve().parents[2] / "Schemas" / "events"
ENVELOPE = json.loads((SCHEMAS / "envelope.v1.json").read_text())


def make_inbox(ws, name="Support") -> dict:
    r = ws.admin.api.post(f"{ws.path}/inboxes", json={"name": name, "channel": {"type": "api"}})
    assert r.status_code == 200, r.text
    return r.json()


def conversation_in(ws, inbox) -> tuple[dict, int]:
    """A contact (through the Public API) with one conversation and one message in `inbox`."""
    base = f"/public/api/v1/inboxes/{inbox['inbox_identifier']}"
    widget = Api(ws.server.base_url, None)
    contact = widget.post(f"{base}/contacts", json={"name": "Visitor"}).json()
    conversation = widget.post(f"{base}/contacts/{contact['source_id']}/conversations", json={}).json()
    r = widget.post(f"{base}/contacts/{contact['source_id']}/conversations/{conversation['id']}/messages", json={"content": "hi"})
    assert r.status_code == 200, r.text
    return contact, conversation["id"]


def read_all(api, ws, **params) -> list:
    """Every event of a stream, page by page, following next_after."""
    events, after = [], 0
    while True:
        r = api.get(f"{ws.path}/events", params={**params, "after": after})
        assert r.status_code == 200, r.text
        page = r.json()
        if not page["events"]:
            assert page["next_after"] == after
            return events
        events += page["events"]
        after = page["next_after"]


def seqs(events, stream) -> list:
    return [next(m["seq"] for m in e["streams"] if m["stream"] == stream) for e in events]


def test_administrators_page_through_the_account_stream(workspace, server):
    inbox = make_inbox(workspace)
    conversation_in(workspace, inbox)
    stream = f"account:{workspace.account_id}"
    r = workspace.admin.api.get(f"{workspace.path}/events")
    assert r.status_code == 200
    page = r.json()
    assert set(page) == {"epoch", "events", "next_after"}
    assert page["epoch"] == requests.get(server.base_url + "/readyz").json()["epoch"]
    everything = page["events"]
    assert [e["type"] for e in everything[:3]] == ["account.created", "account_user.added", "inbox.created"]
    assert page["next_after"] == seqs(everything, stream)[-1] == len(everything)
    assert seqs(everything, stream) == list(range(1, len(everything) + 1))

    required = set(ENVELOPE["required"])
    for event in everything:
        assert set(event) == required
        assert event["account_id"] == workspace.account_id
        assert event["actor"]["type"] in {"agent", "contact", "bot", "system"}
        assert len(event["id"]) == 36
    offsets = [e["offset"] for e in everything]
    assert offsets == sorted(offsets) and len(set(offsets)) == len(offsets)

    paged = read_all(workspace.admin.api, workspace, limit=2)
    assert paged == everything
    explicit = read_all(workspace.admin.api, workspace, stream=stream, limit=3)
    assert explicit == everything
    assert workspace.admin.api.get(f"{workspace.path}/events", params={"after": len(everything)}).json() == {
        "epoch": page["epoch"], "events": [], "next_after": len(everything),
    }


def test_payloads_keep_custom_attribute_keys_as_given(workspace):
    inbox = make_inbox(workspace)
    base = f"/public/api/v1/inboxes/{inbox['inbox_identifier']}"
    widget = Api(workspace.server.base_url, None)
    contact = widget.post(f"{base}/contacts", json={"name": "Keys", "custom_attributes": {"planName": "Pro", "seat_count": 3}})
    assert contact.status_code == 200
    events = read_all(workspace.admin.api, workspace)
    created = [e for e in events if e["type"] == "contact.created"][-1]
    assert created["payload"]["details"]["custom_attributes"] == {"planName": "Pro", "seat_count": 3}
    assert created["payload"]["contact_id"] == contact.json()["id"]


def test_agents_read_only_their_inboxes_conversations_and_own_stream(workspace):
    mine, theirs = make_inbox(workspace, "Mine"), make_inbox(workspace, "Theirs")
    agent = workspace.new_user("agent")
    other_agent = workspace.new_user("agent")
    sdk(workspace).inboxes.agents.add(
        workspace.account_id, mine["id"], [agent.id]
    )
    contact, visible = conversation_in(workspace, mine)
    _, hidden = conversation_in(workspace, theirs)
    client = sdk(workspace, agent)
    client.messages.create(workspace.account_id, visible, content="note for colleagues", private=True)

    inbox_stream = f"inbox:{workspace.account_id}:{mine['id']}"
    events = read_all(agent.api, workspace, stream=inbox_stream)
    assert [e["type"] for e in events] == [
        "conversation.created", "message.created", "message.created",
    ]
    assert events[-1]["payload"]["private"] is True
    conversation_events = read_all(agent.api, workspace, stream=f"conversation:{workspace.account_id}:{visible}")
    assert [e["payload"]["content"] for e in conversation_events if e["type"] == "message.created"] == [
        "hi", "note for colleagues",
    ]
    assert seqs(conversation_events, f"conversation:{workspace.account_id}:{visible}") == [1, 2, 3]

    own = read_all(agent.api, workspace, stream=f"user:{agent.id}")
    assert own and all(e["account_id"] == workspace.account_id for e in own)
    assert "token_sha256" not in json.dumps(own)

    for stream in [
        f"account:{workspace.account_id}",
        f"audit:{workspace.account_id}",
        f"inbox:{workspace.account_id}:{theirs['id']}",
        f"conversation:{workspace.account_id}:{hidden}",
        f"conversation:{workspace.account_id}:999999",
        f"contact:{workspace.account_id}:{contact['id']}",
        f"user:{other_agent.id}",
        "platform",
        "nonsense",
        "inbox:1",
        f"inbox:{workspace.account_id}:0{mine['id']}",
    ]:
        r = agent.api.get(f"{workspace.path}/events", params={"stream": stream})
        assert r.status_code == 404, (stream, r.text)
        assert r.json()["error"]["code"] == "not_found"
    r = agent.api.get(f"{workspace.path}/events")
    assert r.status_code == 400
    assert r.json()["error"]["code"] == "missing_field"

    # Administrators read every inbox, conversation and contact stream of the account.
    for stream in [f"inbox:{workspace.account_id}:{theirs['id']}", f"contact:{workspace.account_id}:{contact['id']}"]:
        assert read_all(workspace.admin.api, workspace, stream=stream)


def test_another_accounts_streams_are_not_found(workspace, platform):
    inbox = make_inbox(workspace)
    contact, conversation = conversation_in(workspace, inbox)
    r = platform.post("/platform/api/v1/accounts", json={"name": "Other"})
    other = Workspace(workspace.server, r.json()["id"], None, platform)  # type: ignore[arg-type]
    other.admin = other.new_user("administrator")
    a = workspace.account_id
    for stream in [f"account:{a}", f"inbox:{a}:{inbox['id']}", f"conversation:{a}:{conversation}", f"contact:{a}:{contact['id']}"]:
        r = other.admin.api.get(f"{other.path}/events", params={"stream": stream})
        assert r.status_code == 404, (stream, r.text)
        assert str(a) not in r.json()["error"]["message"].replace(stream, "")
    # Their own account path with the other account's token, and no token at all.
    assert other.admin.api.get(f"{workspace.path}/events").status_code == 404
    assert Api(workspace.server.base_url, None).get(f"{workspace.path}/events").status_code == 401
    # The other account's log shows nothing of this one.
    assert all(e["account_id"] == other.account_id for e in read_all(other.admin.api, other))


def test_events_bad_input(workspace):
    for params in [
        {"limit": 0}, {"limit": 1001}, {"limit": "ten"}, {"after": -1}, {"after": "abc"}, {"after": "1.5"},
        {"limit": "1e3"},
    ]:
        r = workspace.admin.api.get(f"{workspace.path}/events", params=params)
        assert r.status_code == 400, (params, r.text)
        assert r.json()["error"]["code"] == "invalid_argument"
    r = workspace.admin.api.get(f"{workspace.path}/events", params={"limit": 1000, "after": 0})
    assert r.status_code == 200
    assert workspace.admin.api.get(f"{workspace.path}/events", params={"stream": "x" * 300}).status_code == 400
