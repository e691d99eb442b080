"""Agents and teams through the official SDK: administrators invite, change and
remove agents and create teams and set their members; agents only read;
other accounts' ids are 404; no response shows anyone's token; bad input
stores nothing."""

import pytest
from chatwoot.exceptions import ChatwootNotFoundError, ChatwootPermissionError

from conftest import Workspace, sdk, other_workspace


def agent_ids(workspace: Workspace) -> list[int]:
    r = workspace.admin.api.get(f"{workspace.path}/agents")
    assert r.status_code == 200, r.text
    return sorted(agent["id"] for agent in r.json())


def team_ids(workspace: Workspace) -> list[int]:
    r = workspace.admin.api.get(f"{workspace.path}/teams")
    assert r.status_code == 200, r.text
    return [team["id"] for team in r.json()]


# MARK: Agents


def test_sdk_lists_agents_by_name_in_chatwoots_shape(workspace):
    zed, amy = workspace.new_user("agent", name="Zed"), workspace.new_user("agent", name="amy")
    agents = sdk(workspace, zed).agents.list(workspace.account_id)
    assert [(a.id, a.name, a.role.value) for a in agents] == [
        (workspace.admin.id, "Admin", "administrator"), (amy.id, "amy", "agent"), (zed.id, "Zed", "agent")]
    assert all(a.account_id == workspace.account_id and a.availability_status.value == "offline" for a in agents)
    raw = zed.api.get(f"{workspace.path}/agents").json()
    assert set(raw[0]) == {
        "id", "account_id", "availability_status", "auto_offline", "confirmed", "email", "provider", "available_name", "name",
        "role", "thumbnail"}
    assert raw[1]["email"] == amy.email


def test_sdk_invites_an_agent_without_showing_a_token(workspace):
    client = sdk(workspace)
    agent = client.agents.add(workspace.account_id, name="New Person", email="new.person@example.com", role="agent")
    assert (agent.name, agent.email, agent.role.value, agent.account_id) == ("New Person", "new.person@example.com", "agent", workspace.account_id)
    assert agent.id in agent_ids(workspace)
    r = workspace.admin.api.post(f"{workspace.path}/agents", json={"name": "Boss", "email": "boss@example.com", "role": "administrator"})
    assert r.status_code == 200, r.text
    assert "access_token" not in r.json()
    assert r.json()["role"] == "administrator"
    # Someone already a member is a conflict; a user of another account joins this one.
    r = workspace.admin.api.post(f"{workspace.path}/agents", json={"name": "Again", "email": "NEW.person@example.com", "role": "agent"})
    assert r.status_code == 409
    other = other_workspace(workspace)
    outsider = other.new_user("agent", name="Outsider")
    joined = client.agents.add(workspace.account_id, name="Ignored", email=outsider.email, role="agent")
    assert (joined.id, joined.name) == (outsider.id, "Outsider")
    assert outsider.id in [a["id"] for a in outsider.api.get(f"{workspace.path}/agents").json()]
    assert outsider.api.get(f"{workspace.path}").json()["id"] == workspace.account_id


def test_sdk_changes_roles_and_removes_agents(workspace):
    agent = workspace.new_user("agent", name="Pat")
    client = sdk(workspace)
    promoted = client.agents.update(workspace.account_id, agent.id, role="administrator")
    assert promoted.role.value == "administrator"
    assert agent.api.get(f"{workspace.path}/webhooks").status_code == 200
    client.agents.remove(workspace.account_id, agent.id)
    assert agent.id not in agent_ids(workspace)
    assert agent.api.get(f"{workspace.path}/agents").status_code == 404
    r = workspace.admin.api.delete(f"{workspace.path}/agents/{agent.id}")
    assert r.status_code == 404


def test_availability_is_set_only_for_oneself(workspace):
    agent = workspace.new_user("agent")
    api = workspace.admin.api
    r = api.patch(f"{workspace.path}/agents/{agent.id}", json={"availability": "busy"})
    assert r.status_code == 422
    r = api.patch(f"{workspace.path}/agents/{workspace.admin.id}", json={"availability": "busy"})
    assert r.status_code == 200, r.text
    assert r.json()["availability_status"] == "busy"
    statuses = {a["id"]: a["availability_status"] for a in api.get(f"{workspace.path}/agents").json()}
    assert statuses == {workspace.admin.id: "busy", agent.id: "offline"}


