"""The account, labels, canned responses, webhooks and audit logs over raw
HTTP (the SDK has no calls for them): Chatwoot's shapes, administrators only
where Chatwoot says so, other accounts' ids as 404, bad input refused with
nothing stored."""

import pytest

from conftest import Workspace, other_workspace

ALL_EVENTS = [
    "contact_created", "contact_updated", "conversation_created", "conversation_status_changed", "conversation_typing_off",
    "conversation_typing_on", "conversation_updated", "message_created", "message_updated",
]


def listed(workspace: Workspace, resource: str):
    r = workspace.admin.api.get(f"{workspace.path}/{resource}")
    assert r.status_code == 200, r.text
    return r.json()


# MARK: Account


def test_members_read_the_account_and_administrators_rename_it(workspace):
    agent = workspace.new_user("agent")
    account = agent.api.get(workspace.path).json()
    assert (account["id"], account["locale"], account["status"]) == (workspace.account_id, "en", "active")
    r = workspace.admin.api.patch(workspace.path, json={"name": "Renamed Inc", "locale": "pt_BR"})
    assert r.status_code == 200, r.text
    assert (r.json()["name"], r.json()["locale"]) == ("Renamed Inc", "pt_BR")
    r = agent.api.patch(workspace.path, json={"name": "Agent Inc"})
    assert r.status_code == 403
    for body, status in [({"locale": "en US"}, 400), ({"locale": ""}, 400), ({"name": ""}, 422), ({"name": "x" * 256}, 422),
                         ({"plan": "gold"}, 400), ({"name": 1}, 400)]:
        r = workspace.admin.api.patch(workspace.path, json=body)
        assert r.status_code == status, (body, r.text)
    assert agent.api.get(workspace.path).json()["name"] == "Renamed Inc"
    other = other_workspace(workspace)
    assert workspace.admin.api.get(other.path).status_code == 404
    assert workspace.admin.api.patch(other.path, json={"name": "Taken"}).status_code == 404
    assert other.admin.api.get(other.path).json()["name"] == "Elsewhere"


# MARK: Labels


def test_labels_are_created_listed_and_deleted_by_administrators(workspace):
    api = workspace.admin.api
    r = api.post(f"{workspace.path}/labels", json={"title": "VIP-Customer", "description": "Pays well", "color": "#ff0000", "show_on_sidebar": True})
    assert r.status_code == 200, r.text
    label = r.json()
    assert label == {"id": label["id"], "title": "vip-customer", "description": "Pays well", "color": "#ff0000", "show_on_sidebar": True}
    agent = workspace.new_user("agent")
    assert agent.api.get(f"{workspace.path}/labels").json() == {"payload": [label]}
    assert agent.api.get(f"{workspace.path}/labels/{label['id']}").json() == label
    assert agent.api.post(f"{workspace.path}/labels", json={"title": "mine"}).status_code == 403
    assert agent.api.delete(f"{workspace.path}/labels/{label['id']}").status_code == 403
    assert listed(workspace, "labels")["payload"] == [label]
    r = api.delete(f"{workspace.path}/labels/{label['id']}")
    assert r.status_code == 200
    assert listed(workspace, "labels") == {"payload": []}
    assert api.delete(f"{workspace.path}/labels/{label['id']}").status_code == 404


@pytest.mark.parametrize(
    "body, status",
    [
        ({"title": "has space"}, 422),
        ({"title": ""}, 422),
        ({"title": "x" * 256}, 422),
        ({"title": "ok", "color": "red"}, 422),
        ({"title": "ok", "show_on_sidebar": False}, 422),
        ({"title": "ok", "show_on_sidebar": "yes"}, 400),
        ({"title": "EXISTING"}, 409),
        ({"description": "no title"}, 400),
        ({"title": "ok", "priority": 1}, 400),
    ],
)
def test_bad_labels_are_refused_and_store_nothing(workspace, body, status):
    workspace.admin.api.post(f"{workspace.path}/labels", json={"title": "existing"})
    r = workspace.admin.api.post(f"{workspace.path}/labels", json=body)
    assert r.status_code == status, r.text
    assert set(r.json()["error"]) == {"code", "message"}
    assert [label["title"] for label in listed(workspace, "labels")["payload"]] == ["existing"]


# MARK: Canned responses


