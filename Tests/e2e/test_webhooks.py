"""Webhook delivery end to end: a real `parley` with short timeouts and
backoffs, and real HTTP receivers on loopback that answer, fail, hang and
recover on command. Checks the exact payloads and signatures, order per
conversation, retries with stable delivery ids, the failing state, pause,
resume, redelivery, the status API, bad URLs, and that nothing is lost
across a restart or a `kill -9`."""

import secrets
import signal

import pytest

from conftest import Api, Server, sdk
from test_conversations import Desk, assert_error, make_contact, make_desk, new_workspace
from test_inbox_callback import callback_hook, conversation_in, say
from webhook_receiver import Receiver, eventually

FAST = {
    "PARLEY_WEBHOOK_RETRY_BASE_MS": "50",
    "PARLEY_WEBHOOK_RETRY_MAX_MS": "200",
    "PARLEY_WEBHOOK_TIMEOUT": "1",
    "PARLEY_WEBHOOK_RETRY_AGE": "3",
}


@pytest.fixture(scope="module")
def hook_server(tmp_path_factory):
    """A server of its own: deliveries time out after 1 s, retries start at
    50 ms, and a webhook is marked failing after 3 s of failures."""
    token = "platform-" + secrets.token_hex(16)
    srv = Server(str(tmp_path_factory.mktemp("parley-webhooks")), token, FAST)
    yield srv
    assert srv.stop() == 0


@pytest.fixture
def receiver():
    r = Receiver()
    yield r
    r.close()


@pytest.fixture
def desk(hook_server) -> Desk:
    ws = new_workspace(hook_server, Api(hook_server.base_url, hook_server.platform_token), "Acme")
    return make_desk(ws)


def add_webhook(desk: Desk, url: str, **body) -> dict:
    r = desk.ws.admin.api.post(f"{desk.ws.path}/webhooks", json={"webhook": {"url": url, **body}})
    assert r.status_code == 200, r.text
    return r.json()["payload"]["webhook"]


def send(desk: Desk, conversation: int, content: str) -> dict:
    r = desk.ws.admin.api.post(desk.url(conversation, "/messages"), json={"content": content})
    assert r.status_code == 200, r.text
    return r.json()


def status(desk: Desk, hook: dict) -> dict:
    r = desk.ws.admin.api.get(f"{desk.ws.path}/webhooks/{hook['id']}/deliveries")
    assert r.status_code == 200, r.text
    return r.json()


def contents(attempts, event="message_created") -> list[str]:
    return [a.json["content"] for a in attempts if a.event == event]


