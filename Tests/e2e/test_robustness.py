"""What a client can send that must never hurt the server: junk bodies, odd
numbers, deep nesting, NUL and invalid UTF-8, percent-encoded junk in paths and
queries, ids spelt strangely; and idempotency keys reused or long. Every answer
is a 4xx with the JSON error shape or a success, never a 5xx, and the server
stays up."""

import json

import pytest
import requests

from test_conversations import make_inbox, set_inbox_members
from test_security import Tenant, head, ok, populate


@pytest.fixture
def tenant(workspace) -> Tenant:
    return populate(workspace, "Robust")


def assert_4xx(r: requests.Response, what: str) -> None:
    assert 400 <= r.status_code < 500, f"{what}: {r.status_code} {r.text[:300]}"
    body = r.json()
    assert set(body) == {"error"} and body["error"]["code"] and body["error"]["message"], what


# --- idempotency keys ---


def test_the_longest_idempotency_key_accepted_is_remembered(tenant):
    """Keys up to 255 printable bytes are accepted; before, those over about 170 bytes were refused by the log (400)."""
    api, t = tenant.ws.admin.api, tenant
    for length in (170, 200, 255):
        headers = {"Idempotency-Key": "k" * (length - 4) + f"{length:04d}"}
        first = ok(api.post(t.url("contacts"), json={"name": f"Keyed {length}"}, headers=headers))
        written = head(t.ws)
        again = ok(api.post(t.url("contacts"), json={"name": f"Keyed {length}"}, headers=headers))
        assert again == first and head(t.ws) == written
        sent = ok(api.post(t.url(f"conversations/{t.conversation}/messages"), json={"content": f"once {length}"}, headers=headers))
        assert ok(api.post(t.url(f"conversations/{t.conversation}/messages"), json={"content": f"once {length}"}, headers=headers)) == sent
    for bad in ["k" * 256, "two words", "ключ".encode(), ""]:
        r = api.post(t.url("contacts"), json={"name": "Refused"}, headers={"Idempotency-Key": bad})
        assert_4xx(r, repr(bad[:10]))
        assert r.json()["error"]["message"].startswith("Idempotency-Key:")


def test_a_key_reused_for_another_conversation_is_another_request(tenant):
    """Before, the second send answered 200 with the first conversation's message and posted nothing."""
    api, t, ws = tenant.ws.admin.api, tenant, tenant.ws
    other = ok(api.post(t.url("conversations"), json={"source_id": t.source, "inbox_id": t.inbox}))["id"]
    headers = {"Idempotency-Key": "reused-key"}
    sent = [
        ok(api.post(t.url(f"conversations/{c}/messages"), json={"content": f"to {c}"}, headers=headers))
        for c in (t.conversation, other)
    ]
    assert [(m["conversation_id"], m["content"]) for m in sent] == [(t.conversation, f"to {t.conversation}"), (other, f"to {other}")]
    written = head(ws)
    # Each is still a retry of its own.
    assert ok(api.post(t.url(f"conversations/{other}/messages"), json={"content": f"to {other}"}, headers=headers)) == sent[1]
    assert head(ws) == written

    # The same for changes: each conversation gets its priority.
    for c in (t.conversation, other):
        assert ok(api.patch(t.url(f"conversations/{c}"), json={"priority": "high"}, headers={"Idempotency-Key": "p"}))["priority"] == "high"

    # And for contact inboxes: one key, two contacts in one inbox, two source ids.
    contacts = [ok(api.post(t.url("contacts"), json={"name": f"Twin {n}"}))["payload"]["contact"]["id"] for n in (1, 2)]
    made = [
        ok(api.post(t.url(f"contacts/{c}/contact_inboxes"), json={"inbox_id": t.inbox}, headers={"Idempotency-Key": "ci"}))
        for c in contacts
    ]
    assert made[0]["source_id"] != made[1]["source_id"]
    for contact, entry in zip(contacts, made):
        listed = ok(api.get(t.url(f"contacts/{contact}")))["payload"]["contact_inboxes"]
        assert [ci["source_id"] for ci in listed] == [entry["source_id"]]


