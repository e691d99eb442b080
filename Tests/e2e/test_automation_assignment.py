"""Auto-assignment: new conversations go round-robin to inbox members who are
online (a realtime connection open) and under their capacity; the rest wait
in a queue until someone comes online or frees capacity by resolving."""

from automation import conversation, settle, update_inbox
from realtime import add_agent, agent_token, connected, make_inbox, open_chat, run, stream_events


def _assignee(ws, chat) -> int | None:
    return conversation(ws, chat.conversation_id)["assignee_id"]


def _resolve(ws, chat) -> None:
    r = ws.admin.api.post(f"{ws.path}/conversations/{chat.conversation_id}/toggle_status", json={"status": "resolved"})
    assert r.status_code == 200, r.text


async def _online(ws, *agents) -> None:
    """Connects each agent and waits until their `user.presence_changed` was
    logged (a watcher on the account channel sees it) and the reactor saw it."""
    watcher = await connected(ws.server, agent_token(ws))
    channel = f"account:{ws.account_id}"
    await watcher.call("subscribe", {"channel": channel})
    for agent in agents:
        await connected(ws.server, agent_token(ws, agent))

    def online() -> set[int]:
        return {p["data"]["payload"]["user_id"] for p in watcher.publications(channel)
                if p["data"]["type"] == "user.presence_changed" and p["data"]["payload"]["online"]}

    await watcher.until(lambda: online() >= {agent.id for agent in agents}, "the agents online")
    settle(ws.server)


def _queued(ws) -> list[tuple[int, str]]:
    """(conversation, reason) of each conversation auto-assignment queued, from the audit stream."""
    return [(e["payload"]["conversation_id"], e["payload"]["assignment_queued"])
            for e in stream_events(ws, f"audit:{ws.account_id}") if e["type"] == "automation.reacted"]


def test_round_robin_across_online_agents_with_capacity_requeue_and_resolve(workspace):
    ws = workspace
    first, second, offline = ws.new_user("agent"), ws.new_user("agent"), ws.new_user("agent")
    inbox = update_inbox(ws, make_inbox(ws, "Auto"), enable_auto_assignment=True,
                         auto_assignment_config={"max_assignment_limit": 1})
    assert inbox["enable_auto_assignment"] is True and inbox["auto_assignment_config"] == {"max_assignment_limit": 1}
    for agent in (first, second, offline):
        add_agent(ws, inbox, agent)

    async def main():
        await _online(ws, first, second)
        chats = [open_chat(ws, inbox, f"Visitor {n}") for n in range(3)]
        settle(ws.server)
        # One each to the two online agents (never the offline one); the third waits: both are at capacity.
        assert [_assignee(ws, chat) for chat in chats] == [first.id, second.id, None]
        assert _queued(ws) == [(chats[2].conversation_id, "no_agent_available")]

        # Resolving frees the first agent's capacity: the waiting conversation goes to them.
        _resolve(ws, chats[0])
        settle(ws.server)
        assert _assignee(ws, chats[2]) == first.id
        assert conversation(ws, chats[2].conversation_id)["status"] == "open"

    run(main())


def test_a_queued_conversation_is_assigned_when_an_agent_comes_online(workspace):
    ws = workspace
    agent = ws.new_user("agent")
    inbox = update_inbox(ws, make_inbox(ws, "Later"), enable_auto_assignment=True)
    add_agent(ws, inbox, agent)
    chat = open_chat(ws, inbox)
    settle(ws.server)
    assert _assignee(ws, chat) is None
    assert _queued(ws) == [(chat.conversation_id, "no_agent_available")]

    async def main():
        await _online(ws, agent)
        assert _assignee(ws, chat) == agent.id

    run(main())


def test_busy_agents_and_inboxes_without_auto_assignment_get_nothing(workspace):
    ws = workspace
    agent = ws.new_user("agent")
    manual = make_inbox(ws, "Manual")
    assert manual["enable_auto_assignment"] is False
    auto = update_inbox(ws, make_inbox(ws, "Auto"), enable_auto_assignment=True)
    for inbox in (manual, auto):
        add_agent(ws, inbox, agent)
    r = agent.api.patch("/api/v1/profile", json={"availability": "busy"})
    assert r.status_code == 200, r.text

    async def main():
        await _online(ws, agent)
        untouched, waiting = open_chat(ws, manual), open_chat(ws, auto)
        settle(ws.server)
        assert _assignee(ws, untouched) is None and _assignee(ws, waiting) is None
        r = agent.api.patch("/api/v1/profile", json={"availability": "online"})
        assert r.status_code == 200, r.text
        settle(ws.server)
        assert _assignee(ws, untouched) is None and _assignee(ws, waiting) == agent.id

    run(main())


def test_auto_assignment_without_members_is_recorded_once_and_never_loops(workspace):
    ws = workspace
    inbox = update_inbox(ws, make_inbox(ws, "Empty"), enable_auto_assignment=True)
    chats = [open_chat(ws, inbox, f"Visitor {n}") for n in range(2)]
    settle(ws.server)
    assert [_assignee(ws, chat) for chat in chats] == [None, None]
    assert _queued(ws) == [(chat.conversation_id, "no_members") for chat in chats]
    # The audit log shows it, and the reactor is idle: the log stopped growing (settle) with nothing more queued.
    r = ws.admin.api.get(f"{ws.path}/audit_logs")
    assert r.status_code == 200, r.text
    actions = [entry["action"] for entry in r.json()["audit_logs"]]
    assert actions.count("auto_assignment.queued") == 2
    settle(ws.server)
    assert len(_queued(ws)) == 2


def test_bad_auto_assignment_settings_are_refused(workspace):
    ws = workspace
    inbox = make_inbox(ws, "Settings")
    path = f"{ws.path}/inboxes/{inbox['id']}"
    for body in [
        {"enable_auto_assignment": "yes"},
        {"auto_assignment_config": {"max_assignment_limit": 0}},
        {"auto_assignment_config": {"max_assignment_limit": "3"}},
        {"auto_assignment_config": {"limit": 3}},
        {"first_response_threshold": 0},
        {"first_response_threshold": 1.5},
    ]:
        r = ws.admin.api.patch(path, json=body)
        assert r.status_code == 400, (body, r.text)
        assert set(r.json()["error"]) == {"code", "message"}
    agent = ws.new_user("agent")
    assert agent.api.patch(path, json={"enable_auto_assignment": True}).status_code in (403, 404)
    current = ws.admin.api.get(path).json()
    assert current["enable_auto_assignment"] is False
    assert current["auto_assignment_config"] == {"max_assignment_limit": None}
    assert current["first_response_threshold"] is None
