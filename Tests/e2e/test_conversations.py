"""Conversations through the Application API: the official SDK for what it
covers, raw HTTP for the rest. Inboxes, contacts and inbox members are made
with Chatwoot's own calls."""

import time
from dataclasses import dataclass

import pytest
from chatwoot import ChatwootClient
from chatwoot.exceptions import ChatwootAPIError, ChatwootNotFoundError, ChatwootValidationError

from conftest import Agent, Api, Workspace


# --- setup through Chatwoot's calls (helpers shared with test_messages.py) ---


def make_inbox(ws: Workspace, name: str = "Support") -> int:
    r = ws.admin.api.post(f"{ws.path}/inboxes", json={"name": name, "channel": {"type": "api"}})
    assert r.status_code == 200, r.text
    return r.json()["id"]


def set_inbox_members(ws: Workspace, inbox: int, user_ids: list[int]) -> None:
    r = ws.admin.api.post(f"{ws.path}/inbox_members", json={"inbox_id": inbox, "user_ids": user_ids})
    assert r.status_code == 200, r.text


def make_contact(ws: Workspace, inbox: int, name: str = "Visitor", email: str | None = None) -> tuple[int, str]:
    """A contact reachable through `inbox`: its id and source id."""
    email = email or f"{name.lower().replace(' ', '.')}.{time.monotonic_ns()}@example.com"
    r = ws.admin.api.post(f"{ws.path}/contacts", json={"name": name, "email": email, "inbox_id": inbox})
    assert r.status_code == 200, r.text
    payload = r.json()["payload"]
    return payload["contact"]["id"], payload["contact_inbox"]["source_id"]


def new_workspace(server, platform, name: str = "Elsewhere") -> Workspace:
    """An account with an administrator on `server`, as the `workspace` fixture makes one."""
    r = platform.post("/platform/api/v1/accounts", json={"name": name})
    assert r.status_code == 200, r.text
    ws = Workspace(server, r.json()["id"], None, platform)  # type: ignore[arg-type]
    ws.admin = ws.new_user("administrator", name="Admin")
    return ws


@dataclass
class Desk:
    """An account with an inbox, an agent working in it, an outsider agent in
    no inbox, and a contact."""

    ws: Workspace
    inbox: int
    agent: Agent
    outsider: Agent
    contact: int
    source: str

    def sdk(self, who: Agent | None = None) -> ChatwootClient:
        return ChatwootClient(base_url=self.ws.server.base_url, api_token=(who or self.ws.admin).token)

    def create(self, who: Agent | None = None, **body) -> dict:
        """A conversation with the desk's contact, created with raw HTTP."""
        api = (who or self.ws.admin).api
        r = api.post(f"{self.ws.path}/conversations", json={"source_id": self.source, "inbox_id": self.inbox, **body})
        assert r.status_code == 200, r.text
        return r.json()

    def url(self, conversation: int, tail: str = "") -> str:
        return f"{self.ws.path}/conversations/{conversation}{tail}"


def make_desk(ws: Workspace) -> Desk:
    inbox = make_inbox(ws)
    agent = ws.new_user("agent", name="Ada Agent")
    outsider = ws.new_user("agent", name="Otto Outsider")
    set_inbox_members(ws, inbox, [agent.id])
    contact, source = make_contact(ws, inbox)
    return Desk(ws, inbox, agent, outsider, contact, source)


@pytest.fixture
def desk(workspace) -> Desk:
    return make_desk(workspace)


def assert_error(r, status: int, code: str | None = None) -> None:
    assert r.status_code == status, r.text
    body = r.json()
    assert set(body) == {"error"} and body["error"]["message"]
    if code:
        assert body["error"]["code"] == code


def conversation_count(ws: Workspace) -> int:
    """How many conversations the admin sees, in every status."""
    return ws.admin.api.get(f"{ws.path}/conversations/meta", params={"status": "all"}).json()["meta"]["all_count"]


# --- creating and reading ---


