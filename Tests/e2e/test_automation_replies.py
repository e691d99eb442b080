"""Greeting, out of office and FAQ answers: the bot's replies to a contact's
messages, sent once, also across a `kill -9`, in the inbox's time zone."""

import json
import secrets
import signal
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import requests

from automation import bot_messages, conversation, messages, settle, update_inbox
from conftest import Server
from realtime import make_inbox, open_chat, workspace_on

GREETING = "Hello! An agent will be with you shortly."
TEMPLATE = 3
OUTGOING = 1


def _automation_metric(server, name: str) -> float:
    """The value of `name{action="react"}` on the server's /metrics (exported from the start)."""
    prefix = name + '{action="react"} '
    values = [float(line[len(prefix):]) for line in requests.get(server.base_url + "/metrics").text.splitlines()
              if line.startswith(prefix)]
    assert len(values) == 1, f"{name} is not exported"
    return values[0]


def test_the_first_message_of_a_conversation_gets_the_greeting_once(workspace):
    ws = workspace
    inbox = update_inbox(ws, make_inbox(ws, "Greeting"), greeting_enabled=True, greeting_message=GREETING)
    assert inbox["greeting_enabled"] is True and inbox["greeting_message"] == GREETING
    reactions = _automation_metric(ws.server, "parley_automation_commands_total")
    failures = _automation_metric(ws.server, "parley_automation_failures_total")
    chat = open_chat(ws, inbox)
    chat.contact_post("hi there")
    settle(ws.server)
    # The greeting was a bot command that went through, and is counted as one.
    assert _automation_metric(ws.server, "parley_automation_commands_total") >= reactions + 1
    assert _automation_metric(ws.server, "parley_automation_failures_total") == failures
    chat.contact_post("anyone?")
    settle(ws.server)
    assert bot_messages(ws, chat.conversation_id) == [(TEMPLATE, GREETING)]
    contents = [m["content"] for m in messages(ws, chat.conversation_id) if m["message_type"] != 2]
    assert contents == ["hi there", GREETING, "anyone?"]

    # An inbox without a greeting sends nothing.
    quiet = open_chat(ws, make_inbox(ws, "Quiet"))
    quiet.contact_post("hi")
    settle(ws.server)
    assert bot_messages(ws, quiet.conversation_id) == []


def _restart(ws, data: str, token: str, sig=signal.SIGKILL, expect: int = -signal.SIGKILL) -> Server:
    """Stops `ws`'s server with `sig`, starts a new one on the same data and waits for its reactor to catch up."""
    assert ws.server.stop(sig=sig) == expect
    server = Server(data, token)
    ws.server = server
    ws.admin.api.base_url = server.base_url
    settle(server)
    return server


def test_a_greeting_is_sent_once_across_kill_9_restarts_and_a_rebuild(tmp_path):
    token = "platform-" + secrets.token_hex(16)
    data = str(tmp_path)
    ws = workspace_on(Server(data, token))
    try:
        inbox = update_inbox(ws, make_inbox(ws, "Greeting"), greeting_enabled=True, greeting_message=GREETING)
        first = open_chat(ws, inbox)
        first.contact_post("before the crash")
        settle(ws.server)
        # Killed right after a contact's message: the greeting may or may not be out yet.
        second = open_chat(ws, inbox)
        second.contact_post("racing the crash")
        _restart(ws, data, token)
        for chat in (first, second):
            assert bot_messages(ws, chat.conversation_id) == [(TEMPLATE, GREETING)]

        # Killed again with nothing pending: nothing is repeated.
        _restart(ws, data, token)
        for chat in (first, second):
            assert bot_messages(ws, chat.conversation_id) == [(TEMPLATE, GREETING)]

        # A rebuild of every projection (the reactor's cursor among them) from
        # the log, then a clean restart: the same cursor, nothing repeated.
        admin = json.loads((tmp_path / "admin.json").read_text())
        r = requests.post(admin["url"] + "/admin/v1/rebuild", json={"projection": "all"},
                          headers={"Authorization": "Bearer " + admin["token"]}, timeout=30)
        assert r.status_code == 200, r.text
        summary = r.json()
        assert summary["swapped"] is True and summary["differing"] == []
        assert summary["projections"]["automation"]["equal"] is True
        _restart(ws, data, token, sig=signal.SIGTERM, expect=0)
        for chat in (first, second):
            assert bot_messages(ws, chat.conversation_id) == [(TEMPLATE, GREETING)]
        # And the reactor still answers new conversations.
        third = open_chat(ws, inbox)
        third.contact_post("after it all")
        settle(ws.server)
        assert bot_messages(ws, third.conversation_id) == [(TEMPLATE, GREETING)]
    finally:
        assert ws.server.stop() == 0


