"""Tenant isolation (DESIGN promise 5) and inbox membership, route by route.

Another account's administrator, given every id of this account, gets 404
`not_found` from every route and changes nothing (the log's head does not
move); an agent gets the same for every inbox they do not work in and its
conversations; no response hands a secret to someone who must not have it.

The route lists below were built by reading Sources/ParleyServer/Routes: every
Application API route that takes an id in its path or its body is here."""

from dataclasses import dataclass

import requests

from conftest import Agent, Workspace
from test_conversations import make_contact, make_inbox, new_workspace, set_inbox_members


@dataclass
class Tenant:
    """An account with one of everything, and a second inbox its agent does not work in."""

    ws: Workspace
    secret: str  # a word only this tenant's data contains
    inbox: int
    hidden_inbox: int
    agent: Agent  # works in `inbox` only
    contact: int
    source: str  # the contact's source id in `inbox`
    hidden_source: str  # and in `hidden_inbox`
    conversation: int  # in `inbox`
    hidden_conversation: int  # in `hidden_inbox`
    message: int  # the admin's reply in `conversation`
    note: int  # a private note in `conversation`
    hidden_message: int  # in `hidden_conversation`
    team: int
    label: int
    canned: int
    webhook: int

    def url(self, tail: str = "") -> str:
        return f"{self.ws.path}/{tail}" if tail else self.ws.path


def ok(r: requests.Response) -> dict:
    assert r.status_code == 200, r.text
    return r.json()


def populate(ws: Workspace, secret: str) -> Tenant:
    api = ws.admin.api
    inbox = make_inbox(ws, f"{secret} desk")
    hidden_inbox = make_inbox(ws, f"{secret} back office")
    agent = ws.new_user("agent", name=f"{secret} agent")
    set_inbox_members(ws, inbox, [agent.id])
    contact, source = make_contact(ws, inbox, name=f"{secret} visitor")
    hidden_source = ok(api.post(f"{ws.path}/contacts/{contact}/contact_inboxes", json={"inbox_id": hidden_inbox}))["source_id"]
    conversation = ok(api.post(f"{ws.path}/conversations", json={"source_id": source, "inbox_id": inbox}))["id"]
    hidden = ok(api.post(f"{ws.path}/conversations", json={"source_id": hidden_source, "inbox_id": hidden_inbox}))["id"]
    message = ok(api.post(f"{ws.path}/conversations/{conversation}/messages", json={"content": f"{secret} reply"}))["id"]
    note = ok(api.post(f"{ws.path}/conversations/{conversation}/messages", json={"content": f"{secret} note", "private": True}))["id"]
    hidden_message = ok(api.post(f"{ws.path}/conversations/{hidden}/messages", json={"content": f"{secret} hidden"}))["id"]
    team = ok(api.post(f"{ws.path}/teams", json={"name": f"{secret} team"}))["id"]
    ok(api.post(f"{ws.path}/teams/{team}/team_members", json={"user_ids": [agent.id]}))
    label = ok(api.post(f"{ws.path}/labels", json={"title": f"{secret.lower()}-label"}))["id"]
    canned = ok(api.post(f"{ws.path}/canned_responses", json={"short_code": f"{secret}-hi", "content": f"{secret} canned"}))["id"]
    webhook = ok(api.post(f"{ws.path}/webhooks", json={"url": f"https://{secret.lower()}.example/hook"}))["payload"]["webhook"]["id"]
    return Tenant(
        ws, secret, inbox, hidden_inbox, agent, contact, source, hidden_source, conversation, hidden, message, note,
        hidden_message, team, label, canned, webhook,
    )


def head(ws: Workspace) -> int:
    """The log's head: it moves with every event appended, so an unchanged head proves nothing was written."""
    return ok(requests.get(ws.server.base_url + "/readyz", timeout=30))["head"]