def test_sdk_creates_and_reads_a_conversation_with_chatwoot_shape(desk):
    client = desk.sdk()
    created = client.conversations.create(
        account_id=desk.ws.account_id, source_id=desk.source, inbox_id=desk.inbox, message={"content": "Hello there"}
    )
    assert created.id == 1
    assert created.account_id == desk.ws.account_id
    assert created.inbox_id == desk.inbox
    assert created.status.value == "open"
    assert created.meta.sender.id == desk.contact
    assert created.meta.assignee is None
    assert created.labels == []
    assert created.unread_count == 0
    assert created.messages[0]["content"] == "Hello there"

    fetched = client.conversations.get(account_id=desk.ws.account_id, conversation_id=created.id)
    assert fetched.id == created.id and fetched.meta.sender.name == "Visitor"

    raw = desk.ws.admin.api.get(desk.url(created.id)).json()
    assert raw["meta"]["channel"] == "Channel::Api"
    assert raw["meta"]["team"] is None and raw["meta"]["hmac_verified"] is False
    assert raw["meta"]["sender"]["email"].startswith("visitor.")
    assert raw["additional_attributes"] == {} and raw["custom_attributes"] == {}
    assert raw["priority"] is None and raw["snoozed_until"] is None
    assert raw["can_reply"] is True and raw["muted"] is False
    assert raw["contact_id"] == desk.contact and raw["assignee_id"] is None
    assert raw["timestamp"] == raw["last_activity_at"] >= raw["created_at"] > 1_600_000_000
    # The admin's outgoing message is the first human reply, and it waits for nobody.
    assert raw["first_reply_created_at"] >= raw["created_at"]
    assert raw["waiting_since"] == 0
    last = raw["messages"][0]
    assert last == raw["last_non_activity_message"]
    assert last["message_type"] == 1 and last["sender"]["id"] == desk.ws.admin.id and last["sender"]["type"] == "user"


def test_create_with_inbox_and_contact_and_options(desk):
    r = desk.ws.admin.api.post(
        f"{desk.ws.path}/conversations",
        json={
            "inbox_id": desk.inbox, "contact_id": desk.contact, "status": "pending", "assignee_id": desk.agent.id,
            "custom_attributes": {"plan": "gold", "seats": 3}, "additional_attributes": {"browser": "ignored"},
        },
    )
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["status"] == "pending"
    assert body["meta"]["assignee"]["id"] == desk.agent.id
    assert body["meta"]["assignee"]["role"] == "agent"
    assert body["assignee_id"] == desk.agent.id
    assert body["custom_attributes"] == {"plan": "gold", "seats": 3}
    assert body["additional_attributes"] == {}
    assert body["messages"] == [] and body["last_non_activity_message"] is None
    # The contact's existing source id in that inbox was reused: a second conversation by source id finds the same contact.
    again = desk.create()
    assert again["meta"]["sender"]["id"] == desk.contact and again["id"] == body["id"] + 1


def test_create_with_an_idempotency_key_is_made_once(desk):
    headers = {"Idempotency-Key": "create-once-1"}
    body = {"source_id": desk.source, "inbox_id": desk.inbox}
    first = desk.ws.admin.api.post(f"{desk.ws.path}/conversations", json=body, headers=headers)
    second = desk.ws.admin.api.post(f"{desk.ws.path}/conversations", json=body, headers=headers)
    assert first.status_code == second.status_code == 200
    assert first.json()["id"] == second.json()["id"]
    assert conversation_count(desk.ws) == 1