def test_one_key_for_two_contacts_starts_two_conversations(workspace):
    ws = workspace
    inbox = make_inbox(ws)
    agent = ws.new_user("agent")
    set_inbox_members(ws, inbox, [agent.id])
    contacts = [ok(ws.admin.api.post(f"{ws.path}/contacts", json={"name": f"New {n}"}))["payload"]["contact"]["id"] for n in (1, 2)]
    made = [
        ok(agent.api.post(f"{ws.path}/conversations", json={"inbox_id": inbox, "contact_id": c}, headers={"Idempotency-Key": "start"}))
        for c in contacts
    ]
    assert [m["meta"]["sender"]["id"] for m in made] == contacts and made[0]["id"] != made[1]["id"]


# --- ids, numbers and text ---


def test_path_ids_are_digits_only(tenant):
    """`UInt64("+7")` is 7: `/accounts/+7` was a second name for `/accounts/7`."""
    api, t = tenant.ws.admin.api, tenant
    account = t.ws.account_id
    assert ok(api.get(f"/api/v1/accounts/{account}"))["id"] == account
    for spelling in [f"+{account}", f"%2B{account}", f"0x{account:x}", f"{account}.0", f" {account}", f"{account}e0", "-0", "1" * 40]:
        r = api.get(f"/api/v1/accounts/{spelling}")
        assert r.status_code == 404 and r.json()["error"]["code"] == "not_found", spelling
    for tail in [f"contacts/+{t.contact}", f"conversations/+{t.conversation}", f"inboxes/%2B{t.inbox}", f"messages/+{t.message}"]:
        r = api.request("PATCH" if tail.startswith("messages") else "GET", t.url(tail), json={"content": "x"})
        assert r.status_code == 404 and r.json()["error"]["code"] == "not_found", tail


def test_numbers_nesting_and_text_at_the_edges(tenant):
    api, t = tenant.ws.admin.api, tenant
    raw = {"Content-Type": "application/json"}
    url = t.url(f"conversations/{t.conversation}")
    cases = [
        (b'{"snoozed_until": 1e400, "status": "snoozed"}', "malformed_json"),
        (b'{"snoozed_until": 18446744073709551616, "status": "snoozed"}', "invalid_argument"),
        (b'{"snoozed_until": -1, "status": "snoozed"}', "invalid_argument"),
        (b'{"assignee_id": 9223372036854775807}', "invalid_argument"),
        (b'{"assignee_id": 1.5}', "invalid_argument"),
        (b'{"custom_attributes": ' + b"[" * 5000 + b"]" * 5000 + b"}", "malformed_json"),
        (b'{"priority": "\xff"}', "malformed_json"),
        (b'{"priority": "\\ud800"}', "malformed_json"),
        (b'{"priority": "high", "priority": "low"}', "malformed_json"),
        (b'{"priority": "hi\x00gh"}', "malformed_json"),
    ]
    for body, code in cases:
        r = api.patch(url, data=body, headers=raw)
        assert_4xx(r, body[:40].decode(errors="replace"))
        assert r.json()["error"]["code"] == code, body[:40]
    for number in ["1e300", "-0", "9007199254740993", "1E2"]:
        r = api.post(t.url(f"conversations/{t.conversation}/messages"), data=f'{{"content": "n", "message_type": {number}}}', headers=raw)
        assert r.status_code in (200, 400, 422), number
    # Escaped NUL and other control characters are text like any other: kept, and sent back escaped.
    sent = ok(api.post(t.url(f"conversations/{t.conversation}/messages"), json={"content": "nul\u0000tab\tbell\u0007"}))
    assert sent["content"] == "nul\u0000tab\tbell\u0007"
    listed = api.get(t.url(f"conversations/{t.conversation}/messages"))
    assert "\\u0000" in listed.text and "\\u0007" in listed.text
    assert any(m["content"] == "nul\u0000tab\tbell\u0007" for m in listed.json()["payload"])
    # Huge custom attribute numbers come back as numbers.
    attributes = {"big": 1e308, "small": -1e-308, "int": 9007199254740991, "neg": -9007199254740991}
    assert ok(api.post(t.url(f"conversations/{t.conversation}/custom_attributes"), json={"custom_attributes": attributes}))["custom_attributes"] == attributes