def test_agents_cannot_manage_agents(workspace):
    agent, other = workspace.new_user("agent"), workspace.new_user("agent")
    client = sdk(workspace, agent)
    before = agent_ids(workspace)
    with pytest.raises(ChatwootPermissionError):
        client.agents.add(workspace.account_id, name="Mine", email="mine@example.com", role="administrator")
    with pytest.raises(ChatwootPermissionError):
        client.agents.update(workspace.account_id, agent.id, role="administrator")
    with pytest.raises(ChatwootPermissionError):
        client.agents.remove(workspace.account_id, other.id)
    assert agent_ids(workspace) == before
    roles = {a["id"]: a["role"] for a in workspace.admin.api.get(f"{workspace.path}/agents").json()}
    assert roles[agent.id] == "agent"


def test_another_accounts_agents_are_not_found(workspace):
    other = other_workspace(workspace)
    outsider = other.new_user("agent")
    api = workspace.admin.api
    for response in [
        api.patch(f"{workspace.path}/agents/{outsider.id}", json={"role": "administrator"}),
        api.delete(f"{workspace.path}/agents/{outsider.id}"),
        api.get(f"/api/v1/accounts/{other.account_id}/agents"),
    ]:
        assert response.status_code == 404, response.text
    assert outsider.id in agent_ids(other)


@pytest.mark.parametrize(
    "body, status",
    [
        ({"name": "A", "email": "a@example.com", "role": "owner"}, 400),
        ({"name": "A", "role": "agent"}, 400),
        ({"email": "a@example.com"}, 400),
        ({"name": "A", "email": "not-an-email", "role": "agent"}, 422),
        ({"name": "x" * 256, "email": "a@example.com", "role": "agent"}, 422),
        ({"name": "A", "email": "a@example.com", "role": "agent", "password": "x"}, 400),
        ({"name": "A", "email": "a@example.com", "role": "agent", "availability": "online"}, 400),
        ({"name": ["A"], "email": "a@example.com"}, 400),
    ],
)
def test_bad_agent_input_is_refused_and_stores_nothing(workspace, body, status):
    before = agent_ids(workspace)
    r = workspace.admin.api.post(f"{workspace.path}/agents", json=body)
    assert r.status_code == status, r.text
    assert set(r.json()["error"]) == {"code", "message"}
    assert agent_ids(workspace) == before


def test_bad_agent_updates_are_refused(workspace):
    agent = workspace.new_user("agent", name="Quinn")
    path = f"{workspace.path}/agents/{agent.id}"
    for body, status in [({"role": "owner"}, 400), ({"availability": "away"}, 400), ({"name": "Renamed"}, 422), ({"email": "x@example.com"}, 400)]:
        r = workspace.admin.api.patch(path, json=body)
        assert r.status_code == status, (body, r.text)
    agent_json = next(a for a in workspace.admin.api.get(f"{workspace.path}/agents").json() if a["id"] == agent.id)
    assert (agent_json["name"], agent_json["role"], agent_json["availability_status"]) == ("Quinn", "agent", "offline")


# MARK: Teams


def test_sdk_creates_lists_and_gets_teams(workspace):
    client = sdk(workspace)
    team = client.teams.create(workspace.account_id, name="Billing", description="Invoices and refunds")
    assert (team.name, team.description, team.account_id, team.allow_auto_assign, team.is_member) == (
        "Billing", "Invoices and refunds", workspace.account_id, True, False)
    assert [t.id for t in client.teams.list(workspace.account_id)] == [team.id]
    assert client.teams.get(workspace.account_id, team.id).name == "Billing"
    agent = workspace.new_user("agent")
    assert [t.name for t in sdk(workspace, agent).teams.list(workspace.account_id)] == ["Billing"]