def snapshot(t: Tenant) -> dict:
    """Everything the tenant's administrator can read about its things."""
    api = t.ws.admin.api
    tails = [
        "", "contacts", f"contacts/{t.contact}", f"contacts/{t.contact}/conversations", "inboxes", f"inboxes/{t.inbox}",
        f"inbox_members/{t.inbox}", f"inbox_members/{t.hidden_inbox}", "agents", "teams", f"teams/{t.team}/team_members",
        "labels", "canned_responses", "webhooks", "conversations?status=all", f"conversations/{t.conversation}",
        f"conversations/{t.conversation}/messages", f"conversations/{t.hidden_conversation}/messages", "audit_logs",
    ]
    return {tail: ok(api.get(t.url(tail))) for tail in tails}


def conversation_routes(conversation: int, message: int) -> list[tuple[str, str, dict | None]]:
    """Every route on one conversation and one of its messages."""
    c = f"conversations/{conversation}"
    return [
        ("GET", c, None), ("PATCH", c, {"priority": "urgent"}),
        ("POST", f"{c}/toggle_status", {"status": "resolved"}), ("POST", f"{c}/toggle_priority", {"priority": "urgent"}),
        ("POST", f"{c}/toggle_typing_status", {"typing_status": "on"}), ("POST", f"{c}/update_last_seen", None),
        ("POST", f"{c}/unread", None), ("POST", f"{c}/assignments", {"assignee_id": None}),
        ("POST", f"{c}/assignments", {"team_id": None}), ("GET", f"{c}/labels", None),
        ("POST", f"{c}/labels", {"labels": ["mallory"]}), ("POST", f"{c}/custom_attributes", {"custom_attributes": {"m": 1}}),
        ("GET", f"{c}/messages", None), ("POST", f"{c}/messages", {"content": "Mallory was here"}),
        ("PATCH", f"{c}/messages/{message}", {"content": "Mallory was here"}), ("DELETE", f"{c}/messages/{message}", None),
        ("PATCH", f"messages/{message}", {"content": "Mallory was here"}), ("DELETE", f"messages/{message}", None),
    ]


def id_routes(target: Tenant, own: Tenant) -> list[tuple[str, str, dict | None]]:
    """Every route naming one of `target`'s things in its path (other ids in bodies are `own`'s)."""
    t = target
    return [
        ("GET", f"contacts/{t.contact}", None), ("PUT", f"contacts/{t.contact}", {"name": "Mallory"}),
        ("PATCH", f"contacts/{t.contact}", {"name": "Mallory"}),
        ("POST", f"contacts/{t.contact}/contact_inboxes", {"inbox_id": own.inbox}),
        ("GET", f"contacts/{t.contact}/contactable_inboxes", None), ("GET", f"contacts/{t.contact}/conversations", None),
        ("GET", f"inboxes/{t.inbox}", None), ("PATCH", f"inboxes/{t.inbox}", {"name": "Mallory"}),
        ("PUT", f"inboxes/{t.inbox}", {"name": "Mallory"}), ("GET", f"inbox_members/{t.inbox}", None),
        ("POST", "inbox_members", {"inbox_id": t.inbox, "user_ids": [own.ws.admin.id]}),
        ("PATCH", "inbox_members", {"inbox_id": t.inbox, "user_ids": []}),
        ("DELETE", "inbox_members", {"inbox_id": t.inbox, "user_ids": [t.agent.id]}),
        ("PATCH", f"agents/{t.agent.id}", {"role": "administrator"}), ("PUT", f"agents/{t.agent.id}", {"role": "administrator"}),
        ("DELETE", f"agents/{t.agent.id}", None),
        ("GET", f"teams/{t.team}", None), ("GET", f"teams/{t.team}/team_members", None),
        ("POST", f"teams/{t.team}/team_members", {"user_ids": []}), ("PATCH", f"teams/{t.team}/team_members", {"user_ids": []}),
        ("DELETE", f"teams/{t.team}/team_members", {"user_ids": [t.agent.id]}),
        ("GET", f"labels/{t.label}", None), ("DELETE", f"labels/{t.label}", None),
        ("PATCH", f"canned_responses/{t.canned}", {"content": "Mallory"}),
        ("PUT", f"canned_responses/{t.canned}", {"content": "Mallory"}), ("DELETE", f"canned_responses/{t.canned}", None),
        ("PATCH", f"webhooks/{t.webhook}", {"url": "https://mallory.example/hook"}),
        ("PUT", f"webhooks/{t.webhook}", {"url": "https://mallory.example/hook"}), ("DELETE", f"webhooks/{t.webhook}", None),
        # Message ids are numbered across accounts; conversation ids count per account.
        ("PATCH", f"messages/{t.message}", {"content": "Mallory"}), ("DELETE", f"messages/{t.message}", None),
        ("PATCH", f"messages/{t.note}", {"content": "Mallory"}),
        ("PATCH", f"conversations/{own.conversation}/messages/{t.message}", {"content": "Mallory"}),
        ("DELETE", f"conversations/{own.conversation}/messages/{t.message}", None),
    ]