def test_query_strings_with_junk(tenant):
    api, t = tenant.ws.admin.api, tenant
    refused = {
        "contacts": ["page=0", "page=100001", "page=99999999999999999999", "page=%FF", "include_contact_inboxes=yes"],
        "contacts/search": ["q=%FF", "q=%E2%82", "q=" + "a" * 300, "q=%20"],
        "conversations": ["status=closed", "inbox_id=-1", "inbox_id=18446744073709551616", "labels=%C0", "sort_by=drop", "assignee_type=x"],
        f"conversations/{t.conversation}/messages": ["before=-5", "after=1e3", "before=%00"],
        "audit_logs": ["page=-1"],
    }
    for tail, queries in refused.items():
        for query in queries:
            assert_4xx(api.get(t.url(tail) + "?" + query), f"{tail}?{query}")
    accepted = {
        "contacts/search": ["q=%00", "q=%25", "q=a+b", "q=%", "%FF=1&q=robust", "q=robust&&&", "q=robust&q=x"],
        "conversations": ["q=%00", "labels=,,,", "page=100000", "%=%&status=all"],
        f"conversations/{t.conversation}/messages": ["before=0", "after=9007199254740991", "before=1&after=1"],
    }
    for tail, queries in accepted.items():
        for query in queries:
            r = api.get(t.url(tail) + "?" + query)
            assert r.status_code == 200, f"{tail}?{query}: {r.text}"
    assert ok(api.get(t.url("contacts/search") + "?%FF=1&q=robust"))["meta"]["count"] == 1


def test_junk_bodies_on_every_route_never_answer_5xx(server, tenant):
    """Each route that takes a body gets junk of every JSON type in each field it reads; nothing fails on the server side."""
    api, t = tenant.ws.admin.api, tenant
    c, m = f"conversations/{t.conversation}", t.message
    routes = [
        ("PATCH", ""), ("POST", "contacts"), ("PATCH", f"contacts/{t.contact}"), ("POST", f"contacts/{t.contact}/contact_inboxes"),
        ("POST", "inboxes"), ("PATCH", f"inboxes/{t.inbox}"), ("POST", "inbox_members"), ("PATCH", "inbox_members"),
        ("DELETE", "inbox_members"), ("POST", "agents"), ("PATCH", f"agents/{t.agent.id}"), ("POST", "teams"),
        ("POST", f"teams/{t.team}/team_members"), ("POST", "labels"), ("POST", "canned_responses"),
        ("PATCH", f"canned_responses/{t.canned}"), ("POST", "webhooks"), ("PATCH", f"webhooks/{t.webhook}"),
        ("POST", "conversations"), ("PATCH", c), ("POST", f"{c}/toggle_status"), ("POST", f"{c}/toggle_priority"),
        ("POST", f"{c}/toggle_typing_status"), ("POST", f"{c}/assignments"), ("POST", f"{c}/labels"),
        ("POST", f"{c}/custom_attributes"), ("POST", f"{c}/messages"), ("PATCH", f"{c}/messages/{m}"), ("PATCH", f"messages/{m}"),
    ]
    fields = [
        "name", "email", "inbox_id", "contact_id", "source_id", "user_ids", "role", "availability", "url", "subscriptions",
        "title", "color", "short_code", "content", "status", "priority", "assignee_id", "team_id", "snoozed_until", "labels",
        "custom_attributes", "message", "message_type", "private", "content_type", "content_attributes", "echo_id",
        "typing_status", "channel", "locale", "timezone", "phone_number", "identifier", "webhook",
    ]
    nested = {"a": 1}
    for _ in range(30):
        nested = {"a": nested}
    values = [None, True, -1, 0.5, 1e308, 2**64, "", "\u0000", "x" * 300, [], [None, "a", 2**70], {}, {"type": "api"}, nested]
    bodies = [json.dumps({field: value}).encode() for field in fields for value in values]
    bodies += [b"", b"[]", b"null", b"7", b'"text"', b"{", b"{}x", b"\xff\xfe", b"{" * 100_000]
    for method, tail in routes:
        for body in bodies:
            r = api.request(method, t.url(tail), data=body, headers={"Content-Type": "application/json"})
            assert r.status_code < 500, f"{method} {tail} {body[:60]!r}: {r.status_code} {r.text[:200]}"
    assert server.process.poll() is None
    assert ok(requests.get(server.base_url + "/healthz", timeout=30)) == {"status": "ok"}