def test_create_refuses_bad_input_and_creates_nothing(desk):
    api, path = desk.ws.admin.api, f"{desk.ws.path}/conversations"
    cases = [
        ({"source_id": desk.source, "inbox_id": desk.inbox, "colour": "red"}, 400, "unknown_field"),
        ({"source_id": desk.source, "inbox_id": desk.inbox, "status": "closed"}, 400, "invalid_argument"),
        ({"source_id": desk.source, "inbox_id": desk.inbox, "status": "resolved"}, 422, "invalid_argument"),
        ({"source_id": 12, "inbox_id": desk.inbox}, 400, "invalid_argument"),
        ({"source_id": desk.source, "inbox_id": "one"}, 400, "invalid_argument"),
        ({"source_id": desk.source, "inbox_id": desk.inbox, "message": {"content": "x", "colour": 1}}, 400, "unknown_field"),
        ({"source_id": desk.source, "inbox_id": desk.inbox, "message": "hello"}, 400, "invalid_argument"),
        ({"source_id": desk.source, "inbox_id": desk.inbox, "custom_attributes": [1]}, 400, "invalid_argument"),
        ({"inbox_id": desk.inbox}, 400, "missing_field"),
        ({"source_id": "no-such-source"}, 404, "not_found"),
        ({"inbox_id": desk.inbox, "contact_id": 999999}, 404, "not_found"),
        ({"source_id": desk.source, "inbox_id": desk.inbox, "assignee_id": desk.outsider.id}, 422, "invalid_argument"),
    ]
    for body, status, code in cases:
        assert_error(api.post(path, json=body), status, code)
    assert_error(api.post(path, data="{not json", headers={"Content-Type": "application/json"}), 400, "malformed_json")
    assert conversation_count(desk.ws) == 0


# --- lists, counts, search ---


def test_lists_filter_count_and_page_like_chatwoot(desk):
    ws = desk.ws
    ids = []
    for n in range(27):
        contact, source = make_contact(ws, desk.inbox, name=f"Person {n}")
        ids.append(desk.create(source_id=source)["id"])
    desk.sdk().conversations.assign(account_id=ws.account_id, conversation_id=ids[0], assignee_id=desk.agent.id)
    desk.sdk().conversations.assign(account_id=ws.account_id, conversation_id=ids[1], assignee_id=ws.admin.id)
    desk.sdk().conversations.toggle_status(account_id=ws.account_id, conversation_id=ids[2], status="resolved")
    desk.sdk().conversations.labels.add(account_id=ws.account_id, conversation_id=ids[3], labels=["vip", "billing"])

    client = desk.sdk()
    first = client.conversations.list(account_id=ws.account_id)
    second = client.conversations.list(account_id=ws.account_id, page=2)
    assert len(first) == 25 and len(second) == 1
    # Newest activity first: the labelled and assigned ones moved up (activity messages count as activity).
    listed = [c.id for c in first + second]
    assert sorted(listed) == sorted(set(ids) - {ids[2]})

    raw = ws.admin.api.get(f"{ws.path}/conversations").json()
    assert raw["data"]["meta"] == {"mine_count": 1, "assigned_count": 2, "unassigned_count": 24, "all_count": 26}
    assert [c["id"] for c in raw["data"]["payload"]] == [c.id for c in first]

    mine = client.conversations.list(account_id=ws.account_id, assignee_type="me")
    assert [c.id for c in mine] == [ids[1]]
    assigned = ws.admin.api.get(f"{ws.path}/conversations", params={"assignee_type": "assigned"}).json()["data"]["payload"]
    assert sorted(c["id"] for c in assigned) == sorted([ids[0], ids[1]])
    resolved = client.conversations.list(account_id=ws.account_id, status="resolved")
    assert [c.id for c in resolved] == [ids[2]]
    everything = ws.admin.api.get(f"{ws.path}/conversations", params={"status": "all"}).json()["data"]["meta"]
    assert everything["all_count"] == 27
    labelled = client.conversations.list(account_id=ws.account_id, labels=["vip"])
    assert [c.id for c in labelled] == [ids[3]]
    both = ws.admin.api.get(f"{ws.path}/conversations", params={"labels": "vip,billing"}).json()["data"]["payload"]
    assert [c["id"] for c in both] == [ids[3]]
    assert client.conversations.list(account_id=ws.account_id, labels=["vip", "nope"]) == []
    found = client.conversations.list(account_id=ws.account_id, q="person 5")
    assert [c.meta.sender.name for c in found] == ["Person 5"]
    by_created = ws.admin.api.get(f"{ws.path}/conversations", params={"sort_by": "created_at_desc"}).json()["data"]["payload"]
    assert [c["id"] for c in by_created][:3] == [ids[26], ids[25], ids[24]]

    other_inbox = make_inbox(ws, "Sales")
    _, source = make_contact(ws, other_inbox, name="Sales Lead")
    sales = desk.create(source_id=source, inbox_id=other_inbox)
    in_sales = client.conversations.list(account_id=ws.account_id, inbox_id=other_inbox)
    assert [c.id for c in in_sales] == [sales["id"]]

    counts = client.conversations.get_counts(account_id=ws.account_id)
    assert counts == {"meta": {"mine_count": 1, "assigned_count": 2, "unassigned_count": 25, "all_count": 27}}
    search = ws.admin.api.get(f"{ws.path}/conversations/search", params={"q": "sales lead"}).json()
    assert search["meta"]["all_count"] == 1 and [c["id"] for c in search["payload"]] == [sales["id"]]