def account_routes(t: Tenant) -> list[tuple[str, str, dict | None]]:
    """Every route under an account, with that account's own ids."""
    return [
        ("GET", "", None), ("PATCH", "", {"name": "Mallory"}), ("PUT", "", {"name": "Mallory"}),
        ("GET", "contacts", None), ("GET", f"contacts/search?q={t.secret}", None), ("POST", "contacts", {"name": "Mallory"}),
        ("GET", "inboxes", None), ("POST", "inboxes", {"name": "Mallory", "channel": {"type": "api"}}),
        ("GET", "agents", None), ("POST", "agents", {"name": "Mallory", "email": "mallory@example.com"}),
        ("GET", "teams", None), ("POST", "teams", {"name": "Mallory"}),
        ("GET", "labels", None), ("POST", "labels", {"title": "mallory"}),
        ("GET", "canned_responses", None), ("POST", "canned_responses", {"short_code": "m", "content": "Mallory"}),
        ("GET", "webhooks", None), ("POST", "webhooks", {"url": "https://mallory.example/hook"}),
        ("GET", "audit_logs", None), ("GET", "conversations?status=all", None), ("GET", "conversations/meta", None),
        ("GET", f"conversations/search?q={t.secret}", None),
        ("POST", "conversations", {"inbox_id": t.inbox, "contact_id": t.contact}),
    ] + id_routes(t, t) + conversation_routes(t.conversation, t.message) + conversation_routes(t.hidden_conversation, t.hidden_message)


def assert_not_found(r: requests.Response, secret: str, what: str) -> None:
    assert r.status_code == 404, f"{what}: {r.status_code} {r.text}"
    assert r.json()["error"]["code"] == "not_found", what
    assert secret not in r.text, what


