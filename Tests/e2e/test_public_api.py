"""The Public API for contacts (`/public/api/v1/inboxes/{inbox_identifier}/…`):
contacts, their conversations and messages, identity proofs, idempotent
retries, and what a contact must never reach or see.

The official SDK does not cover the Public API, so contacts talk raw HTTP;
agent-side steps use the SDK where it covers them."""

import base64
import hashlib
import hmac
import json
import uuid


from conftest import Api, sdk, other_workspace

CONTACT_KEYS = {"source_id", "pubsub_token", "id", "name", "email", "phone_number"}
CONVERSATION_KEYS = {"id", "inbox_id", "contact_last_seen_at", "status", "agent_last_seen_at", "messages", "contact"}
MESSAGE_KEYS = {
    "id", "content", "message_type", "content_type", "content_attributes", "created_at", "conversation_id",
    "attachments", "sender",
}


def make_inbox(ws, name="Website", hmac_mandatory=False) -> dict:
    r = ws.admin.api.post(f"{ws.path}/inboxes", json={"name": name, "channel": {"type": "api", "hmac_mandatory": hmac_mandatory}})
    assert r.status_code == 200, r.text
    return r.json()


def public(ws, inbox) -> "PublicInbox":
    return PublicInbox(Api(ws.server.base_url, None), inbox)


class PublicInbox:
    """One inbox of the Public API, as a widget talks to it: no token."""

    def __init__(self, api: Api, inbox: dict):
        self.api = api
        self.inbox = inbox
        self.base = f"/public/api/v1/inboxes/{inbox['inbox_identifier']}"

    def create_contact(self, **fields) -> dict:
        r = self.api.post(f"{self.base}/contacts", json=fields)
        assert r.status_code == 200, r.text
        return r.json()

    def contact_path(self, contact) -> str:
        return f"{self.base}/contacts/{contact['source_id']}"

    def create_conversation(self, contact, **fields) -> dict:
        r = self.api.post(f"{self.contact_path(contact)}/conversations", json=fields)
        assert r.status_code == 200, r.text
        return r.json()

    def conversation_path(self, contact, conversation_id) -> str:
        return f"{self.contact_path(contact)}/conversations/{conversation_id}"

    def send(self, contact, conversation_id, content, **fields) -> dict:
        r = self.api.post(f"{self.conversation_path(contact, conversation_id)}/messages", json={"content": content, **fields})
        assert r.status_code == 200, r.text
        return r.json()

    def messages(self, contact, conversation_id, **params) -> list:
        r = self.api.get(f"{self.conversation_path(contact, conversation_id)}/messages", params=params)
        assert r.status_code == 200, r.text
        return r.json()


def identifier_hash(inbox, identifier) -> str:
    return hmac.new(inbox["hmac_token"].encode(), identifier.encode(), hashlib.sha256).hexdigest()


def account_head(ws) -> int:
    """The account stream's last sequence, read through the events route: what "nothing appended" compares."""
    after = 0
    while True:
        r = ws.admin.api.get(f"{ws.path}/events", params={"after": after, "limit": 1000})
        assert r.status_code == 200, r.text
        page = r.json()
        if not page["events"]:
            return after
        after = page["next_after"]


def test_contact_is_created_read_and_updated(workspace):
    inbox = make_inbox(workspace)
    widget = public(workspace, inbox)
    contact = widget.create_contact(
        name="Ada", email="ada@example.com", phone_number="+4930123456", custom_attributes={"plan": "pro"}
    )
    assert set(contact) == CONTACT_KEYS
    assert (contact["name"], contact["email"], contact["phone_number"]) == ("Ada", "ada@example.com", "+4930123456")
    assert len(contact["source_id"]) == 48
    assert jwt_claims(contact["pubsub_token"])["sub"] == f"contact:{contact['id']}"

    shown = widget.api.get(widget.contact_path(contact)).json()
    assert shown == contact

    r = widget.api.patch(
        widget.contact_path(contact), json={"name": "Ada L.", "phone_number": None, "custom_attributes": {"seats": 3}}
    )
    assert r.status_code == 200, r.text
    updated = r.json()
    assert updated == {**contact, "name": "Ada L.", "phone_number": None}

    conversation = widget.create_conversation(contact)
    assert conversation["contact"]["custom_attributes"] == {"plan": "pro", "seats": 3}
    assert conversation["contact"]["name"] == "Ada L."


