"""An API inbox's callback URL (`channel.webhook_url`) delivers the inbox's
events, as Chatwoot's does: an inbox-scoped webhook sent every conversation
and message event of ITS inbox (never another inbox's, never a contact's),
signed with the secret the inbox shows its administrators; it moves with the
URL, stops when the URL is cleared, and is paused, resumed and watched
through the webhooks API like any webhook. Bad URLs are 422s."""

import re

import pytest

from conftest import Api, Workspace, other_workspace, sdk
from test_conversations import assert_error, make_contact, make_inbox
from webhook_receiver import Receiver, eventually

HEX48 = re.compile(r"^[0-9a-f]{48}$")
CALLBACK_EVENTS = [
    "conversation_created", "conversation_status_changed", "conversation_typing_off", "conversation_typing_on",
    "conversation_updated", "message_created", "message_updated",
]


@pytest.fixture
def receivers():
    made: list[Receiver] = []

    def make() -> Receiver:
        made.append(Receiver())
        return made[-1]

    yield make
    for receiver in made:
        receiver.close()


def raw_inbox(ws: Workspace, inbox: int) -> dict:
    r = ws.admin.api.get(f"{ws.path}/inboxes/{inbox}")
    assert r.status_code == 200, r.text
    return r.json()


def webhooks(ws: Workspace) -> list[dict]:
    r = ws.admin.api.get(f"{ws.path}/webhooks")
    assert r.status_code == 200, r.text
    return r.json()["payload"]["webhooks"]


def callback_hook(ws: Workspace, inbox: int) -> dict:
    [hook] = [w for w in webhooks(ws) if w.get("inbox", {}).get("id") == inbox]
    return hook


def deliveries(ws: Workspace, hook_id: int) -> dict:
    r = ws.admin.api.get(f"{ws.path}/webhooks/{hook_id}/deliveries")
    assert r.status_code == 200, r.text
    return r.json()


def caught_up(ws: Workspace, hook_id: int) -> dict:
    """Waits until the webhook has dealt with every event in the log (sent it
    or passed it as not its own), then returns its status."""
    return eventually(lambda: (s := deliveries(ws, hook_id))["cursor"] == s["head"] and s["in_flight"] == 0 and s)


def conversation_in(ws: Workspace, inbox: int, name: str) -> int:
    contact, source = make_contact(ws, inbox, name=name)
    created = sdk(ws).conversations.create(ws.account_id, source_id=source, inbox_id=inbox, contact_id=contact)
    return created.id


def say(ws: Workspace, conversation: int, content: str) -> int:
    return sdk(ws).messages.create(ws.account_id, conversation, content=content).id


def test_an_api_inbox_callback_gets_its_own_inbox_events_signed(workspace, receivers):
    receiver = receivers()
    client = sdk(workspace)
    inbox = client.inboxes.create(workspace.account_id, name="CRM", channel_type="api", webhook_url=receiver.url)
    assert inbox.webhook_url == receiver.url
    assert client.inboxes.get(workspace.account_id, inbox.id).webhook_url == receiver.url
    secret = raw_inbox(workspace, inbox.id)["secret"]
    assert HEX48.match(secret)
    other = make_inbox(workspace, "Elsewhere")
    assert raw_inbox(workspace, other)["webhook_url"] is None

    elsewhere = conversation_in(workspace, other, "Olga Other")
    say(workspace, elsewhere, "not for the callback")
    mine = conversation_in(workspace, inbox.id, "Mia Mine")
    message = say(workspace, mine, "hello from CRM")
    client.conversations.toggle_status(workspace.account_id, mine, "resolved")
    hook = callback_hook(workspace, inbox.id)
    state = caught_up(workspace, hook["id"])

    got = receiver.delivered()
    # Resolving adds an activity message, which Chatwoot sends as message_created too.
    assert [a.event for a in got] == ["conversation_created", "message_created", "conversation_status_changed", "message_created"]
    assert state["delivered"] == 4 and state["failures"] == 0
    assert all(a.signed_with(secret) for a in got)
    assert not any(a.signed_with("0" * 48) for a in got)
    assert [a.json["id"] for a in got[:3]] == [mine, message, mine]
    assert got[3].json["message_type"] == 2 and got[3].json["conversation"]["id"] == mine
    created = got[1].json
    assert created["content"] == "hello from CRM"
    assert created["inbox"] == {"id": inbox.id, "name": "CRM"}
    assert created["conversation"]["inbox_id"] == inbox.id
    assert got[2].json["changed_attributes"] == [{"status": {"previous_value": "open", "current_value": "resolved"}}]
    # Two contacts were created meanwhile: contact events belong to no inbox.
    assert not any(a.event.startswith("contact") for a in receiver.all())
    assert "not for the callback" not in str([a.json for a in receiver.all()])