def test_agents_keep_canned_responses_and_search_them(workspace):
    agent = workspace.new_user("agent")
    path = f"{workspace.path}/canned_responses"
    r = agent.api.post(path, json={"short_code": "greet", "content": "Hello! How can I help?"})
    assert r.status_code == 200, r.text
    greet = r.json()
    assert greet == {"id": greet["id"], "account_id": workspace.account_id, "short_code": "greet", "content": "Hello! How can I help?"}
    bye = agent.api.post(path, json={"short_code": "bye", "content": "Thanks for writing, goodbye"}).json()
    assert [c["short_code"] for c in agent.api.get(path).json()] == ["greet", "bye"]
    assert [c["short_code"] for c in agent.api.get(path, params={"search": "GOOD"}).json()] == ["bye"]
    assert [c["short_code"] for c in agent.api.get(path, params={"search": "gree"}).json()] == ["greet"]
    assert [c["short_code"] for c in agent.api.get(path, params={"search": "how can"}).json()] == ["greet"]
    r = agent.api.patch(f"{path}/{greet['id']}", json={"content": "Hi there"})
    assert r.status_code == 200, r.text
    assert (r.json()["short_code"], r.json()["content"]) == ("greet", "Hi there")
    assert agent.api.patch(f"{path}/{bye['id']}", json={"short_code": "greet"}).status_code == 409
    assert agent.api.delete(f"{path}/{bye['id']}").status_code == 200
    assert [(c["short_code"], c["content"]) for c in workspace.admin.api.get(path).json()] == [("greet", "Hi there")]


@pytest.mark.parametrize(
    "body, status",
    [
        ({"content": "no code"}, 400),
        ({"short_code": "x"}, 400),
        ({"short_code": "x", "content": ""}, 422),
        ({"short_code": "", "content": "c"}, 422),
        ({"short_code": "x" * 256, "content": "c"}, 422),
        ({"short_code": "x", "content": 5}, 400),
        ({"short_code": "existing", "content": "again"}, 409),
        ({"short_code": "x", "content": "c", "attachments": []}, 400),
    ],
)
def test_bad_canned_responses_are_refused_and_store_nothing(workspace, body, status):
    path = f"{workspace.path}/canned_responses"
    workspace.admin.api.post(path, json={"short_code": "existing", "content": "There"})
    r = workspace.admin.api.post(path, json=body)
    assert r.status_code == status, r.text
    assert [c["short_code"] for c in listed(workspace, "canned_responses")] == ["existing"]


# MARK: Webhooks


def test_administrators_keep_webhooks_in_either_body_form(workspace):
    api, path = workspace.admin.api, f"{workspace.path}/webhooks"
    r = api.post(path, json={"webhook": {"url": "https://hooks.example/a", "subscriptions": ["message_created", "conversation_created"]}})
    assert r.status_code == 200, r.text
    first = r.json()["payload"]["webhook"]
    secret = first.pop("secret")
    assert len(secret) == 48
    assert first == {
        "id": first["id"], "name": None, "url": "https://hooks.example/a", "account_id": workspace.account_id,
        "subscriptions": ["conversation_created", "message_created"], "webhook_type": "account_type"}
    r = api.post(path, json={"url": "http://hooks.example/b"})
    assert r.status_code == 200, r.text
    second = r.json()["payload"]["webhook"]
    assert second.pop("secret") != secret
    assert second["subscriptions"] == ALL_EVENTS
    assert api.get(path).json() == {"payload": {"webhooks": [first, second]}}
    r = api.patch(f"{path}/{first['id']}", json={"webhook": {"url": "https://hooks.example/changed"}})
    assert r.status_code == 200, r.text
    assert "secret" not in r.json()["payload"]["webhook"]
    assert r.json()["payload"]["webhook"]["subscriptions"] == ["conversation_created", "message_created"]
    assert r.json()["payload"]["webhook"]["url"] == "https://hooks.example/changed"
    assert api.delete(f"{path}/{second['id']}").status_code == 200
    assert [w["id"] for w in api.get(path).json()["payload"]["webhooks"]] == [first["id"]]


def test_webhooks_are_for_administrators_only(workspace):
    agent = workspace.new_user("agent")
    path = f"{workspace.path}/webhooks"
    hook = workspace.admin.api.post(path, json={"url": "https://hooks.example/x"}).json()["payload"]["webhook"]
    hook.pop("secret")
    for response in [
        agent.api.get(path),
        agent.api.post(path, json={"url": "https://evil.example/"}),
        agent.api.patch(f"{path}/{hook['id']}", json={"url": "https://evil.example/"}),
        agent.api.delete(f"{path}/{hook['id']}"),
    ]:
        assert response.status_code == 403, response.text
    assert listed(workspace, "webhooks")["payload"]["webhooks"] == [hook]


