"""Reports (`/api/v2/accounts/{id}/reports` and `/reports/summary`): Chatwoot's
metrics over conversations and messages made through the API, per account,
agent, inbox, team and label; administrators only; bad parameters are 400s."""

import time

import pytest

from conftest import Api, Workspace, sdk

SUMMARY_KEYS = [
    "conversations_count", "incoming_messages_count", "outgoing_messages_count", "avg_first_response_time",
    "avg_resolution_time", "resolutions_count", "reply_time",
]


def make_inbox(ws, name) -> dict:
    r = ws.admin.api.post(f"{ws.path}/inboxes", json={"name": name, "channel": {"type": "api"}})
    assert r.status_code == 200, r.text
    return r.json()


class Visitor:
    """A contact writing through the Public API."""

    def __init__(self, ws, inbox, name):
        self.api = Api(ws.server.base_url, None)
        base = f"/public/api/v1/inboxes/{inbox['inbox_identifier']}"
        contact = self.api.post(f"{base}/contacts", json={"name": name}).json()
        self.path = f"{base}/contacts/{contact['source_id']}/conversations"

    def start(self) -> int:
        return self.api.post(self.path, json={}).json()["id"]

    def say(self, conversation, content):
        r = self.api.post(f"{self.path}/{conversation}/messages", json={"content": content})
        assert r.status_code == 200, r.text


@pytest.fixture
def activity(workspace):
    """Two inboxes; in the first, a labelled conversation of a team that an
    agent answers and resolves; in the second, one unanswered conversation."""
    admin = sdk(workspace)
    first, second = make_inbox(workspace, "First"), make_inbox(workspace, "Second")
    agent = workspace.new_user("agent", name="Replier")
    admin.inboxes.agents.add(workspace.account_id, first["id"], [agent.id])
    label = workspace.admin.api.post(f"{workspace.path}/labels", json={"title": "vip"}).json()
    team = admin.teams.create(workspace.account_id, name="Tier 1")

    answered_by = Visitor(workspace, first, "Answered")
    answered = answered_by.start()
    admin.conversations.labels.add(workspace.account_id, answered, ["vip"])
    r = workspace.admin.api.post(f"{workspace.path}/conversations/{answered}/assignments", json={"team_id": team.id})
    assert r.status_code == 200, r.text
    answered_by.say(answered, "hello")
    answered_by.say(answered, "anyone there?")
    replier = sdk(workspace, agent)
    replier.messages.create(workspace.account_id, answered, content="note to self", private=True)
    replier.messages.create(workspace.account_id, answered, content="Here to help")
    replier.conversations.toggle_status(workspace.account_id, answered, status="resolved")

    waiting_by = Visitor(workspace, second, "Waiting")
    waiting_by.say(waiting_by.start(), "hello?")
    now = int(time.time())
    return {
        "ws": workspace, "first": first, "second": second, "agent": agent, "label": label, "team": team,
        "since": now - 86400, "until": now + 86400,
    }


def series(ws, metric, type_="account", id_=None, since=None, until=None, **params) -> list:
    query = {"metric": metric, "type": type_, "since": since, "until": until, **params}
    if id_ is not None:
        query["id"] = id_
    r = ws.admin.api.get(f"/api/v2/accounts/{ws.account_id}/reports", params=query)
    assert r.status_code == 200, r.text
    return r.json()


def total(points) -> int:
    return sum(p["value"] for p in points)


def test_account_series_count_what_happened(activity):
    ws, since, until = activity["ws"], activity["since"], activity["until"]
    expected = {
        "conversations_count": 2, "incoming_messages_count": 3, "outgoing_messages_count": 1, "resolutions_count": 1,
    }
    for metric, count in expected.items():
        points = series(ws, metric, since=since, until=until, group_by="hour")
        assert len(points) in (48, 49)
        assert all(set(p) == {"value", "timestamp", "count"} and p["timestamp"] % 3600 == 0 for p in points)
        assert [p["timestamp"] for p in points] == sorted(p["timestamp"] for p in points)
        assert total(points) == count, metric
        assert sum(p["count"] for p in points) == count
        assert all(isinstance(p["value"], int) for p in points)
    for metric in ("avg_first_response_time", "reply_time", "avg_resolution_time"):
        points = series(ws, metric, since=since, until=until)
        assert sum(p["count"] for p in points) == 1, metric
        assert all(p["value"] >= 0 for p in points)


def test_series_per_inbox_agent_team_and_label(activity):
    ws, window = activity["ws"], {"since": activity["since"], "until": activity["until"]}
    first, second = activity["first"]["id"], activity["second"]["id"]
    assert total(series(ws, "conversations_count", "inbox", first, **window)) == 1
    assert total(series(ws, "incoming_messages_count", "inbox", first, **window)) == 2
    assert total(series(ws, "incoming_messages_count", "inbox", second, **window)) == 1
    assert total(series(ws, "outgoing_messages_count", "inbox", second, **window)) == 0
    agent = activity["agent"].id
    assert total(series(ws, "outgoing_messages_count", "agent", agent, **window)) == 1
    assert sum(p["count"] for p in series(ws, "avg_first_response_time", "agent", agent, **window)) == 1
    assert total(series(ws, "outgoing_messages_count", "agent", ws.admin.id, **window)) == 0
    assert total(series(ws, "incoming_messages_count", "label", activity["label"]["id"], **window)) == 2
    assert total(series(ws, "resolutions_count", "team", activity["team"].id, **window)) == 1