def test_the_callback_is_listed_as_an_inbox_webhook_and_paused_and_resumed_like_one(workspace, receivers):
    receiver = receivers()
    r = workspace.admin.api.post(
        f"{workspace.path}/inboxes", json={"name": "CRM", "channel": {"type": "api", "webhook_url": receiver.url}})
    assert r.status_code == 200, r.text
    inbox = r.json()["id"]
    account_hook = workspace.admin.api.post(f"{workspace.path}/webhooks", json={"url": "https://hooks.example/all"})
    assert account_hook.status_code == 200, account_hook.text
    listed = webhooks(workspace)
    hook = callback_hook(workspace, inbox)
    assert hook == {
        "id": hook["id"], "name": None, "url": receiver.url, "account_id": workspace.account_id,
        "subscriptions": CALLBACK_EVENTS, "webhook_type": "inbox_type", "inbox": {"id": inbox, "name": "CRM"}}
    [account] = [w for w in listed if w["id"] != hook["id"]]
    assert account["webhook_type"] == "account_type" and "inbox" not in account

    conversation = conversation_in(workspace, inbox, "Pia Paused")
    caught_up(workspace, hook["id"])
    paused = workspace.admin.api.post(f"{workspace.path}/webhooks/{hook['id']}/pause", json={"reason": "maintenance"})
    assert paused.status_code == 200, paused.text
    assert paused.json()["state"] == "paused" and paused.json()["running"] is False
    say(workspace, conversation, "while paused")
    held = deliveries(workspace, hook["id"])
    assert held["state"] == "paused" and held["reason"] == "maintenance" and held["backlog"] > 0
    assert "message_created" not in [a.event for a in receiver.all()]

    resumed = workspace.admin.api.post(f"{workspace.path}/webhooks/{hook['id']}/resume", json={})
    assert resumed.status_code == 200, resumed.text
    assert resumed.json()["state"] == "active"
    eventually(lambda: [a.json.get("content") for a in receiver.delivered() if a.event == "message_created"] == ["while paused"])

    # The callback changes with its inbox only.
    edit = workspace.admin.api.patch(f"{workspace.path}/webhooks/{hook['id']}", json={"url": "https://evil.example/"})
    assert_error(edit, 422, "invalid_argument")
    assert f"inbox {inbox}" in edit.json()["error"]["message"] and "webhook_url" in edit.json()["error"]["message"]
    assert_error(workspace.admin.api.delete(f"{workspace.path}/webhooks/{hook['id']}"), 422, "invalid_argument")
    assert callback_hook(workspace, inbox)["url"] == receiver.url