@pytest.mark.parametrize(
    "body",
    [
        {"webhook": {"url": "ftp://hooks.example/"}},
        {"webhook": {"url": "https://"}},
        {"webhook": {"url": "not a url"}},
        {"webhook": {"url": "https://hooks.example/", "subscriptions": ["message_exploded"]}},
        {"webhook": {"url": "https://hooks.example/", "subscriptions": []}},
        {"webhook": {"url": "https://hooks.example/", "subscriptions": "message_created"}},
        {"webhook": {"url": "https://hooks.example/", "secret": "x"}},
        {"webhook": {"url": "https://hooks.example/"}, "url": "https://other.example/"},
        {"webhook": {}},
        {"subscriptions": ["message_created"]},
        {"webhook": "https://hooks.example/"},
    ],
)
def test_bad_webhooks_are_refused_and_store_nothing(workspace, body):
    r = workspace.admin.api.post(f"{workspace.path}/webhooks", json=body)
    assert r.status_code in (400, 422), r.text
    assert set(r.json()["error"]) == {"code", "message"}
    assert listed(workspace, "webhooks") == {"payload": {"webhooks": []}}


def test_another_accounts_settings_are_not_found(workspace):
    other = other_workspace(workspace)
    o = other.admin.api
    label = o.post(f"{other.path}/labels", json={"title": "theirs"}).json()
    canned = o.post(f"{other.path}/canned_responses", json={"short_code": "theirs", "content": "x"}).json()
    hook = o.post(f"{other.path}/webhooks", json={"url": "https://theirs.example/"}).json()["payload"]["webhook"]
    hook.pop("secret")
    api, path = workspace.admin.api, workspace.path
    for response in [
        api.get(f"{path}/labels/{label['id']}"),
        api.delete(f"{path}/labels/{label['id']}"),
        api.patch(f"{path}/canned_responses/{canned['id']}", json={"content": "mine"}),
        api.delete(f"{path}/canned_responses/{canned['id']}"),
        api.patch(f"{path}/webhooks/{hook['id']}", json={"url": "https://mine.example/"}),
        api.delete(f"{path}/webhooks/{hook['id']}"),
        api.get(f"{other.path}/labels"),
        api.get(f"{other.path}/audit_logs"),
    ]:
        assert response.status_code == 404, response.text
    assert o.get(f"{other.path}/labels").json()["payload"] == [label]
    assert o.get(f"{other.path}/canned_responses").json() == [canned]
    assert o.get(f"{other.path}/webhooks").json()["payload"]["webhooks"] == [hook]
    assert listed(workspace, "labels")["payload"] == []


# MARK: Audit logs


def test_audit_logs_page_the_administrative_trail(workspace):
    api, path = workspace.admin.api, workspace.path
    inbox = api.post(f"{path}/inboxes", json={"name": "Audited", "channel": {"type": "api"}}).json()
    hook = api.post(f"{path}/webhooks", json={"url": "https://hooks.example/"}).json()["payload"]["webhook"]
    r = api.get(f"{path}/audit_logs")
    assert r.status_code == 200, r.text
    logs = r.json()
    assert (logs["per_page"], logs["current_page"]) == (15, 1)
    # account created, admin added, inbox created, webhook saved
    assert logs["total_entries"] == 4
    newest = logs["audit_logs"][0]
    assert set(newest) == {
        "id", "auditable_id", "auditable_type", "action", "user_id", "user_type", "username", "created_at", "remote_address",
        "audited_changes"}
    assert (newest["auditable_type"], newest["auditable_id"], newest["action"]) == ("Webhook", hook["id"], "webhook.saved")
    assert (newest["user_id"], newest["username"], newest["audited_changes"]) == (workspace.admin.id, workspace.admin.email, {})
    assert (logs["audit_logs"][1]["auditable_type"], logs["audit_logs"][1]["auditable_id"]) == ("Inbox", inbox["id"])
    assert logs["audit_logs"][-1]["action"] == "account.created"
    assert logs["audit_logs"][-1]["user_id"] is None
    for n in range(12):
        api.post(f"{path}/labels", json={"title": f"label-{n}"})
    second = api.get(f"{path}/audit_logs", params={"page": 2}).json()
    assert (second["total_entries"], second["current_page"], len(second["audit_logs"])) == (16, 2, 1)
    assert second["audit_logs"][0]["action"] == "account.created"
    for page in ["0", "-1", "x", "1000000"]:
        assert api.get(f"{path}/audit_logs", params={"page": page}).status_code == 400
    agent = workspace.new_user("agent")
    assert agent.api.get(f"{path}/audit_logs").status_code == 403