def test_another_accounts_administrator_finds_nothing_and_changes_nothing(server, platform, workspace):
    a = populate(workspace, "Aardvark")
    b = populate(new_workspace(server, platform, "Bison Inc"), "Bison")
    mallory = b.ws.admin.api
    before, started = snapshot(a), head(a.ws)

    # A's own paths, with B's administrator's token: the account itself is not found.
    for method, tail, body in account_routes(a):
        r = mallory.request(method, a.url(tail), json=body)
        assert_not_found(r, a.secret, f"{method} {a.url(tail)}")
        assert r.json()["error"]["message"] == f"account {a.ws.account_id} not found"

    # B's paths, with A's ids in them.
    for method, tail, body in id_routes(a, b):
        assert_not_found(mallory.request(method, b.url(tail), json=body), a.secret, f"{method} {b.url(tail)}")

    # B's own things, with A's ids in the body.
    c = f"conversations/{b.conversation}"
    foreign_bodies = [
        ("POST", "contacts", {"name": "Mallory", "inbox_id": a.inbox}),
        ("POST", f"contacts/{b.contact}/contact_inboxes", {"inbox_id": a.inbox}),
        ("POST", "conversations", {"inbox_id": a.inbox, "contact_id": b.contact}),
        ("POST", "conversations", {"inbox_id": b.inbox, "contact_id": a.contact}),
        ("POST", "conversations", {"source_id": a.source}),
        ("POST", "conversations", {"source_id": a.source, "inbox_id": a.inbox}),
        ("POST", "conversations", {"inbox_id": b.inbox, "contact_id": b.contact, "assignee_id": a.agent.id}),
        ("POST", "conversations", {"inbox_id": b.inbox, "contact_id": b.contact, "team_id": a.team}),
        ("PATCH", c, {"team_id": a.team}), ("PATCH", c, {"assignee_id": a.agent.id}),
        ("POST", f"{c}/assignments", {"assignee_id": a.agent.id}), ("POST", f"{c}/assignments", {"team_id": a.team}),
        ("POST", "inbox_members", {"inbox_id": b.inbox, "user_ids": [a.agent.id]}),
        ("PATCH", "inbox_members", {"inbox_id": b.inbox, "user_ids": [a.agent.id]}),
        ("POST", f"teams/{b.team}/team_members", {"user_ids": [a.agent.id]}),
        ("PATCH", f"teams/{b.team}/team_members", {"user_ids": [a.agent.id]}),
    ]
    for method, tail, body in foreign_bodies:
        assert_not_found(mallory.request(method, b.url(tail), json=body), a.secret, f"{method} {b.url(tail)} {body}")
    for path in ["/api/v1/profile/availability", "/api/v1/profile"]:
        r = mallory.request("POST" if path.endswith("availability") else "PATCH", path, json={"availability": "busy", "account_id": a.ws.account_id})
        assert_not_found(r, a.secret, path)

    # The Platform API takes the platform token only; B's profile names B alone.
    platform_routes = [
        ("GET", f"accounts/{a.ws.account_id}", None), ("PATCH", f"accounts/{a.ws.account_id}", {"name": "Mallory"}),
        ("GET", f"users/{a.agent.id}", None), ("GET", f"accounts/{a.ws.account_id}/account_users", None),
        ("POST", f"accounts/{a.ws.account_id}/account_users", {"user_id": b.ws.admin.id, "role": "administrator"}),
        ("PATCH", f"accounts/{a.ws.account_id}/account_users", {"user_id": a.agent.id, "role": "administrator"}),
        ("DELETE", f"accounts/{a.ws.account_id}/account_users", {"user_id": a.agent.id}),
        ("POST", "accounts", {"name": "Mallory"}), ("POST", "users", {"name": "Mallory", "email": "mallory@example.com"}),
    ]
    for method, tail, body in platform_routes:
        r = mallory.request(method, f"/platform/api/v1/{tail}", json=body)
        assert r.status_code == 401 and r.json()["error"]["code"] == "unauthorized", f"{method} {tail}"
    assert [account["id"] for account in ok(mallory.get("/api/v1/profile"))["accounts"]] == [b.ws.account_id]

    # Filters and searches in B never reach A's things.
    for tail in [f"conversations?status=all&inbox_id={a.inbox}", f"conversations?status=all&team_id={a.team}", f"conversations/search?q={a.secret}"]:
        listed = ok(mallory.get(b.url(tail)))
        page = listed.get("data", listed)
        assert page["payload"] == [] and page["meta"]["all_count"] == 0, tail
    assert ok(mallory.get(b.url("contacts/search"), params={"q": a.secret})) == {"meta": {"count": 0, "current_page": 1}, "payload": []}
    assert a.secret not in mallory.get(b.url("canned_responses"), params={"search": a.secret}).text

    assert head(a.ws) == started
    assert snapshot(a) == before


