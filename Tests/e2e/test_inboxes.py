"""Inboxes and inbox members: Chatwoot's shapes through the official SDK,
administrators only for changes, agents seeing only their own inboxes, HMAC
tokens only for administrators, other accounts' ids as 404, bad input refused
with nothing stored."""

import re

import pytest
from chatwoot.exceptions import ChatwootNotFoundError, ChatwootPermissionError

from conftest import Workspace, sdk, other_workspace

HEX48 = re.compile(r"^[0-9a-f]{48}$")


def create_inbox(workspace: Workspace, name="Support", channel=None, **fields) -> dict:
    r = workspace.admin.api.post(f"{workspace.path}/inboxes", json={"name": name, "channel": channel or {"type": "api"}, **fields})
    assert r.status_code == 200, r.text
    return r.json()


def inbox_ids(workspace: Workspace) -> list[int]:
    r = workspace.admin.api.get(f"{workspace.path}/inboxes")
    assert r.status_code == 200, r.text
    return [inbox["id"] for inbox in r.json()["payload"]]


def test_sdk_creates_an_api_inbox_and_reads_it_back(workspace):
    client = sdk(workspace)
    inbox = client.inboxes.create(workspace.account_id, name="Support", channel_type="api", webhook_url="https://example.com/hook")
    assert inbox.name == "Support"
    assert inbox.channel_type == "Channel::Api"
    assert inbox.channel_id == inbox.id
    assert inbox.greeting_enabled is False
    # Parley turns auto-assignment on only when asked (Chatwoot defaults to on).
    assert inbox.enable_auto_assignment is False
    assert [i.id for i in client.inboxes.list(workspace.account_id)] == [inbox.id]
    assert client.inboxes.get(workspace.account_id, inbox.id).name == "Support"

    raw = workspace.admin.api.get(f"{workspace.path}/inboxes/{inbox.id}").json()
    assert HEX48.match(raw["inbox_identifier"])
    assert HEX48.match(raw["hmac_token"])
    assert raw["inbox_identifier"] != raw["hmac_token"]
    assert raw["account_id"] == workspace.account_id
    assert raw["website_token"] is None
    assert raw["timezone"] == "UTC"
    assert raw["hmac_mandatory"] is False
    assert raw["working_hours"] == []


def test_web_widget_inbox_takes_chatwoot_settings(workspace):
    inbox = create_inbox(
        workspace, "Website",
        channel={"type": "web_widget", "website_url": "https://acme.example", "widget_color": "#123456", "welcome_title": "Hi"},
        greeting_enabled=True, greeting_message="Hello there", working_hours_enabled=True,
        out_of_office_message="We are away", timezone="Europe/Berlin", hmac_mandatory=True,
    )
    assert inbox["channel_type"] == "Channel::WebWidget"
    assert inbox["name"] == "Website"
    assert inbox["greeting_enabled"] is True
    assert inbox["greeting_message"] == "Hello there"
    assert inbox["working_hours_enabled"] is True
    assert inbox["out_of_office_message"] == "We are away"
    assert inbox["timezone"] == "Europe/Berlin"
    assert inbox["hmac_mandatory"] is True
    assert inbox["website_token"] == inbox["inbox_identifier"]
    assert HEX48.match(inbox["hmac_token"])


def test_sdk_updates_an_inbox_keeping_what_it_leaves_out(workspace):
    inbox = create_inbox(workspace, "Support", greeting_message="Welcome", timezone="Asia/Tokyo")
    client = sdk(workspace)
    updated = client.inboxes.update(workspace.account_id, inbox["id"], name="Help desk", greeting_enabled=True)
    assert updated.name == "Help desk"
    assert updated.greeting_enabled is True
    assert updated.greeting_message == "Welcome"
    r = workspace.admin.api.patch(f"{workspace.path}/inboxes/{inbox['id']}", json={"channel": {"hmac_mandatory": True}})
    assert r.status_code == 200, r.text
    after = r.json()
    assert after["hmac_mandatory"] is True
    assert after["timezone"] == "Asia/Tokyo"
    assert after["name"] == "Help desk"
    # The identifier and token never change.
    assert after["inbox_identifier"] == inbox["inbox_identifier"]
    assert after["hmac_token"] == inbox["hmac_token"]


def members(workspace: Workspace, inbox_id: int) -> list[dict]:
    r = workspace.admin.api.get(f"{workspace.path}/inbox_members/{inbox_id}")
    assert r.status_code == 200, r.text
    return r.json()["payload"]