def test_a_body_over_the_limit_is_refused_whole(tenant):
    api, t = tenant.ws.admin.api, tenant
    written = head(t.ws)
    r = api.post(t.url(f"conversations/{t.conversation}/messages"), json={"content": "x" * (2 << 20)})
    assert r.status_code == 413 and r.json()["error"]["code"] == "body_too_large"
    assert head(t.ws) == written


def test_removing_a_member_through_the_platform_is_retried_safely(workspace, platform):
    """Every write takes an Idempotency-Key; this one ignored it, so a retried removal answered 404."""
    member = workspace.new_user("agent")
    url = f"/platform/api/v1/accounts/{workspace.account_id}/account_users"
    headers = {"Idempotency-Key": "remove-once"}
    first = platform.delete(url, json={"user_id": member.id}, headers=headers)
    assert first.status_code == 200, first.text
    written = requests.get(workspace.server.base_url + "/readyz", timeout=30).json()["head"]
    again = platform.delete(url, json={"user_id": member.id}, headers=headers)
    assert (again.status_code, again.json()) == (200, first.json()) == (200, {"account_id": workspace.account_id, "user_id": member.id})
    assert requests.get(workspace.server.base_url + "/readyz", timeout=30).json()["head"] == written
    assert member.id not in [u["user_id"] for u in platform.get(url).json()]
    assert platform.delete(url, json={"user_id": member.id}, headers={"Idempotency-Key": "x"}).status_code == 404


def test_retries_answer_with_what_was_stored_not_with_what_they_name(tenant, platform):
    """A retry whose body differs from the first request's is still that request: the answer is the stored
    result. Before, a contact inbox retry named the new body's inbox beside the first inbox's source id, and
    a membership retry the new body's role."""
    api, t = tenant.ws.admin.api, tenant
    contact = ok(api.post(t.url("contacts"), json={"name": "Once"}))["payload"]["contact"]["id"]
    headers = {"Idempotency-Key": "contact-inbox-once"}
    first = ok(api.post(t.url(f"contacts/{contact}/contact_inboxes"), json={"inbox_id": t.inbox}, headers=headers))
    again = ok(api.post(t.url(f"contacts/{contact}/contact_inboxes"), json={"inbox_id": t.hidden_inbox}, headers=headers))
    assert again == first and first["inbox"]["id"] == t.inbox
    stored = ok(api.get(t.url(f"contacts/{contact}")))["payload"]["contact_inboxes"]
    assert [(ci["inbox"]["id"], ci["source_id"]) for ci in stored] == [(t.inbox, first["source_id"])]

    url = f"/platform/api/v1/accounts/{t.ws.account_id}/account_users"
    headers = {"Idempotency-Key": "promote-once"}
    promoted = platform.patch(url, json={"user_id": t.agent.id, "role": "administrator"}, headers=headers)
    assert promoted.json() == {"account_id": t.ws.account_id, "user_id": t.agent.id, "role": "administrator"}
    retried = platform.patch(url, json={"user_id": t.agent.id, "role": "agent"}, headers=headers)
    assert retried.json() == promoted.json()
    assert {"account_id": t.ws.account_id, "user_id": t.agent.id, "role": "administrator"} in platform.get(url).json()