@pytest.mark.parametrize(
    "params",
    [
        {"status": "closed"}, {"status": "OPEN"}, {"assignee_type": "mine"}, {"sort_by": "random"},
        {"sort_by": "created_at_asc"}, {"page": "0"}, {"page": "-1"}, {"page": "100001"},
        {"page": "99999999999999999999999"}, {"page": "two"}, {"inbox_id": "x"}, {"team_id": "-3"},
        {"q": "x" * 201},
    ],
)
def test_list_refuses_bad_parameters(desk, params):
    desk.create()
    for path in ["conversations", "conversations/meta", "conversations/search"]:
        assert_error(desk.ws.admin.api.get(f"{desk.ws.path}/{path}", params=params), 400, "invalid_argument")


def test_the_last_page_and_beyond(desk):
    desk.create()
    r = desk.ws.admin.api.get(f"{desk.ws.path}/conversations", params={"page": "100000"})
    assert r.status_code == 200
    assert r.json()["data"]["payload"] == [] and r.json()["data"]["meta"]["all_count"] == 1


# --- changing a conversation ---


def test_sdk_update_assign_and_toggle_status(desk):
    ws, client = desk.ws, desk.sdk()
    conversation = desk.create()["id"]
    updated = client.conversations.update(
        account_id=ws.account_id, conversation_id=conversation, priority="high", custom_attributes={"tier": 2}
    )
    assert updated.priority.value == "high"
    assert updated.custom_attributes == {"tier": 2}
    assigned = client.conversations.assign(account_id=ws.account_id, conversation_id=conversation, assignee_id=desk.agent.id)
    assert assigned.meta.assignee.id == desk.agent.id
    resolved = client.conversations.update(account_id=ws.account_id, conversation_id=conversation, status="resolved")
    assert resolved.status.value == "resolved"

    toggled = client.conversations.toggle_status(account_id=ws.account_id, conversation_id=conversation, status="open")
    assert toggled.success is True and toggled.current_status.value == "open"
    r = ws.admin.api.post(desk.url(conversation, "/toggle_status"), json={})
    assert r.json() == {
        "meta": {},
        "payload": {"success": True, "conversation_id": conversation, "current_status": "resolved", "snoozed_until": None},
    }
    until = int(time.time()) + 3600
    r = ws.admin.api.post(desk.url(conversation, "/toggle_status"), json={"status": "snoozed", "snoozed_until": until})
    assert r.json()["payload"]["current_status"] == "snoozed" and r.json()["payload"]["snoozed_until"] == until
    assert ws.admin.api.get(desk.url(conversation)).json()["snoozed_until"] == until

    # Clearing with null in PATCH.
    cleared = ws.admin.api.patch(desk.url(conversation), json={"assignee_id": None, "priority": None}).json()
    assert cleared["meta"]["assignee"] is None and cleared["priority"] is None


