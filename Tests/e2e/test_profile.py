"""The caller's profile through the official SDK, and their availability:
Chatwoot's shape, the token shown to its owner only, Chatwoot's three
availabilities and nothing else."""

import pytest
from chatwoot import ChatwootClient
from chatwoot.exceptions import ChatwootAuthError

from conftest import Api, Workspace, sdk


def availability(workspace: Workspace, agent) -> str:
    return agent.api.get("/api/v1/profile").json()["availability_status"]


def test_sdk_reads_the_callers_profile(workspace):
    profile = sdk(workspace).profile.get()
    assert (profile.id, profile.name, profile.email) == (workspace.admin.id, "Admin", workspace.admin.email)
    assert (profile.account_id, profile.role.value) == (workspace.account_id, "administrator")
    assert [(a.id, a.name, a.role.value) for a in profile.accounts] == [
        (workspace.account_id, workspace.admin.api.get(workspace.path).json()["name"], "administrator")]
    assert profile.availability_status.value == "offline"
    raw = workspace.admin.api.get("/api/v1/profile").json()
    assert raw["access_token"] == workspace.admin.token
    assert raw["accounts"][0]["availability_status"] == "offline"


def test_a_user_in_two_accounts_sees_both_with_their_roles(workspace):
    r = workspace.platform.post("/platform/api/v1/accounts", json={"name": "Second"})
    second = r.json()["id"]
    agent = workspace.new_user("agent")
    r = workspace.platform.post(f"/platform/api/v1/accounts/{second}/account_users", json={"user_id": agent.id, "role": "administrator"})
    assert r.status_code == 200, r.text
    profile = sdk(workspace, agent).profile.get()
    assert [(a.id, a.role.value) for a in profile.accounts] == sorted([(workspace.account_id, "agent"), (second, "administrator")])


def test_no_one_sees_another_users_token(workspace):
    agent = workspace.new_user("agent")
    own = agent.api.get("/api/v1/profile").json()
    assert own["access_token"] == agent.token and own["id"] == agent.id
    for response in [workspace.admin.api.get(f"{workspace.path}/agents"), agent.api.get(f"{workspace.path}/agents")]:
        assert all("access_token" not in a for a in response.json())
        assert agent.token not in response.text and workspace.admin.token not in response.text
    assert workspace.admin.token not in agent.api.get(workspace.path).text


def test_availability_in_every_body_form(workspace):
    agent = workspace.new_user("agent")
    r = agent.api.patch("/api/v1/profile", json={"profile": {"availability": "online"}})
    assert r.status_code == 200, r.text
    assert r.json()["availability_status"] == "online"
    assert r.json()["access_token"] == agent.token
    r = agent.api.put("/api/v1/profile", json={"availability": "busy"})
    assert r.json()["availability_status"] == "busy"
    r = agent.api.post("/api/v1/profile/availability", json={"profile": {"availability": "offline", "account_id": workspace.account_id}})
    assert r.status_code == 200, r.text
    assert r.json()["accounts"][0]["availability"] == "offline"
    agent.api.patch("/api/v1/profile", json={"availability": "online"})
    statuses = {a["id"]: a["availability_status"] for a in workspace.admin.api.get(f"{workspace.path}/agents").json()}
    assert statuses == {workspace.admin.id: "offline", agent.id: "online"}


@pytest.mark.parametrize(
    "body, status",
    [
        ({"availability": "away"}, 400),
        ({"availability": "sleeping"}, 400),
        ({"availability": 1}, 400),
        ({}, 400),
        ({"profile": {"availability": "online", "name": "New name"}}, 400),
        ({"profile": {"availability": "online"}, "availability": "busy"}, 400),
        ({"availability": "online", "account_id": 999999}, 404),
        ({"availability": "online", "account_id": "x"}, 400),
    ],
)
def test_bad_availability_is_refused_and_changes_nothing(workspace, body, status):
    agent = workspace.new_user("agent")
    r = agent.api.patch("/api/v1/profile", json=body)
    assert r.status_code == status, r.text
    assert set(r.json()["error"]) == {"code", "message"}
    assert availability(workspace, agent) == "offline"


def test_availability_is_recorded_only_in_the_callers_accounts(workspace):
    agent = workspace.new_user("agent")
    r = workspace.platform.post("/platform/api/v1/accounts", json={"name": "Not theirs"})
    r = agent.api.patch("/api/v1/profile", json={"availability": "online", "account_id": r.json()["id"]})
    assert r.status_code == 404
    assert availability(workspace, agent) == "offline"


def test_profile_needs_a_valid_token(workspace):
    with pytest.raises(ChatwootAuthError):
        ChatwootClient(base_url=workspace.server.base_url, api_token="not-a-token").profile.get()
    assert Api(workspace.server.base_url, None).get("/api/v1/profile").status_code == 401
    assert Api(workspace.server.base_url, "x" * 600).patch("/api/v1/profile", json={"availability": "online"}).status_code == 401