def test_every_contact_inbox_of_a_contact_shares_its_pubsub_token(workspace):
    inbox = make_inbox(workspace, hmac_mandatory=True)
    widget = public(workspace, inbox)
    proof = {"identifier": "user-7", "identifier_hash": identifier_hash(inbox, "user-7")}
    laptop = widget.create_contact(name="Grace", **proof)
    phone = widget.create_contact(**proof)
    assert phone["id"] == laptop["id"] and phone["source_id"] != laptop["source_id"]
    assert jwt_claims(phone["pubsub_token"]) == jwt_claims(laptop["pubsub_token"])
    other = widget.create_contact(identifier="user-8", identifier_hash=identifier_hash(inbox, "user-8"))
    assert jwt_claims(other["pubsub_token"])["sub"] == f"contact:{other['id']}" != f"contact:{laptop['id']}"


def jwt_claims(token: str) -> dict:
    """The claims of a realtime token (its signature is the gateway's business)."""
    header, payload, _ = token.split(".")
    pad = lambda part: part + "=" * (-len(part) % 4)
    assert json.loads(base64.urlsafe_b64decode(pad(header))) == {"alg": "HS256", "typ": "JWT"}
    return json.loads(base64.urlsafe_b64decode(pad(payload)))


def test_identifier_hash_is_required_and_checked_when_the_inbox_demands_it(workspace):
    inbox = make_inbox(workspace, hmac_mandatory=True)
    widget = public(workspace, inbox)
    before = account_head(workspace)
    for body, code in [
        ({"name": "Mallory"}, "identifier_hash_required"),
        ({"identifier": "user-1"}, "identifier_hash_required"),
        ({"identifier": "user-1", "identifier_hash": identifier_hash(inbox, "user-2")}, "invalid_identifier_hash"),
        ({"identifier": "user-1", "identifier_hash": "0" * 64}, "invalid_identifier_hash"),
        ({"identifier_hash": identifier_hash(inbox, "")}, "invalid_identifier_hash"),
    ]:
        r = widget.api.post(f"{widget.base}/contacts", json=body)
        assert r.status_code == 401, (body, r.text)
        assert r.json()["error"]["code"] == code
    assert account_head(workspace) == before

    contact = widget.create_contact(identifier="user-1", identifier_hash=identifier_hash(inbox, "user-1"), name="Real")
    assert contact["name"] == "Real"


def test_a_wrong_hash_is_refused_even_where_proof_is_optional(workspace):
    inbox = make_inbox(workspace)
    widget = public(workspace, inbox)
    r = widget.api.post(f"{widget.base}/contacts", json={"identifier": "u", "identifier_hash": "ab" * 32})
    assert r.status_code == 401
    assert r.json()["error"]["code"] == "invalid_identifier_hash"


def test_a_proven_identifier_continues_the_contact_and_its_conversations(workspace):
    inbox = make_inbox(workspace)
    widget = public(workspace, inbox)
    proof = {"identifier": "crm-42", "identifier_hash": identifier_hash(inbox, "crm-42")}
    laptop = widget.create_contact(name="Linus", **proof)
    conversation = widget.create_conversation(laptop)
    widget.send(laptop, conversation["id"], "from the laptop")

    phone = widget.create_contact(**proof)
    assert phone["id"] == laptop["id"] and phone["name"] == "Linus"
    listed = widget.api.get(f"{widget.contact_path(phone)}/conversations").json()
    assert [c["id"] for c in listed] == [conversation["id"]]
    assert [m["content"] for m in listed[0]["messages"]] == ["from the laptop"]


def test_an_unproven_identifier_never_reaches_an_existing_contact(workspace):
    inbox = make_inbox(workspace)
    widget = public(workspace, inbox)
    proof = {"identifier": "crm-9", "identifier_hash": identifier_hash(inbox, "crm-9")}
    victim = widget.create_contact(name="Victim", email="victim@example.com", **proof)
    widget.create_conversation(victim)

    intruder = widget.create_contact(identifier="crm-9", name="Intruder")
    assert intruder["id"] != victim["id"]
    assert intruder["email"] is None and intruder["name"] == "Intruder"
    assert widget.api.get(f"{widget.contact_path(intruder)}/conversations").json() == []
    # The unproven identifier was not bound: the proven one still finds the victim.
    assert widget.create_contact(**proof)["id"] == victim["id"]