def test_sdk_adds_and_removes_team_members(workspace):
    client = sdk(workspace)
    team = client.teams.create(workspace.account_id, name="Sales")
    ann, bob = workspace.new_user("agent", name="Ann"), workspace.new_user("agent", name="Bob")
    client.teams.agents.add(workspace.account_id, team.id, [ann.id, bob.id])
    assert sorted(a.id for a in client.teams.agents.list(workspace.account_id, team.id)) == sorted([ann.id, bob.id])
    assert sdk(workspace, ann).teams.get(workspace.account_id, team.id).is_member is True
    client.teams.agents.remove(workspace.account_id, team.id, [ann.id])
    assert [a.id for a in client.teams.agents.list(workspace.account_id, team.id)] == [bob.id]
    assert sdk(workspace, ann).teams.get(workspace.account_id, team.id).is_member is False
    # POST and PATCH answer with the agents named; PATCH replaces the set.
    path = f"{workspace.path}/teams/{team.id}/team_members"
    r = workspace.admin.api.post(path, json={"user_ids": [ann.id]})
    assert [a["id"] for a in r.json()] == [ann.id]
    r = workspace.admin.api.patch(path, json={"user_ids": [workspace.admin.id]})
    assert r.status_code == 200, r.text
    assert [a["id"] for a in r.json()] == [workspace.admin.id]
    assert [a["id"] for a in workspace.admin.api.get(path).json()] == [workspace.admin.id]


def test_teams_are_not_renamed_or_deleted(workspace):
    client = sdk(workspace)
    team = client.teams.create(workspace.account_id, name="Support")
    with pytest.raises(ChatwootNotFoundError):
        client.teams.update(workspace.account_id, team.id, name="Renamed")
    r = workspace.admin.api.delete(f"{workspace.path}/teams/{team.id}")
    assert r.status_code == 404
    assert r.json()["error"]["code"] == "route_not_found"
    assert client.teams.get(workspace.account_id, team.id).name == "Support"


def test_agents_cannot_change_teams(workspace):
    team = sdk(workspace).teams.create(workspace.account_id, name="Ops")
    agent = workspace.new_user("agent")
    client = sdk(workspace, agent)
    with pytest.raises(ChatwootPermissionError):
        client.teams.create(workspace.account_id, name="Mine")
    with pytest.raises(ChatwootPermissionError):
        client.teams.agents.add(workspace.account_id, team.id, [agent.id])
    r = agent.api.patch(f"{workspace.path}/teams/{team.id}/team_members", json={"user_ids": [agent.id]})
    assert r.status_code == 403
    assert team_ids(workspace) == [team.id]
    assert workspace.admin.api.get(f"{workspace.path}/teams/{team.id}/team_members").json() == []


def test_another_accounts_teams_and_users_are_not_found(workspace):
    other = other_workspace(workspace)
    foreign = sdk(other).teams.create(other.account_id, name="Foreign")
    outsider = other.new_user("agent")
    mine = sdk(workspace).teams.create(workspace.account_id, name="Mine")
    api, path = workspace.admin.api, workspace.path
    for response in [
        api.get(f"{path}/teams/{foreign.id}"),
        api.get(f"{path}/teams/{foreign.id}/team_members"),
        api.post(f"{path}/teams/{foreign.id}/team_members", json={"user_ids": [workspace.admin.id]}),
        api.post(f"{path}/teams/{mine.id}/team_members", json={"user_ids": [outsider.id]}),
    ]:
        assert response.status_code == 404, response.text
    assert api.get(f"{path}/teams/{mine.id}/team_members").json() == []
    assert other.admin.api.get(f"{other.path}/teams/{foreign.id}/team_members").json() == []


@pytest.mark.parametrize(
    "body, status",
    [
        ({}, 400),
        ({"name": ""}, 422),
        ({"name": "x" * 256}, 422),
        ({"name": "Team", "description": "d" * 256}, 422),
        ({"name": "Team", "allow_auto_assign": False}, 422),
        ({"name": "Team", "color": "red"}, 400),
        ({"name": 3}, 400),
        ({"name": "existing"}, 409),
    ],
)
def test_bad_team_input_is_refused_and_stores_nothing(workspace, body, status):
    sdk(workspace).teams.create(workspace.account_id, name="Existing")
    before = team_ids(workspace)
    r = workspace.admin.api.post(f"{workspace.path}/teams", json=body)
    assert r.status_code == status, r.text
    assert set(r.json()["error"]) == {"code", "message"}
    assert team_ids(workspace) == before