def test_every_event_arrives_signed_in_chatwoot_shape(desk, receiver):
    hook = add_webhook(desk, receiver.url)
    secret = hook["secret"]
    conversation = desk.create()["id"]
    message = send(desk, conversation, "hello")
    api = desk.ws.admin.api
    assert api.patch(desk.url(conversation, f"/messages/{message['id']}"), json={"content": "hello!"}).status_code == 200
    assert api.post(desk.url(conversation, "/toggle_status"), json={"status": "resolved"}).status_code == 200
    assert api.post(desk.url(conversation, "/toggle_typing_status"), json={"typing_status": "on"}).status_code == 200
    assert api.post(desk.url(conversation, "/toggle_typing_status"), json={"typing_status": "off"}).status_code == 200
    assert api.post(desk.url(conversation, "/assignments"), json={"assignee_id": desk.agent.id}).status_code == 200
    r = api.put(f"{desk.ws.path}/contacts/{desk.contact}", json={"name": "Vera Visitor"})
    assert r.status_code == 200, r.text
    second, _ = make_contact(desk.ws, desk.inbox, name="Second")

    wanted = [
        "conversation_created", "message_created", "message_updated", "conversation_status_changed",
        "message_created", "conversation_typing_on", "conversation_typing_off", "conversation_updated",
        "message_created",
    ]
    eventually(lambda: len(receiver.delivered()) == len(wanted) + 2)
    got = receiver.delivered()
    assert all(a.signed_with(secret) for a in got)
    assert not any(a.signed_with("x" * 48) for a in got)
    assert all(a.json["event"] == a.event for a in got)
    assert len({a.delivery for a in got}) == len(got)
    # One conversation's events in log order. The two contact events are
    # about different contacts: ordered each in its own, not with each other.
    assert [a.event for a in got if a.event.startswith(("conversation", "message"))] == wanted
    assert sorted((a.event, a.json["id"]) for a in got if a.event.startswith("contact")) == sorted([
        ("contact_updated", desk.contact), ("contact_created", second)])

    by_event = {}
    for attempt in got:
        by_event.setdefault(attempt.event, []).append(attempt.json)
    created = by_event["message_created"][0]
    listed = api.get(desk.url(conversation, "/messages")).json()["payload"][0]
    assert {k: v for k, v in created.items() if k not in ("event", "conversation", "inbox", "account")} == listed | {
        "content": "hello"}
    assert created["conversation"]["id"] == conversation and created["conversation"]["messages"] == []
    assert created["inbox"] == {"id": desk.inbox, "name": "Support"}
    assert created["account"] == {"id": desk.ws.account_id, "name": "Acme"}
    assert by_event["message_updated"][0]["content"] == "hello!"
    assert by_event["message_updated"][0]["id"] == message["id"]
    changed = by_event["conversation_status_changed"][0]
    assert changed["status"] == "resolved"
    assert changed["changed_attributes"] == [{"status": {"previous_value": "open", "current_value": "resolved"}}]
    updated = by_event["conversation_updated"][0]
    assert updated["changed_attributes"] == [{"assignee_id": {"previous_value": None, "current_value": desk.agent.id}}]
    assert updated["meta"]["assignee"]["id"] == desk.agent.id
    typing = by_event["conversation_typing_on"][0]
    assert typing["is_private"] is False and typing["user"]["id"] == desk.ws.admin.id
    assert typing["conversation"]["id"] == conversation
    shown = api.get(f"{desk.ws.path}/contacts/{desk.contact}").json()["payload"]
    contact = by_event["contact_updated"][0]
    assert contact["name"] == "Vera Visitor" == shown["name"]
    assert {k: contact[k] for k in ("id", "email", "identifier", "custom_attributes")} == {
        k: shown[k] for k in ("id", "email", "identifier", "custom_attributes")}
    assert by_event["contact_created"][0]["name"] == "Second"
    assert "contact_inboxes" not in contact and "hmac_token" not in str(contact)

    state = status(desk, hook)
    assert state["state"] == "active" and state["running"] is True
    assert state["delivered"] == len(got) and state["in_flight"] == 0 and state["failures"] == 0
    assert state["cursor"] == state["head"] and state["backlog"] == 0
    assert state["last_error"] is None and state["next_retry_at"] is None


def test_subscriptions_choose_the_events(desk, receiver):
    add_webhook(desk, receiver.url, subscriptions=["message_created"])
    conversation = desk.create()["id"]
    for n in range(3):
        send(desk, conversation, f"m{n}")
    eventually(lambda: len(receiver.delivered()) == 3)
    assert {a.event for a in receiver.all()} == {"message_created"}
    assert contents(receiver.delivered()) == ["m0", "m1", "m2"]


def test_failures_are_retried_with_the_same_delivery_id_in_order(desk, receiver):
    receiver.fail_next = 4
    hook = add_webhook(desk, receiver.url, subscriptions=["message_created"])
    first, second = desk.create()["id"], desk.create()["id"]
    sent = {first: [], second: []}
    for n in range(10):
        conversation = first if n % 2 == 0 else second
        sent[conversation].append(send(desk, conversation, f"c{conversation}-{n}")["content"])
    eventually(lambda: len(receiver.delivered()) == 10)
    attempts = receiver.all()
    assert [a.status for a in attempts].count(500) == 4
    delivered = receiver.delivered()
    for conversation in (first, second):
        assert [a.json["content"] for a in delivered if a.json["conversation_id"] == conversation] == sent[conversation]
    # A retry carries the delivery id of the attempt that failed, and the same body.
    ids = {a.json["content"]: a.delivery for a in delivered}
    for failed in (a for a in attempts if a.status == 500):
        assert ids[failed.json["content"]] == failed.delivery
        assert failed.body == next(a.body for a in delivered if a.delivery == failed.delivery)
    state = status(desk, hook)
    assert state["failures"] == 4 and state["retries"] == 4 and state["delivered"] == 10
    assert state["last_error"].startswith("HTTP 500")
    assert state["backlog"] == 0