def test_contact_creation_retried_with_its_key_returns_the_same_contact(workspace):
    inbox = make_inbox(workspace)
    widget = public(workspace, inbox)
    key = str(uuid.uuid4())
    first = widget.api.post(f"{widget.base}/contacts", json={"name": "Once"}, headers={"Idempotency-Key": key})
    head = account_head(workspace)
    again = widget.api.post(f"{widget.base}/contacts", json={"name": "Once"}, headers={"Idempotency-Key": key})
    assert first.status_code == again.status_code == 200
    assert again.json() == first.json()
    assert account_head(workspace) == head

    # A proven identifier is known by the time of the retry: still the same answer.
    proof = {"identifier": "crm-1", "identifier_hash": identifier_hash(inbox, "crm-1")}
    key = str(uuid.uuid4())
    first = widget.api.post(f"{widget.base}/contacts", json=proof, headers={"Idempotency-Key": key})
    again = widget.api.post(f"{widget.base}/contacts", json=proof, headers={"Idempotency-Key": key})
    assert first.status_code == again.status_code == 200
    assert again.json() == first.json()
    # The key belongs to that creation: another inbox cannot replay it.
    other = public(workspace, make_inbox(workspace, name="Other"))
    replay = other.api.post(f"{other.base}/contacts", json={"name": "Replay"}, headers={"Idempotency-Key": key})
    assert replay.status_code == 409, replay.text
    assert first.json()["source_id"] not in replay.text

    short = widget.api.post(f"{widget.base}/contacts", json={"name": "x"}, headers={"Idempotency-Key": "k1"})
    assert short.status_code == 400
    assert short.json()["error"]["code"] == "invalid_argument"


def test_conversation_lifecycle_as_the_contact(workspace):
    inbox = make_inbox(workspace)
    widget = public(workspace, inbox)
    contact = widget.create_contact(name="Joan", email="joan@example.com")
    conversation = widget.create_conversation(contact, custom_attributes={"page": "/pricing"})
    assert set(conversation) == CONVERSATION_KEYS
    assert conversation["inbox_id"] == inbox["id"]
    assert conversation["status"] == "open"
    assert conversation["messages"] == []
    assert (conversation["contact_last_seen_at"], conversation["agent_last_seen_at"]) == (0, 0)
    assert conversation["contact"]["id"] == contact["id"] and conversation["contact"]["email"] == "joan@example.com"
    # The contact's own details, never its contact inboxes: their source ids are credentials.
    assert "contact_inboxes" not in conversation["contact"] and contact["source_id"] not in str(conversation)

    message = widget.send(contact, conversation["id"], "Hello?", echo_id="echo-1")
    assert set(message) == MESSAGE_KEYS
    assert message["content"] == "Hello?" and message["message_type"] == 0 and message["content_type"] == "text"
    assert message["conversation_id"] == conversation["id"] and message["attachments"] == []
    assert message["sender"]["type"] == "contact" and message["sender"]["id"] == contact["id"]

    head = account_head(workspace)
    retry = widget.send(contact, conversation["id"], "Hello?", echo_id="echo-1")
    assert retry == message
    assert account_head(workspace) == head
    assert [m["id"] for m in widget.messages(contact, conversation["id"])] == [message["id"]]

    path = widget.conversation_path(contact, conversation["id"])
    for status in ("on", "off"):
        r = widget.api.post(f"{path}/toggle_typing", json={"typing_status": status})
        assert r.status_code == 200 and r.json() == {}
    assert widget.api.post(f"{path}/update_last_seen").status_code == 200
    shown = widget.api.get(path).json()
    assert shown["contact_last_seen_at"] == message["created_at"]

    r = widget.api.post(f"{path}/toggle_status")
    assert r.status_code == 200, r.text
    assert r.json()["status"] == "resolved"
    # A contact's toggle only resolves: a second one leaves it resolved.
    assert widget.api.post(f"{path}/toggle_status").json()["status"] == "resolved"
    # Writing again reopens it (the domain's rule for incoming messages).
    widget.send(contact, conversation["id"], "One more thing")
    assert widget.api.get(path).json()["status"] == "open"

    listed = widget.api.get(f"{widget.contact_path(contact)}/conversations").json()
    assert [c["id"] for c in listed] == [conversation["id"]]
    assert [m["content"] for m in listed[0]["messages"]] == ["Hello?", "One more thing"]