def test_changing_the_url_moves_deliveries_and_clearing_it_stops_them(workspace, receivers):
    first, second, watcher = receivers(), receivers(), receivers()
    client = sdk(workspace)
    inbox = client.inboxes.create(workspace.account_id, name="CRM", channel_type="api", webhook_url=first.url).id
    secret = raw_inbox(workspace, inbox)["secret"]
    hook = callback_hook(workspace, inbox)
    conversation = conversation_in(workspace, inbox, "Max Moved")
    say(workspace, conversation, "one")
    caught_up(workspace, hook["id"])

    moved = client.inboxes.update(workspace.account_id, inbox, channel={"webhook_url": second.url})
    assert moved.webhook_url == second.url
    assert raw_inbox(workspace, inbox)["secret"] == secret
    assert callback_hook(workspace, inbox)["id"] == hook["id"]
    say(workspace, conversation, "two")
    caught_up(workspace, hook["id"])
    assert [a.json["content"] for a in first.delivered() if a.event == "message_created"] == ["one"]
    assert [a.json["content"] for a in second.delivered() if a.event == "message_created"] == ["two"]
    assert all(a.signed_with(secret) for a in second.delivered())

    cleared = client.inboxes.update(workspace.account_id, inbox, channel={"webhook_url": ""})
    assert cleared.webhook_url is None
    assert raw_inbox(workspace, inbox)["secret"] is None
    assert [w for w in webhooks(workspace) if w["webhook_type"] == "inbox_type"] == []
    r = workspace.admin.api.get(f"{workspace.path}/webhooks/{hook['id']}/deliveries")
    assert_error(r, 404, "not_found")
    # An account webhook made after the clearing sees the next message; the old callback does not.
    watch = workspace.admin.api.post(
        f"{workspace.path}/webhooks", json={"url": watcher.url, "subscriptions": ["message_created"]}).json()["payload"]["webhook"]
    say(workspace, conversation, "three")
    caught_up(workspace, watch["id"])
    assert [a.json["content"] for a in watcher.delivered()] == ["three"]
    assert "three" not in str([a.json for a in first.all() + second.all()])

    # A new URL makes a new callback, with a new secret, sent only what follows.
    renewed = client.inboxes.update(workspace.account_id, inbox, channel={"webhook_url": first.url})
    assert renewed.webhook_url == first.url
    again = callback_hook(workspace, inbox)
    assert again["id"] != hook["id"]
    assert raw_inbox(workspace, inbox)["secret"] not in (None, secret)


def test_the_secret_is_for_administrators_and_a_retried_creation_shows_the_same(workspace, receivers):
    receiver = receivers()
    body = {"name": "CRM", "channel": {"type": "api", "webhook_url": receiver.url}}
    headers = {"Idempotency-Key": "callback-inbox-1"}
    first = workspace.admin.api.post(f"{workspace.path}/inboxes", json=body, headers=headers)
    again = workspace.admin.api.post(f"{workspace.path}/inboxes", json=body, headers=headers)
    assert first.status_code == again.status_code == 200, again.text
    assert first.json()["id"] == again.json()["id"]
    assert HEX48.match(first.json()["secret"]) and first.json()["secret"] == again.json()["secret"]
    assert len([w for w in webhooks(workspace) if w["webhook_type"] == "inbox_type"]) == 1

    inbox = first.json()["id"]
    agent = workspace.new_user("agent")
    r = workspace.admin.api.post(f"{workspace.path}/inbox_members", json={"inbox_id": inbox, "user_ids": [agent.id]})
    assert r.status_code == 200, r.text
    seen = agent.api.get(f"{workspace.path}/inboxes/{inbox}").json()
    assert seen["webhook_url"] == receiver.url
    assert "secret" not in seen and "hmac_token" not in seen
    assert all("secret" not in i for i in agent.api.get(f"{workspace.path}/inboxes").json()["payload"])
    widget = workspace.admin.api.post(f"{workspace.path}/inboxes", json={"name": "Site", "channel": {"type": "web_widget"}})
    assert widget.status_code == 200, widget.text
    assert "secret" not in widget.json() and widget.json()["webhook_url"] is None