def test_an_agent_outside_an_inbox_finds_nothing_of_it_and_changes_nothing(workspace):
    t = populate(workspace, "Capybara")
    outsider = t.agent.api  # works in t.inbox, not in t.hidden_inbox
    before, started = snapshot(t), head(t.ws)

    routes = conversation_routes(t.hidden_conversation, t.hidden_message) + [
        ("GET", f"inboxes/{t.hidden_inbox}", None), ("GET", f"inbox_members/{t.hidden_inbox}", None),
        ("POST", "contacts", {"name": "Mallory", "inbox_id": t.hidden_inbox}),
        ("POST", f"contacts/{t.contact}/contact_inboxes", {"inbox_id": t.hidden_inbox}),
        # Starting a conversation in the inbox, by its id or by the contact's source id there.
        ("POST", "conversations", {"inbox_id": t.hidden_inbox, "contact_id": t.contact}),
        ("POST", "conversations", {"source_id": t.hidden_source}),
        ("POST", "conversations", {"source_id": t.hidden_source, "inbox_id": t.hidden_inbox}),
        ("PATCH", f"conversations/{t.conversation}/messages/{t.hidden_message}", {"content": "Mallory"}),
    ]
    for method, tail, body in routes:
        r = outsider.request(method, t.url(tail), json=body)
        assert r.status_code == 404, f"{method} {tail} {body}: {r.status_code} {r.text}"
        assert r.json()["error"]["code"] == "not_found" and "member" not in r.text, f"{method} {tail}"
        assert "hidden" not in r.text and "back office" not in r.text

    # The lists leave the inbox out.
    assert [i["id"] for i in ok(outsider.get(t.url("inboxes")))["payload"]] == [t.inbox]
    listed = ok(outsider.get(t.url("conversations"), params={"status": "all"}))["data"]
    assert [c["id"] for c in listed["payload"]] == [t.conversation] and listed["meta"]["all_count"] == 1
    assert ok(outsider.get(t.url("conversations"), params={"status": "all", "inbox_id": t.hidden_inbox}))["data"]["payload"] == []
    assert [c["id"] for c in ok(outsider.get(t.url(f"contacts/{t.contact}/conversations")))["payload"]] == [t.conversation]
    assert [e["inbox"]["id"] for e in ok(outsider.get(t.url(f"contacts/{t.contact}/contactable_inboxes")))["payload"]] == [t.inbox]

    assert head(t.ws) == started
    assert snapshot(t) == before

    # Their own inbox works: the same calls there succeed, so the 404s above were about the inbox.
    started = ok(outsider.post(t.url("conversations"), json={"inbox_id": t.inbox, "contact_id": t.contact}))
    assert started["inbox_id"] == t.inbox and started["meta"]["sender"]["id"] == t.contact
    again = ok(outsider.post(t.url("conversations"), json={"source_id": t.source}))
    assert again["inbox_id"] == t.inbox and again["id"] == started["id"] + 1


def test_one_idempotency_key_from_two_agents_makes_two_conversations(workspace):
    ws = workspace
    inbox = make_inbox(ws)
    first_agent, second_agent = ws.new_user("agent"), ws.new_user("agent")
    set_inbox_members(ws, inbox, [first_agent.id, second_agent.id])
    contacts = [ok(ws.admin.api.post(f"{ws.path}/contacts", json={"name": f"No inbox yet {n}"}))["payload"]["contact"]["id"] for n in (1, 2)]
    headers = {"Idempotency-Key": "new-conversation-1"}
    made = [
        ok(agent.api.post(f"{ws.path}/conversations", json={"inbox_id": inbox, "contact_id": contact}, headers=headers))
        for agent, contact in zip([first_agent, second_agent], contacts)
    ]
    assert [m["meta"]["sender"]["id"] for m in made] == contacts
    assert made[0]["id"] != made[1]["id"]
    sources = [
        [ci["source_id"] for ci in ok(ws.admin.api.get(f"{ws.path}/contacts/{c}"))["payload"]["contact_inboxes"]] for c in contacts
    ]
    assert len(sources[0]) == len(sources[1]) == 1 and sources[0] != sources[1]