def test_bad_updates_change_nothing(desk):
    api = desk.ws.admin.api
    conversation = desk.create()["id"]
    before = api.get(desk.url(conversation)).json()
    cases = [
        ("PATCH", "", {"priority": "critical", "assignee_id": desk.agent.id}, 400),
        ("PATCH", "", {"assignee_id": desk.agent.id, "status": "closed"}, 400),
        ("PATCH", "", {"assignee_id": desk.outsider.id, "priority": "low"}, 422),
        ("PATCH", "", {"team_id": 987654, "priority": "low"}, 404),
        ("PATCH", "", {"priority": "low", "labels": ["x"]}, 400),
        ("PATCH", "", {"priority": "low", "status": "snoozed", "snoozed_until": 1000}, 400),
        ("PATCH", "", {"priority": "low", "status": "open", "snoozed_until": int(time.time()) + 60}, 400),
        ("PATCH", "", {"custom_attributes": "gold"}, 400),
        ("POST", "/toggle_status", {"status": "closed"}, 400),
        ("POST", "/toggle_status", {"status": 1}, 400),
        ("POST", "/toggle_status", {"status": "snoozed", "snoozed_until": "tomorrow"}, 400),
        ("POST", "/toggle_status", {"status": "resolved", "extra": True}, 400),
        ("POST", "/toggle_priority", {"priority": "p1"}, 400),
        ("POST", "/toggle_priority", {}, 400),
        ("POST", "/toggle_typing_status", {"typing_status": "maybe"}, 400),
        ("POST", "/toggle_typing_status", {}, 400),
        ("POST", "/toggle_typing_status", {"typing_status": "on", "is_private": "yes"}, 400),
        ("POST", "/assignments", {"assignee_id": desk.outsider.id}, 422),
        ("POST", "/assignments", {"assignee_id": 987654}, 404),
        ("POST", "/assignments", {"assignee_id": "me"}, 400),
        ("POST", "/labels", {"labels": "vip"}, 400),
        ("POST", "/labels", {"labels": ["has space"]}, 422),
        ("POST", "/labels", {}, 400),
        ("POST", "/custom_attributes", {"custom_attributes": [1, 2]}, 400),
        ("POST", "/custom_attributes", {}, 400),
    ]
    for method, tail, body, status in cases:
        r = api.request(method, desk.url(conversation, tail), json=body)
        assert_error(r, status)
    after = api.get(desk.url(conversation)).json()
    assert after == before
    messages = api.get(desk.url(conversation, "/messages")).json()["payload"]
    assert messages == []


def test_priority_typing_and_custom_attributes(desk):
    api = desk.ws.admin.api
    conversation = desk.create()["id"]
    r = api.post(desk.url(conversation, "/toggle_priority"), json={"priority": "urgent"})
    assert r.status_code == 200 and r.content == b""
    assert api.get(desk.url(conversation)).json()["priority"] == "urgent"
    api.post(desk.url(conversation, "/toggle_priority"), json={"priority": "none"})
    assert api.get(desk.url(conversation)).json()["priority"] is None

    for status in ["on", "off"]:
        r = api.post(desk.url(conversation, "/toggle_typing_status"), json={"typing_status": status, "is_private": True})
        assert r.status_code == 200 and r.content == b""

    r = api.post(desk.url(conversation, "/custom_attributes"), json={"custom_attributes": {"order": "A-1", "paid": True}})
    assert r.json() == {"custom_attributes": {"order": "A-1", "paid": True}}
    assert api.get(desk.url(conversation)).json()["custom_attributes"] == {"order": "A-1", "paid": True}
    # Typing and priority changes leave only the priority's activity messages behind.
    contents = [m["content"] for m in api.get(desk.url(conversation, "/messages")).json()["payload"]]
    assert len(contents) == 2 and all(m for m in contents)