def test_contact_never_sees_private_notes_or_activity(workspace):
    inbox = make_inbox(workspace)
    agent = workspace.new_user("agent", name="Agent Smith")
    sdk(workspace).inboxes.agents.add(workspace.account_id, inbox["id"], [agent.id])
    widget = public(workspace, inbox)
    contact = widget.create_contact(name="Neo")
    conversation = widget.create_conversation(contact)
    widget.send(contact, conversation["id"], "help")

    client = sdk(workspace, agent)
    client.messages.create(workspace.account_id, conversation["id"], content="internal: VIP customer", private=True)
    # Raw HTTP as well, exactly as an integration would send a note.
    r = agent.api.post(
        f"{workspace.path}/conversations/{conversation['id']}/messages",
        json={"content": "another secret note", "private": True, "message_type": "outgoing"},
    )
    assert r.status_code == 200, r.text
    reply = client.messages.create(workspace.account_id, conversation["id"], content="How can I help?")
    client.conversations.toggle_status(workspace.account_id, conversation["id"], status="pending")

    messages = widget.messages(contact, conversation["id"])
    assert [(m["content"], m["message_type"]) for m in messages] == [("help", 0), ("How can I help?", 1)]
    assert messages[1]["id"] == reply.id
    assert messages[1]["sender"] == {
        "id": agent.id, "name": "Agent Smith", "available_name": "Agent Smith", "avatar_url": "", "thumbnail": "",
        "type": "user", "availability_status": "offline",
    }
    assert agent.email not in str(messages)
    shown = widget.api.get(widget.conversation_path(contact, conversation["id"])).json()
    assert [m["content"] for m in shown["messages"]] == ["help", "How can I help?"]
    assert "secret" not in str(widget.api.get(f"{widget.contact_path(contact)}/conversations").json())
    assert "VIP" not in str(shown)


def test_edits_and_deletions_reach_the_contact(workspace):
    inbox = make_inbox(workspace)
    widget = public(workspace, inbox)
    contact = widget.create_contact(name="Kim")
    conversation = widget.create_conversation(contact)
    client = sdk(workspace)
    typo = client.messages.create(workspace.account_id, conversation["id"], content="Helo")
    wrong = client.messages.create(workspace.account_id, conversation["id"], content="someone else's order")
    base = f"{workspace.path}/conversations/{conversation['id']}/messages"
    assert workspace.admin.api.patch(f"{base}/{typo.id}", json={"content": "Hello"}).status_code == 200
    assert workspace.admin.api.delete(f"{base}/{wrong.id}").status_code == 200

    messages = widget.messages(contact, conversation["id"])
    assert [(m["id"], m["content"]) for m in messages] == [(typo.id, "Hello"), (wrong.id, "This message was deleted")]
    assert messages[1]["content_attributes"] == {"deleted": True}


def test_messages_page_back_twenty_at_a_time(workspace):
    inbox = make_inbox(workspace)
    widget = public(workspace, inbox)
    contact = widget.create_contact(name="Pager")
    conversation = widget.create_conversation(contact)
    sent = [widget.send(contact, conversation["id"], f"m{i}")["id"] for i in range(25)]
    latest = widget.messages(contact, conversation["id"])
    assert [m["id"] for m in latest] == sent[5:]
    older = widget.messages(contact, conversation["id"], before=latest[0]["id"])
    assert [m["id"] for m in older] == sent[:5]
    newer = widget.messages(contact, conversation["id"], after=sent[19])
    assert [m["id"] for m in newer] == sent[20:]