@pytest.mark.parametrize("url", ["ftp://crm.example/hook", "https://crm.example/a b", "not a url", "https://crm.example/" + "a" * 2100])
def test_bad_callback_urls_are_422_and_change_nothing(workspace, url):
    before = workspace.admin.api.get(f"{workspace.path}/inboxes").json()["payload"]
    r = workspace.admin.api.post(f"{workspace.path}/inboxes", json={"name": "CRM", "channel": {"type": "api", "webhook_url": url}})
    assert_error(r, 422, "invalid_argument")
    assert "webhook_url" in r.json()["error"]["message"]
    assert workspace.admin.api.get(f"{workspace.path}/inboxes").json()["payload"] == before

    inbox = make_inbox(workspace, "Plain")
    r = workspace.admin.api.patch(f"{workspace.path}/inboxes/{inbox}", json={"name": "Renamed", "channel": {"webhook_url": url}})
    assert_error(r, 422, "invalid_argument")
    assert raw_inbox(workspace, inbox)["name"] == "Plain" and raw_inbox(workspace, inbox)["webhook_url"] is None
    assert webhooks(workspace) == []


def test_a_callback_on_a_widget_inbox_or_at_this_server_is_refused(workspace):
    r = workspace.admin.api.post(
        f"{workspace.path}/inboxes",
        json={"name": "Site", "channel": {"type": "web_widget", "webhook_url": "https://crm.example/hook"}})
    assert_error(r, 422, "invalid_argument")
    assert "only an API inbox" in r.json()["error"]["message"]
    widget = workspace.admin.api.post(f"{workspace.path}/inboxes", json={"name": "Site", "channel": {"type": "web_widget"}}).json()
    r = workspace.admin.api.patch(f"{workspace.path}/inboxes/{widget['id']}", json={"channel": {"webhook_url": "https://crm.example/hook"}})
    assert_error(r, 422, "invalid_argument")
    # Clearing a widget's (absent) callback, as Chatwoot clients may, is harmless.
    r = workspace.admin.api.patch(f"{workspace.path}/inboxes/{widget['id']}", json={"channel": {"webhook_url": None}})
    assert r.status_code == 200, r.text

    own = f"{workspace.server.base_url}/hook"
    r = workspace.admin.api.post(f"{workspace.path}/inboxes", json={"name": "Loop", "channel": {"type": "api", "webhook_url": own}})
    assert_error(r, 422, "invalid_argument")
    assert "this Parley server" in r.json()["error"]["message"]
    assert webhooks(workspace) == []


def test_only_the_accounts_administrators_set_a_callback(workspace):
    inbox = make_inbox(workspace, "CRM")
    agent = workspace.new_user("agent")
    r = workspace.admin.api.post(f"{workspace.path}/inbox_members", json={"inbox_id": inbox, "user_ids": [agent.id]})
    assert r.status_code == 200, r.text
    body = {"channel": {"webhook_url": "https://crm.example/hook"}}
    assert_error(agent.api.patch(f"{workspace.path}/inboxes/{inbox}", json=body), 403, "forbidden")
    assert_error(Api(workspace.server.base_url, None).patch(f"{workspace.path}/inboxes/{inbox}", json=body), 401)
    stranger = other_workspace(workspace)
    assert_error(stranger.admin.api.patch(f"{workspace.path}/inboxes/{inbox}", json=body), 404)
    assert_error(stranger.admin.api.patch(f"{stranger.path}/inboxes/{inbox}", json=body), 404, "not_found")
    assert raw_inbox(workspace, inbox)["webhook_url"] is None

    r = workspace.admin.api.patch(f"{workspace.path}/inboxes/{inbox}", json=body)
    assert r.status_code == 200, r.text
    hook = callback_hook(workspace, inbox)
    # Another account's administrator does not find the callback webhook.
    assert_error(stranger.admin.api.get(f"{stranger.path}/webhooks/{hook['id']}/deliveries"), 404, "not_found")
    assert_error(stranger.admin.api.post(f"{stranger.path}/webhooks/{hook['id']}/pause", json={}), 404, "not_found")
    assert webhooks(stranger) == []