def test_assignments_answer_with_the_agent_or_the_team(desk):
    api = desk.ws.admin.api
    conversation = desk.create()["id"]
    r = api.post(desk.url(conversation, "/assignments"), json={"assignee_id": desk.agent.id})
    agent = r.json()
    assert agent["id"] == desk.agent.id and agent["name"] == "Ada Agent" and agent["role"] == "agent"
    assert agent["account_id"] == desk.ws.account_id and agent["email"] == desk.agent.email
    # The assignee sees it as theirs.
    mine = desk.agent.api.get(f"{desk.ws.path}/conversations", params={"assignee_type": "me"}).json()["data"]
    assert [c["id"] for c in mine["payload"]] == [conversation] and mine["meta"]["mine_count"] == 1
    assert api.post(desk.url(conversation, "/assignments"), json={"assignee_id": None}).json() is None
    assert api.get(desk.url(conversation)).json()["meta"]["assignee"] is None
    assert api.post(desk.url(conversation, "/assignments"), json={}).json() is None
    assert_error(api.post(desk.url(conversation, "/assignments"), json={"team_id": 424242}), 404, "not_found")
    r = api.post(f"{desk.ws.path}/teams", json={"name": "Billing", "description": "Money matters"})
    assert r.status_code == 200, r.text
    team_id = r.json()["id"]
    team = api.post(desk.url(conversation, "/assignments"), json={"team_id": team_id}).json()
    assert team["id"] == team_id and team["name"] == "Billing" and team["account_id"] == desk.ws.account_id
    shown = api.get(desk.url(conversation)).json()
    assert shown["meta"]["team"]["id"] == team_id
    in_team = api.get(f"{desk.ws.path}/conversations", params={"team_id": team_id}).json()["data"]["payload"]
    assert [c["id"] for c in in_team] == [conversation]
    assert api.post(desk.url(conversation, "/assignments"), json={"team_id": None}).json() is None
    assert api.get(desk.url(conversation)).json()["meta"]["team"] is None


def test_labels_replace_the_set(desk):
    ws, client = desk.ws, desk.sdk()
    conversation = desk.create()["id"]
    assert client.conversations.labels.add(account_id=ws.account_id, conversation_id=conversation, labels=["Urgent", "billing", "urgent"]) == ["urgent", "billing"]
    assert client.conversations.labels.list(account_id=ws.account_id, conversation_id=conversation) == ["urgent", "billing"]
    assert client.conversations.labels.add(account_id=ws.account_id, conversation_id=conversation, labels=["refund"]) == ["refund"]
    assert ws.admin.api.get(desk.url(conversation, "/labels")).json() == {"payload": ["refund"]}
    assert ws.admin.api.get(desk.url(conversation)).json()["labels"] == ["refund"]


def test_read_markers_move_the_callers_unread_count(desk):
    api = desk.agent.api
    conversation = desk.create(who=desk.agent)["id"]
    for text in ["one", "two"]:
        r = api.post(desk.url(conversation, "/messages"), json={"content": text, "message_type": "incoming"})
        assert r.status_code == 200, r.text
    seen = api.get(desk.url(conversation)).json()
    assert seen["unread_count"] == 2 and seen["agent_last_seen_at"] == 0
    # Unread counts are per user: the admin has not read them either.
    assert desk.ws.admin.api.get(desk.url(conversation)).json()["unread_count"] == 2
    read = api.post(desk.url(conversation, "/update_last_seen")).json()
    assert read["unread_count"] == 0 and read["agent_last_seen_at"] >= read["created_at"]
    assert desk.ws.admin.api.get(desk.url(conversation)).json()["unread_count"] == 2
    unread = api.post(desk.url(conversation, "/unread")).json()
    assert unread["unread_count"] == 1
    listed = api.get(f"{desk.ws.path}/conversations").json()["data"]["payload"]
    assert [c["unread_count"] for c in listed] == [1]


def test_contact_conversations(desk):
    first = desk.create()["id"]
    second = desk.create()["id"]
    other_contact, source = make_contact(desk.ws, desk.inbox, name="Someone Else")
    desk.create(source_id=source)
    r = desk.ws.admin.api.get(f"{desk.ws.path}/contacts/{desk.contact}/conversations")
    assert r.status_code == 200
    assert [c["id"] for c in r.json()["payload"]] == [second, first]
    assert all(c["meta"]["sender"]["id"] == desk.contact for c in r.json()["payload"])
    assert desk.outsider.api.get(f"{desk.ws.path}/contacts/{desk.contact}/conversations").json() == {"payload": []}
    assert_error(desk.ws.admin.api.get(f"{desk.ws.path}/contacts/99999999/conversations"), 404, "not_found")