def _hours_around_now(zone: str, open_now: bool) -> list[dict]:
    """Working hours for every day of the week in `zone`: today's window holds
    the current local time when `open_now`, and lies an hour or more away
    from it otherwise; every other day is closed."""
    now = datetime.now(ZoneInfo(zone))
    minute = now.hour * 60 + now.minute
    if open_now:
        start, end = max(0, minute - 60), min(24 * 60, minute + 60)
    elif minute < 20 * 60:
        start, end = minute + 60, minute + 120
    else:
        start, end = minute - 180, minute - 120
    today = (now.weekday() + 1) % 7  # Chatwoot counts from Sunday
    days = []
    for day in range(7):
        if day == today:
            days.append({"day_of_week": day, "closed_all_day": False, "open_hour": start // 60, "open_minutes": start % 60,
                         "close_hour": end // 60, "close_minutes": end % 60})
        else:
            days.append({"day_of_week": day, "closed_all_day": True})
    return days


def test_out_of_office_follows_working_hours_in_the_inbox_time_zone(workspace):
    ws = workspace
    # Fourteen hours ahead of UTC: hours read in UTC would put "now" outside the open window and inside the closed one.
    zone = "Pacific/Kiritimati"
    closed = update_inbox(ws, make_inbox(ws, "Closed now"), working_hours_enabled=True, timezone=zone,
                          out_of_office_message="We are closed.", working_hours=_hours_around_now(zone, open_now=False))
    assert closed["working_hours_enabled"] is True and closed["timezone"] == zone
    assert len(closed["working_hours"]) == 7
    open_inbox = update_inbox(ws, make_inbox(ws, "Open now"), working_hours_enabled=True, timezone=zone,
                              out_of_office_message="We are closed.", working_hours=_hours_around_now(zone, open_now=True))

    outside = open_chat(ws, closed)
    outside.contact_post("hello?")
    settle(ws.server)
    outside.contact_post("still there?")
    settle(ws.server)
    # Once per conversation per closed period.
    assert bot_messages(ws, outside.conversation_id) == [(TEMPLATE, "We are closed.")]

    inside = open_chat(ws, open_inbox)
    inside.contact_post("hello?")
    settle(ws.server)
    assert bot_messages(ws, inside.conversation_id) == []


def test_working_hours_refuse_bad_days(workspace):
    ws = workspace
    inbox = make_inbox(ws, "Hours")
    path = f"{ws.path}/inboxes/{inbox['id']}"
    for hours, status in [
        ([{"day_of_week": 7, "closed_all_day": True}], 400),
        ([{"closed_all_day": True}], 400),
        ([{"day_of_week": 1, "open_hour": 17, "open_minutes": 0, "close_hour": 9, "close_minutes": 0}], 422),
        ([{"day_of_week": 1, "closed_all_day": True}, {"day_of_week": 1, "closed_all_day": True}], 422),
        ([{"day_of_week": 1, "bogus": 1}], 400),
        ("mornings", 400),
    ]:
        r = ws.admin.api.patch(path, json={"working_hours": hours})
        assert r.status_code == status, (hours, r.text)
        assert set(r.json()["error"]) == {"code", "message"}
    assert ws.admin.api.get(path).json()["working_hours"] == []


def _faq(ws, **fields):
    r = ws.admin.api.post(f"{ws.path}/faqs", json=fields)
    assert r.status_code == 200, r.text
    return r.json()


def test_an_faq_answer_at_or_above_the_confidence_and_nothing_below(workspace):
    ws = workspace
    entry = _faq(ws, question="How do refunds work?", keywords=["refund", "order"],
                 answer="Refunds reach your card within 5 days.")
    assert entry["keywords"] == ["refund", "order"] and entry["active"] is True
    inbox = make_inbox(ws, "FAQ")

    matched = open_chat(ws, inbox)
    matched.contact_post("How do I get a REFUND for my orders?")
    settle(ws.server)
    assert bot_messages(ws, matched.conversation_id) == [(OUTGOING, "Refunds reach your card within 5 days.")]
    assert conversation(ws, matched.conversation_id)["status"] == "pending"
    # The contact replies: the bot stays quiet and the conversation waits, pending, for a human.
    matched.contact_post("that did not help, refund my order")
    settle(ws.server)
    assert len(bot_messages(ws, matched.conversation_id)) == 1
    assert conversation(ws, matched.conversation_id)["status"] == "pending"

    # Half the keywords (0.5 < 0.7): nothing is sent, the conversation stays open.
    below = open_chat(ws, inbox)
    below.contact_post("I want a refund")
    settle(ws.server)
    assert bot_messages(ws, below.conversation_id) == []
    assert conversation(ws, below.conversation_id)["status"] == "open"

    # An inactive entry never answers.
    r = ws.admin.api.patch(f"{ws.path}/faqs/{entry['id']}", json={"active": False})
    assert r.status_code == 200 and r.json()["active"] is False
    inactive = open_chat(ws, inbox)
    inactive.contact_post("refund my order")
    settle(ws.server)
    assert bot_messages(ws, inactive.conversation_id) == []


def test_faq_entries_crud_and_bad_input(workspace):
    ws = workspace
    agent = ws.new_user("agent")
    path = f"{ws.path}/faqs"
    entry = _faq(ws, question="Opening hours?", keywords=["hours", "open"], answer="9 to 5.")
    for body, status in [
        ({"question": "q", "keywords": [], "answer": "a"}, 422),
        ({"question": "q", "keywords": ["  ", ""], "answer": "a"}, 422),
        ({"question": "q", "keywords": ["?!"], "answer": "a"}, 422),
        ({"question": "q", "answer": "a"}, 400),
        ({"question": "q", "keywords": "hours", "answer": "a"}, 400),
        ({"question": "", "keywords": ["x"], "answer": "a"}, 422),
        ({"question": "q", "keywords": ["x"], "answer": ""}, 422),
        ({"question": "q", "keywords": ["x"], "answer": "a", "score": 1}, 400),
    ]:
        r = ws.admin.api.post(path, json=body)
        assert r.status_code == status, (body, r.text)
        assert set(r.json()["error"]) == {"code", "message"}
    r = ws.admin.api.patch(f"{path}/{entry['id']}", json={"keywords": []})
    assert r.status_code == 422
    assert agent.api.post(path, json={"question": "q", "keywords": ["x"], "answer": "a"}).status_code == 403
    assert agent.api.delete(f"{path}/{entry['id']}").status_code == 403

    # Nothing of the refused requests was written; members read the entries.
    listed = agent.api.get(path).json()["payload"]
    assert [(e["id"], e["question"], e["keywords"]) for e in listed] == [(entry["id"], "Opening hours?", ["hours", "open"])]
    r = ws.admin.api.put(f"{path}/{entry['id']}", json={"answer": "9 to 6."})
    assert r.status_code == 200 and r.json()["answer"] == "9 to 6." and r.json()["keywords"] == ["hours", "open"]
    assert agent.api.get(f"{path}/{entry['id']}").json()["answer"] == "9 to 6."

    # Another account's entry is a 404, as one that does not exist.
    from conftest import other_workspace
    other = other_workspace(ws)
    assert other.admin.api.get(f"{other.path}/faqs/{entry['id']}").status_code == 404
    assert other.admin.api.delete(f"{other.path}/faqs/{entry['id']}").status_code == 404
    assert ws.admin.api.delete(f"{path}/{entry['id']}").status_code == 200
    assert ws.admin.api.get(f"{path}/{entry['id']}").status_code == 404
    assert ws.admin.api.get(path).json()["payload"] == []