def test_an_endpoint_failing_past_the_retry_age_marks_the_webhook_failing(desk, receiver):
    receiver.mode = "fail"
    hook = add_webhook(desk, receiver.url, subscriptions=["message_created"])
    conversation = desk.create()["id"]
    send(desk, conversation, "lost?")
    state = eventually(lambda: (s := status(desk, hook))["state"] == "failing" and not s["running"] and s)
    assert state["reason"].startswith("HTTP 500")
    assert state["backlog"] > 0 and state["cursor"] < state["head"]
    audit = desk.ws.admin.api.get(f"{desk.ws.path}/audit_logs").json()["audit_logs"]
    assert any(e["action"] == "webhook.delivery_changed" and e["auditable_id"] == hook["id"] for e in audit), audit
    # Every administrator is notified, on their own channel and through the notifications API.
    listed = desk.ws.admin.api.get(f"{desk.ws.path}/notifications")
    assert listed.status_code == 200, listed.text
    failing = [n for n in listed.json()["data"]["payload"] if n["notification_type"] == "webhook_failing"]
    assert [(n["primary_actor_type"], n["primary_actor_id"]) for n in failing] == [("Webhook", hook["id"])], failing
    assert failing[0]["read_at"] is None and str(hook["id"]) in failing[0]["push_message_title"]
    # The backlog waits: what comes while failing is kept, and sent on resume.
    send(desk, conversation, "while failing")
    receiver.mode = "ok"
    r = desk.ws.admin.api.post(f"{desk.ws.path}/webhooks/{hook['id']}/resume")
    assert r.status_code == 200, r.text
    assert r.json()["state"] == "active"
    eventually(lambda: contents(receiver.delivered()) == ["lost?", "while failing"])
    failed = [a for a in receiver.all() if a.status == 500]
    assert failed and {a.delivery for a in failed} == {receiver.delivered()[0].delivery}


def test_a_failing_inbox_callback_resumes_with_its_backlog_when_its_url_changes(desk, receiver):
    dead = Receiver()
    dead.mode = "fail"
    try:
        ws = desk.ws
        client = sdk(ws)
        inbox = client.inboxes.create(ws.account_id, name="CRM", channel_type="api", webhook_url=dead.url).id
        hook = callback_hook(ws, inbox)
        conversation = conversation_in(ws, inbox, "Fay Failing")
        say(ws, conversation, "held")
        eventually(lambda: status(desk, hook)["state"] == "failing")
        # Saving a working URL is how a Chatwoot client fixes it: the callback resumes there.
        client.inboxes.update(ws.account_id, inbox, channel={"webhook_url": receiver.url})
        assert status(desk, hook)["state"] == "active"
        eventually(lambda: contents(receiver.delivered()) == ["held"])
        assert [a.event for a in receiver.delivered()] == ["conversation_created", "message_created"]
        # A paused callback stays paused when its URL changes.
        r = ws.admin.api.post(f"{ws.path}/webhooks/{hook['id']}/pause")
        assert r.status_code == 200, r.text
        client.inboxes.update(ws.account_id, inbox, channel={"webhook_url": dead.url})
        assert status(desk, hook)["state"] == "paused"
    finally:
        dead.close()


def test_a_dead_or_hanging_endpoint_holds_up_only_its_own_webhook(desk, receiver):
    hanging = Receiver()
    hanging.mode = "hang"
    try:
        add_webhook(desk, hanging.url, subscriptions=["message_created"])
        dead = add_webhook(desk, "http://127.0.0.1:9/nothing-listens", subscriptions=["message_created"])
        add_webhook(desk, receiver.url, subscriptions=["message_created"])
        conversation = desk.create()["id"]
        for n in range(5):
            send(desk, conversation, f"m{n}")
        eventually(lambda: contents(receiver.delivered()) == [f"m{n}" for n in range(5)])
        assert hanging.delivered() == []
        # Unreachable: recorded at run time, retried, then failing past the retry age.
        state = eventually(lambda: (s := status(desk, dead))["state"] == "failing" and s)
        assert state["delivered"] == 0 and state["retries"] >= 1 and "refused" in state["last_error"].lower()
        assert state["reason"] == state["last_error"]
    finally:
        hanging.close()