# --- who may see what ---


def test_agents_see_only_their_inboxes_conversations(desk):
    ws = desk.ws
    conversation = desk.create()["id"]
    outsider = desk.outsider.api
    listed = outsider.get(f"{ws.path}/conversations", params={"status": "all"}).json()["data"]
    assert listed == {"meta": {"mine_count": 0, "assigned_count": 0, "unassigned_count": 0, "all_count": 0}, "payload": []}
    assert outsider.get(f"{ws.path}/conversations/search", params={"q": "visitor"}).json()["payload"] == []
    for method, tail, body in [
        ("GET", "", None), ("PATCH", "", {"priority": "high"}), ("POST", "/toggle_status", {"status": "resolved"}),
        ("POST", "/toggle_priority", {"priority": "high"}), ("POST", "/toggle_typing_status", {"typing_status": "on"}),
        ("POST", "/update_last_seen", None), ("POST", "/unread", None), ("POST", "/assignments", {"assignee_id": desk.outsider.id}),
        ("GET", "/labels", None), ("POST", "/labels", {"labels": ["x"]}), ("POST", "/custom_attributes", {"custom_attributes": {}}),
        ("GET", "/messages", None), ("POST", "/messages", {"content": "sneaky"}),
    ]:
        assert_error(outsider.request(method, desk.url(conversation, tail), json=body), 404, "not_found")
    with pytest.raises(ChatwootNotFoundError):
        desk.sdk(desk.outsider).conversations.get(account_id=ws.account_id, conversation_id=conversation)
    # The agent in the inbox sees and works it.
    assert desk.agent.api.get(desk.url(conversation)).json()["id"] == conversation
    # Nothing the outsider tried was applied.
    after = ws.admin.api.get(desk.url(conversation)).json()
    assert after["priority"] is None and after["status"] == "open" and after["labels"] == []
    # Once added to the inbox, the outsider sees it.
    set_inbox_members(ws, desk.inbox, [desk.agent.id, desk.outsider.id])
    assert outsider.get(desk.url(conversation)).status_code == 200


def test_another_accounts_conversation_is_not_found(desk, server, platform):
    other = make_desk(new_workspace(server, platform))
    theirs = [other.create()["id"] for _ in range(3)]
    desk.create()
    assert_error(desk.ws.admin.api.get(desk.url(theirs[2])), 404, "not_found")
    assert_error(desk.ws.admin.api.get(f"{other.ws.path}/conversations/{theirs[0]}"), 404, "not_found")
    assert_error(desk.ws.admin.api.get(f"{other.ws.path}/conversations"), 404, "not_found")
    assert_error(desk.ws.admin.api.post(f"{desk.ws.path}/conversations", json={"source_id": other.source}), 404, "not_found")
    assert_error(
        desk.ws.admin.api.post(f"{desk.ws.path}/conversations", json={"inbox_id": other.inbox, "contact_id": desk.contact}),
        404, "not_found",
    )
    assert_error(desk.ws.admin.api.get(f"{desk.ws.path}/contacts/{other.contact}/conversations"), 404, "not_found")


def test_a_token_is_required(desk):
    anonymous = Api(desk.ws.server.base_url, None)
    assert_error(anonymous.get(f"{desk.ws.path}/conversations"), 401, "unauthorized")
    assert_error(Api(desk.ws.server.base_url, "bogus").get(desk.url(1)), 401, "unauthorized")
    with pytest.raises(ChatwootAPIError):
        ChatwootClient(base_url=desk.ws.server.base_url, api_token="bogus").conversations.list(account_id=desk.ws.account_id)


def test_sdk_reports_refusals(desk):
    client = desk.sdk()
    with pytest.raises(ChatwootValidationError):
        client.conversations.list(account_id=desk.ws.account_id, status="closed")