def test_the_same_key_in_two_accounts_derives_different_contact_source_ids(server, platform, workspace):
    """A derived source id is a contact's credential on the Public API: it must not repeat across accounts."""
    sources = []
    for ws in [workspace, new_workspace(server, platform, "Other desk")]:
        inbox = make_inbox(ws)
        contact = ok(ws.admin.api.post(f"{ws.path}/contacts", json={"name": "Keyed"}))["payload"]["contact"]["id"]
        ok(ws.admin.api.post(
            f"{ws.path}/conversations", json={"inbox_id": inbox, "contact_id": contact}, headers={"Idempotency-Key": "shared-key"}
        ))
        sources.append(ok(ws.admin.api.get(f"{ws.path}/contacts/{contact}"))["payload"]["contact_inboxes"][0]["source_id"])
    assert sources[0] != sources[1]


def test_secrets_reach_only_those_allowed_to_hold_them(server, platform, workspace):
    t = populate(workspace, "Dingo")
    other = populate(new_workspace(server, platform, "Emu Ltd"), "Emu")
    admin = t.ws.admin.api
    hmac_tokens = {ok(admin.get(t.url(f"inboxes/{i}")))["hmac_token"] for i in (t.inbox, t.hidden_inbox)}
    assert all(len(token) == 48 for token in hmac_tokens)
    tokens = {t.ws.admin.token, t.agent.token, other.ws.admin.token, other.agent.token}

    # An agent reads everything they may; nothing carries an HMAC token or anyone's access token but their own profile.
    for method, tail, _ in account_routes(t):
        if method != "GET":
            continue
        r = t.agent.api.get(t.url(tail))
        if r.status_code != 200:
            continue
        assert not any(secret in r.text for secret in hmac_tokens | tokens), tail
        assert "hmac_token" not in r.text, tail
    profile = ok(t.agent.api.get("/api/v1/profile"))
    assert profile["access_token"] == t.agent.token and not any(s in str(profile) for s in tokens - {t.agent.token})

    # Administrators see their inboxes' HMAC tokens (the control), never another user's access token.
    for method, tail, _ in account_routes(t):
        if method == "GET":
            r = admin.get(t.url(tail))
            assert r.status_code == 200 and not any(secret in r.text for secret in tokens), tail
    assert ok(admin.get(t.url(f"contacts/{t.contact}")))["payload"]["contact_inboxes"][0]["inbox"]["hmac_token"] in hmac_tokens


def test_an_agent_sees_a_contacts_source_ids_only_in_inboxes_they_work_in(workspace):
    """A source id is the contact's credential on the Public API: shown for an inbox the agent is kept out of,
    it would open that inbox's conversations to them."""
    t = populate(workspace, "Ferret")
    agent, admin = t.agent.api, t.ws.admin.api
    shown = ok(agent.get(t.url(f"contacts/{t.contact}")))["payload"]["contact_inboxes"]
    assert [(ci["inbox"]["id"], ci["source_id"]) for ci in shown] == [(t.inbox, t.source)]
    for tail in ["contacts", f"contacts/search?q={t.secret}", f"contacts/{t.contact}", f"contacts/{t.contact}/contactable_inboxes",
                 f"contacts/{t.contact}/conversations", "conversations?status=all", f"conversations/{t.conversation}/messages"]:
        r = agent.get(t.url(tail))
        assert r.status_code == 200 and t.hidden_source not in r.text and "back office" not in r.text, tail
    updated = ok(agent.patch(t.url(f"contacts/{t.contact}"), json={"phone_number": "+4930123456"}))["payload"]
    assert [ci["inbox"]["id"] for ci in updated["contact_inboxes"]] == [t.inbox]
    # Administrators work in every inbox and see both.
    both = ok(admin.get(t.url(f"contacts/{t.contact}")))["payload"]["contact_inboxes"]
    assert {(ci["inbox"]["id"], ci["source_id"]) for ci in both} == {(t.inbox, t.source), (t.hidden_inbox, t.hidden_source)}