def test_sdk_adds_replaces_and_removes_inbox_members(workspace):
    # The SDK sends Chatwoot's member calls but reads their `{"payload": [...]}`
    # answers as empty (it unwraps `payload` twice), so the answers are read raw.
    inbox = create_inbox(workspace)
    first, second = workspace.new_user("agent", name="Ann"), workspace.new_user("agent", name="Bob")
    client = sdk(workspace)
    client.inboxes.agents.add(workspace.account_id, inbox["id"], [first.id])
    assert [(a["id"], a["name"], a["role"]) for a in members(workspace, inbox["id"])] == [(first.id, "Ann", "agent")]
    client.inboxes.agents.add(workspace.account_id, inbox["id"], [second.id])
    assert [a["id"] for a in members(workspace, inbox["id"])] == sorted([first.id, second.id])
    client.inboxes.agents.update(workspace.account_id, inbox["id"], [second.id, workspace.admin.id])
    assert [a["id"] for a in members(workspace, inbox["id"])] == sorted([second.id, workspace.admin.id])
    client.inboxes.agents.remove(workspace.account_id, inbox["id"], [second.id])
    listed = members(workspace, inbox["id"])
    assert [a["id"] for a in listed] == [workspace.admin.id]
    assert listed[0]["email"] == workspace.admin.email
    assert listed[0]["account_id"] == workspace.account_id
    # POST and PATCH answer with every member, as Chatwoot's do.
    r = workspace.admin.api.post(f"{workspace.path}/inbox_members", json={"inbox_id": inbox["id"], "user_ids": [first.id]})
    assert r.status_code == 200, r.text
    assert [a["id"] for a in r.json()["payload"]] == sorted([workspace.admin.id, first.id])
    r = workspace.admin.api.patch(f"{workspace.path}/inbox_members", json={"inbox_id": inbox["id"], "user_ids": [second.id]})
    assert [a["id"] for a in r.json()["payload"]] == [second.id]
    r = workspace.admin.api.delete(f"{workspace.path}/inbox_members", json={"inbox_id": inbox["id"], "user_ids": [second.id]})
    assert r.status_code == 200
    assert members(workspace, inbox["id"]) == []


def test_agents_see_only_their_inboxes_and_never_the_hmac_token(workspace):
    mine, theirs = create_inbox(workspace, "Mine"), create_inbox(workspace, "Theirs")
    agent = workspace.new_user("agent")
    r = workspace.admin.api.post(f"{workspace.path}/inbox_members", json={"inbox_id": mine["id"], "user_ids": [agent.id]})
    assert r.status_code == 200, r.text
    client = sdk(workspace, agent)
    assert [i.id for i in client.inboxes.list(workspace.account_id)] == [mine["id"]]
    with pytest.raises(ChatwootNotFoundError):
        client.inboxes.get(workspace.account_id, theirs["id"])
    assert agent.api.get(f"{workspace.path}/inbox_members/{theirs['id']}").status_code == 404
    seen = agent.api.get(f"{workspace.path}/inboxes/{mine['id']}").json()
    assert "hmac_token" not in seen
    assert seen["inbox_identifier"] == mine["inbox_identifier"]
    assert all("hmac_token" not in i for i in agent.api.get(f"{workspace.path}/inboxes").json()["payload"])
    assert [a["id"] for a in agent.api.get(f"{workspace.path}/inbox_members/{mine['id']}").json()["payload"]] == [agent.id]


def test_agents_cannot_change_inboxes_or_members(workspace):
    inbox = create_inbox(workspace)
    agent = workspace.new_user("agent")
    workspace.admin.api.post(f"{workspace.path}/inbox_members", json={"inbox_id": inbox["id"], "user_ids": [agent.id]})
    client = sdk(workspace, agent)
    with pytest.raises(ChatwootPermissionError):
        client.inboxes.create(workspace.account_id, name="Sneaky", channel_type="api")
    with pytest.raises(ChatwootPermissionError):
        client.inboxes.update(workspace.account_id, inbox["id"], name="Renamed")
    with pytest.raises(ChatwootPermissionError):
        client.inboxes.agents.update(workspace.account_id, inbox["id"], [agent.id, workspace.admin.id])
    r = agent.api.delete(f"{workspace.path}/inbox_members", json={"inbox_id": inbox["id"], "user_ids": [agent.id]})
    assert r.status_code == 403
    assert r.json()["error"]["code"] == "forbidden"
    assert inbox_ids(workspace) == [inbox["id"]]
    assert workspace.admin.api.get(f"{workspace.path}/inboxes/{inbox['id']}").json()["name"] == "Support"
    assert [m["id"] for m in members(workspace, inbox["id"])] == [agent.id]