def test_a_contact_cannot_reach_another_contacts_conversation(workspace, platform):
    inbox = make_inbox(workspace)
    widget = public(workspace, inbox)
    alice = widget.create_contact(name="Alice")
    bob = widget.create_contact(name="Bob")
    conversation = widget.create_conversation(alice)
    widget.send(alice, conversation["id"], "alice's secret")
    other = public(workspace, make_inbox(workspace, name="Other"))
    head = account_head(workspace)

    as_bob = widget.conversation_path(bob, conversation["id"])
    attempts = [
        ("GET", as_bob, None),
        ("GET", f"{as_bob}/messages", None),
        ("POST", f"{as_bob}/messages", {"content": "hi"}),
        ("POST", f"{as_bob}/toggle_status", None),
        ("POST", f"{as_bob}/toggle_typing", {"typing_status": "on"}),
        ("POST", f"{as_bob}/update_last_seen", None),
    ]
    for method, path, body in attempts:
        r = widget.api.request(method, path, json=body)
        assert r.status_code == 404, (method, path, r.text)
        assert r.json()["error"]["code"] == "not_found"
        assert "alice" not in r.text.lower()
    assert widget.api.get(f"{widget.contact_path(bob)}/conversations").json() == []

    # Alice's source id through another inbox, and made-up ids, are unknown.
    assert other.api.get(other.contact_path(alice)).status_code == 404
    assert widget.api.get(f"{widget.base}/contacts/{'0' * 48}").status_code == 404
    assert widget.api.get(f"/public/api/v1/inboxes/{'f' * 48}/contacts/{alice['source_id']}").status_code == 404

    # A contact of another account, whose conversation has the same display id, only ever gets its own.
    elsewhere = other_workspace(workspace)
    foreign_inbox = make_inbox(elsewhere)
    foreign = public(elsewhere, foreign_inbox)
    mallory = foreign.create_contact(name="Mallory")
    own = foreign.create_conversation(mallory)
    assert own["id"] == conversation["id"]
    assert foreign.messages(mallory, own["id"]) == []
    assert widget.api.get(f"{widget.base}/contacts/{mallory['source_id']}").status_code == 404
    assert foreign.api.get(f"{foreign.base}/contacts/{alice['source_id']}").status_code == 404
    assert account_head(workspace) == head


def test_public_bad_input_is_refused_and_appends_nothing(workspace):
    inbox = make_inbox(workspace)
    widget = public(workspace, inbox)
    contact = widget.create_contact(name="Valid")
    conversation = widget.create_conversation(contact)
    path = widget.conversation_path(contact, conversation["id"])
    head = account_head(workspace)
    cases = [
        ("POST", f"{widget.base}/contacts", {"name": "x", "nickname": "y"}, 400, "unknown_field"),
        ("POST", f"{widget.base}/contacts", {"name": 5}, 400, "invalid_argument"),
        ("POST", f"{widget.base}/contacts", {"custom_attributes": "plan=pro"}, 400, "invalid_argument"),
        ("POST", f"{widget.base}/contacts", {"email": "not-an-email"}, 422, "invalid_argument"),
        ("POST", f"{widget.base}/contacts", {"phone_number": "12345"}, 422, "invalid_argument"),
        ("POST", f"{widget.base}/contacts", {"name": "n" * 300}, 400, "invalid_argument"),
        ("PATCH", widget.contact_path(contact), {"blocked": False}, 400, "unknown_field"),
        ("PATCH", widget.contact_path(contact), {"email": ["a@b.c"]}, 400, "invalid_argument"),
        ("POST", f"{widget.contact_path(contact)}/conversations", {"status": "open"}, 400, "unknown_field"),
        ("POST", f"{widget.contact_path(contact)}/conversations", {"custom_attributes": [1]}, 400, "invalid_argument"),
        ("POST", f"{path}/messages", {}, 400, "missing_field"),
        ("POST", f"{path}/messages", {"content": "x", "private": True}, 400, "unknown_field"),
        ("POST", f"{path}/messages", {"content": 42}, 400, "invalid_argument"),
        ("POST", f"{path}/messages", {"content": ""}, 422, "invalid_argument"),
        ("POST", f"{path}/messages", {"content": "x", "echo_id": "has space"}, 400, "invalid_argument"),
        ("POST", f"{path}/messages", {"content": "x", "message_type": "outgoing"}, 400, "unknown_field"),
        ("POST", f"{path}/toggle_typing", {"typing_status": "maybe"}, 400, "invalid_argument"),
        ("POST", f"{path}/toggle_typing", {}, 400, "missing_field"),
        ("POST", f"{path}/toggle_status", {"status": "open"}, 400, "unknown_field"),
        ("POST", f"{path}/update_last_seen", {"at": 1}, 400, "unknown_field"),
        ("GET", f"{path}/messages?before=abc", None, 400, "invalid_argument"),
        ("GET", f"{path}/messages?before=1&after=2", None, 400, "invalid_argument"),
        ("GET", widget.conversation_path(contact, "abc"), None, 404, "not_found"),
    ]
    for method, url, body, status, code in cases:
        r = widget.api.request(method, url, json=body)
        assert r.status_code == status, (method, url, body, r.text)
        assert r.json()["error"]["code"] == code, (method, url, body, r.text)
    r = widget.api.request("POST", f"{path}/messages", data="{not json", headers={"Content-Type": "application/json"})
    assert r.status_code == 400 and r.json()["error"]["code"] == "malformed_json"
    assert account_head(workspace) == head
    assert widget.messages(contact, conversation["id"]) == []