def test_pause_resume_and_redeliver(desk, receiver):
    hook = add_webhook(desk, receiver.url, subscriptions=["message_created"])
    path = f"{desk.ws.path}/webhooks/{hook['id']}"
    api = desk.ws.admin.api
    conversation = desk.create()["id"]
    send(desk, conversation, "one")
    eventually(lambda: contents(receiver.delivered()) == ["one"])
    r = api.post(f"{path}/pause", json={"reason": "maintenance"})
    assert r.status_code == 200, r.text
    assert (r.json()["state"], r.json()["reason"], r.json()["running"]) == ("paused", "maintenance", False)
    send(desk, conversation, "two")
    send(desk, conversation, "three")
    paused = status(desk, hook)
    assert paused["backlog"] > 0 and contents(receiver.all()) == ["one"]
    assert api.post(f"{path}/resume").json()["state"] == "active"
    eventually(lambda: contents(receiver.delivered()) == ["one", "two", "three"])
    first_ids = [a.delivery for a in receiver.delivered()]

    # Redeliver from the first message's offset: everything again, same ids.
    offset = next(e["offset"] for e in api.get(f"{desk.ws.path}/events", params={"stream": f"conversation:{desk.ws.account_id}:{conversation}"}).json()["events"]
                  if e["type"] == "message.created")
    r = api.post(f"{path}/redeliver", json={"from_offset": offset})
    assert r.status_code == 200, r.text
    eventually(lambda: len(receiver.delivered()) == 6)
    assert contents(receiver.delivered()) == ["one", "two", "three"] * 2
    assert [a.delivery for a in receiver.delivered()][3:] == first_ids
    audit = api.get(f"{desk.ws.path}/audit_logs").json()["audit_logs"]
    assert any(e["action"] == "webhook_redelivery" and e["auditable_id"] == hook["id"] for e in audit), audit


def test_delivery_routes_refuse_bad_input_and_outsiders(desk, receiver, hook_server):
    hook = add_webhook(desk, receiver.url)
    path = f"{desk.ws.path}/webhooks/{hook['id']}"
    api = desk.ws.admin.api
    assert_error(api.post(f"{path}/redeliver", json={}), 400, "missing_field")
    assert_error(api.post(f"{path}/redeliver", json={"from_offset": 0}), 400)
    assert_error(api.post(f"{path}/redeliver", json={"from_offset": 10**12}), 422)
    assert_error(api.post(f"{path}/pause", json={"why": "x"}), 400)
    assert_error(api.get(f"{desk.ws.path}/webhooks/999999/deliveries"), 404)
    other = new_workspace(hook_server, Api(hook_server.base_url, hook_server.platform_token))
    for tail, body in (("deliveries", None), ("pause", {}), ("resume", {}), ("redeliver", {"from_offset": 1})):
        method = "GET" if body is None else "POST"
        assert_error(desk.agent.api.request(method, f"{path}/{tail}", json=body), 403)
        assert_error(other.admin.api.request(method, f"{path}/{tail}", json=body), 404)
        assert_error(other.admin.api.request(method, f"{other.path}/webhooks/{hook['id']}/{tail}", json=body), 404)
    assert status(desk, hook)["state"] == "active"


@pytest.mark.parametrize("url", ["{base}/api/v1/x", "http://localhost:{port}/x", "http://[::1]:{port}/hook", "ftp://127.0.0.1/x"])
def test_webhooks_pointing_at_the_server_itself_are_refused(desk, url):
    base = desk.ws.server.base_url
    port = base.rsplit(":", 1)[1]
    r = desk.ws.admin.api.post(f"{desk.ws.path}/webhooks", json={"url": url.format(base=base, port=port)})
    assert_error(r, 422, "invalid_argument")
    assert desk.ws.admin.api.get(f"{desk.ws.path}/webhooks").json() == {"payload": {"webhooks": []}}


@pytest.mark.parametrize("stop", [signal.SIGTERM, signal.SIGKILL])
def test_nothing_is_skipped_across_a_restart_or_a_kill(tmp_path, receiver, stop):
    data, token = str(tmp_path / "data"), "platform-" + secrets.token_hex(8)
    server = Server(data, token, FAST)
    try:
        desk = make_desk(new_workspace(server, Api(server.base_url, token), "Acme"))
        add_webhook(desk, receiver.url, subscriptions=["message_created"])
        conversation = desk.create()["id"]
        for n in range(30):
            send(desk, conversation, f"m{n}")
    finally:
        server.stop(stop)
    again = Server(data, token, FAST)
    try:
        desk.ws.server = again
        desk.ws.admin.api = Api(again.base_url, desk.ws.admin.token)
        for n in range(30, 40):
            send(desk, conversation, f"m{n}")
        wanted = [f"m{n}" for n in range(40)]
        eventually(lambda: set(contents(receiver.delivered())) == set(wanted))
        delivered = receiver.delivered()
        # In order, repeats allowed only as a replay of a suffix after the restart, with the same ids.
        seen = {}
        for attempt in delivered:
            seen.setdefault(attempt.json["content"], set()).add(attempt.delivery)
        assert all(len(ids) == 1 for ids in seen.values())
        order = contents(delivered)
        first_positions = [order.index(c) for c in wanted]
        assert first_positions == sorted(first_positions)
    finally:
        assert again.stop() == 0