def test_another_accounts_inboxes_and_users_are_not_found(workspace):
    other = other_workspace(workspace)
    foreign = create_inbox(other, "Foreign")
    outsider = other.new_user("agent")
    api, path = workspace.admin.api, workspace.path
    for response in [
        api.get(f"{path}/inboxes/{foreign['id']}"),
        api.patch(f"{path}/inboxes/{foreign['id']}", json={"name": "Mine now"}),
        api.get(f"{path}/inbox_members/{foreign['id']}"),
        api.post(f"{path}/inbox_members", json={"inbox_id": foreign["id"], "user_ids": [workspace.admin.id]}),
        api.get(f"/api/v1/accounts/{other.account_id}/inboxes"),
    ]:
        assert response.status_code == 404, response.text
        assert response.json()["error"]["code"] == "not_found"
    mine = create_inbox(workspace)
    r = api.post(f"{path}/inbox_members", json={"inbox_id": mine["id"], "user_ids": [outsider.id]})
    assert r.status_code == 404
    assert other.admin.api.get(f"/api/v1/accounts/{other.account_id}/inboxes/{foreign['id']}").json()["name"] == "Foreign"
    assert workspace.admin.api.get(f"{path}/inbox_members/{mine['id']}").json()["payload"] == []


@pytest.mark.parametrize(
    "body, status",
    [
        ({"name": "X", "channel": {"type": "api"}, "colour": "red"}, 400),
        ({"name": "X", "channel": {"type": "api", "secret": "x"}}, 400),
        ({"name": "X", "channel": {"type": "email"}}, 400),
        ({"name": "X", "channel": {}}, 400),
        ({"name": "X"}, 400),
        ({"channel": {"type": "api"}}, 400),
        ({"name": "", "channel": {"type": "api"}}, 422),
        ({"name": "x" * 256, "channel": {"type": "api"}}, 422),
        ({"name": 5, "channel": {"type": "api"}}, 400),
        ({"name": "X", "channel": "api"}, 400),
        ({"name": "X", "channel": {"type": "api"}, "greeting_enabled": "yes"}, 400),
        ({"name": "X", "channel": {"type": "api"}, "timezone": "Mars/Olympus"}, 400),
    ],
)
def test_bad_inbox_input_is_refused_and_stores_nothing(workspace, body, status):
    before = inbox_ids(workspace)
    r = workspace.admin.api.post(f"{workspace.path}/inboxes", json=body)
    assert r.status_code == status, r.text
    assert set(r.json()["error"]) == {"code", "message"}
    assert inbox_ids(workspace) == before


def test_bad_member_input_is_refused(workspace):
    inbox = create_inbox(workspace)
    api, path = workspace.admin.api, workspace.path
    for body in [
        {"inbox_id": inbox["id"]},
        {"user_ids": [workspace.admin.id]},
        {"inbox_id": inbox["id"], "user_ids": "1"},
        {"inbox_id": inbox["id"], "user_ids": [-1]},
        {"inbox_id": inbox["id"], "user_ids": [workspace.admin.id], "role": "agent"},
    ]:
        r = api.post(f"{path}/inbox_members", json=body)
        assert r.status_code == 400, (body, r.text)
    r = api.post(f"{path}/inbox_members", json={"inbox_id": inbox["id"], "user_ids": [999999]})
    assert r.status_code == 404
    assert api.get(f"{path}/inbox_members/{inbox['id']}").json()["payload"] == []


def test_a_retried_create_returns_the_same_inbox(workspace):
    headers = {"Idempotency-Key": "create-inbox-once"}
    body = {"name": "Once", "channel": {"type": "api"}}
    first = workspace.admin.api.post(f"{workspace.path}/inboxes", json=body, headers=headers).json()
    again = workspace.admin.api.post(f"{workspace.path}/inboxes", json=body, headers=headers).json()
    assert again == first
    assert inbox_ids(workspace) == [first["id"]]
    # The same key in another account makes that account's own inbox.
    other = other_workspace(workspace)
    elsewhere = other.admin.api.post(f"{other.path}/inboxes", json=body, headers=headers).json()
    assert elsewhere["id"] != first["id"]
    assert elsewhere["inbox_identifier"] != first["inbox_identifier"]


def test_unauthenticated_callers_get_401(workspace):
    from conftest import Api

    anonymous = Api(workspace.server.base_url, None)
    assert anonymous.get(f"{workspace.path}/inboxes").status_code == 401
    assert Api(workspace.server.base_url, "nope").post(f"{workspace.path}/inboxes", json={}).status_code == 401