def test_buckets_follow_the_timezone_offset(activity):
    ws = activity["ws"]
    points = series(
        ws, "incoming_messages_count", since=activity["since"], until=activity["until"], group_by="day", timezone_offset="5.5"
    )
    assert all((p["timestamp"] + 19800) % 86400 == 0 for p in points)
    assert total(points) == 3
    weeks = series(ws, "incoming_messages_count", since=activity["since"], until=activity["until"], group_by="week")
    assert total(weeks) == 3 and len(weeks) in (1, 2)


def test_summary_has_chatwoots_shape(activity):
    ws = activity["ws"]
    r = ws.admin.api.get(
        f"/api/v2/accounts/{ws.account_id}/reports/summary",
        params={"type": "account", "since": activity["since"], "until": activity["until"]},
    )
    assert r.status_code == 200, r.text
    summary = r.json()
    assert list(summary) == SUMMARY_KEYS + ["previous"]
    assert list(summary["previous"]) == SUMMARY_KEYS
    counts = {k: summary[k] for k in SUMMARY_KEYS if k.endswith("_count")}
    assert counts == {
        "conversations_count": 2, "incoming_messages_count": 3, "outgoing_messages_count": 1, "resolutions_count": 1,
    }
    assert all(summary["previous"][k] == 0 for k in SUMMARY_KEYS)
    assert all(summary[k] >= 0 for k in ("avg_first_response_time", "avg_resolution_time", "reply_time"))
    r = ws.admin.api.get(
        f"/api/v2/accounts/{ws.account_id}/reports/summary",
        params={"type": "inbox", "id": activity["second"]["id"], "since": activity["since"], "until": activity["until"]},
    )
    assert (r.json()["conversations_count"], r.json()["resolutions_count"]) == (1, 0)


def test_only_administrators_read_reports(activity, platform):
    ws = activity["ws"]
    query = {"metric": "conversations_count", "type": "account", "since": activity["since"], "until": activity["until"]}
    for path in (f"/api/v2/accounts/{ws.account_id}/reports", f"/api/v2/accounts/{ws.account_id}/reports/summary"):
        r = activity["agent"].api.get(path, params=query)
        assert r.status_code == 403, r.text
        assert r.json()["error"]["code"] == "forbidden"
        assert Api(ws.server.base_url, None).get(path, params=query).status_code == 401

    r = platform.post("/platform/api/v1/accounts", json={"name": "Other"})
    other = Workspace(ws.server, r.json()["id"], None, platform)  # type: ignore[arg-type]
    other.admin = other.new_user("administrator")
    assert other.admin.api.get(f"/api/v2/accounts/{ws.account_id}/reports", params=query).status_code == 404
    # This account's inbox, agent, team and label are unknown to the other account.
    for type_, id_ in [
        ("inbox", activity["first"]["id"]), ("agent", activity["agent"].id), ("team", activity["team"].id),
        ("label", activity["label"]["id"]),
    ]:
        r = other.admin.api.get(f"/api/v2/accounts/{other.account_id}/reports", params={**query, "type": type_, "id": id_})
        assert r.status_code == 404, (type_, r.text)
        assert r.json()["error"]["code"] == "not_found"
    assert total(series(other, "conversations_count", since=activity["since"], until=activity["until"])) == 0


def test_report_bad_parameters_are_400(workspace):
    inbox = make_inbox(workspace, "Any")
    good = {"metric": "conversations_count", "type": "account", "since": 1_700_000_000, "until": 1_700_086_400}
    cases = [
        ({"metric": None}, "missing_field"),
        ({"metric": "happiness"}, "invalid_argument"),
        ({"type": None}, "missing_field"),
        ({"type": "planet"}, "invalid_argument"),
        ({"type": "inbox"}, "missing_field"),
        ({"type": "inbox", "id": "abc"}, "invalid_argument"),
        ({"type": "inbox", "id": "-1"}, "invalid_argument"),
        ({"since": None}, "missing_field"),
        ({"until": None}, "missing_field"),
        ({"since": "yesterday"}, "invalid_argument"),
        ({"since": -5}, "invalid_argument"),
        ({"since": 1_700_086_401}, "invalid_argument"),
        ({"until": 10**13}, "invalid_argument"),
        ({"group_by": "year"}, "invalid_argument"),
        ({"timezone_offset": "abc"}, "invalid_argument"),
        ({"timezone_offset": "15"}, "invalid_argument"),
        ({"timezone_offset": "nan"}, "invalid_argument"),
        ({"business_hours": "true"}, "invalid_argument"),
        ({"since": 0, "until": 253_402_300_799, "group_by": "hour"}, "too_many_buckets"),
    ]
    for change, code in cases:
        params = {k: v for k, v in {**good, **change}.items() if v is not None}
        r = workspace.admin.api.get(f"/api/v2/accounts/{workspace.account_id}/reports", params=params)
        assert r.status_code == 400, (change, r.text)
        assert r.json()["error"]["code"] == code, (change, r.text)
    r = workspace.admin.api.get(
        f"/api/v2/accounts/{workspace.account_id}/reports", params={**good, "type": "inbox", "id": inbox["id"]}
    )
    assert r.status_code == 200 and len(r.json()) == 2
    assert workspace.admin.api.get(
        f"/api/v2/accounts/{workspace.account_id}/reports/summary", params={"type": "account", "since": 5, "until": 1}
    ).status_code == 400
    assert workspace.admin.api.get(
        f"/api/v2/accounts/{workspace.account_id}/reports", params={**good, "business_hours": "false"}
    ).status_code == 200
