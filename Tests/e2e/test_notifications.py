"""Per-user notifications: assignment, a new message in an assigned
conversation, an @mention in a private note and a contact waiting too long,
as `notification.created` events live on every device's `user:` channel and
through Chatwoot's notifications API (list, read one, read all, unread count)."""

from automation import notifications, settle, update_inbox, wait_for
from conftest import other_workspace
from realtime import (RawClient, add_agent, agent_token, connected, make_inbox, open_chat, own_server, run,
                      workspace_on)


def _created(client: RawClient, channel: str) -> list[tuple[str, int]]:
    return [(p["data"]["payload"]["notification_type"], p["data"]["payload"]["conversation_id"])
            for p in client.publications(channel) if p["data"]["type"] == "notification.created"]


def test_notifications_reach_every_device_and_the_api(workspace):
    ws = workspace
    agent = ws.new_user("agent", name="Dana Scully")
    bystander = ws.new_user("agent", name="Fox")
    inbox = make_inbox(ws, "Support")
    add_agent(ws, inbox, agent)
    add_agent(ws, inbox, bystander)
    chat = open_chat(ws, inbox)
    own = f"user:{agent.id}"
    cid = chat.conversation_id
    expected = [("conversation_assignment", cid), ("assigned_conversation_new_message", cid),
                ("conversation_mention", cid)]

    async def main():
        token = agent_token(ws, agent)
        phone, laptop = await connected(ws.server, token), await connected(ws.server, token)
        for device in (phone, laptop):
            await device.call("subscribe", {"channel": own})
        r = ws.admin.api.post(f"{ws.path}/conversations/{cid}/assignments", json={"assignee_id": agent.id})
        assert r.status_code == 200, r.text
        chat.contact_post("my order is late")
        chat.post("@Dana Scully can you take a look? @Nobody", private=True)
        chat.post("a public reply mentioning @Dana Scully")
        for device in (phone, laptop):
            await device.until(lambda: len(_created(device, own)) >= 3, "three notifications")
        settle(ws.server)
        assert _created(phone, own) == expected and _created(laptop, own) == expected

    run(main())

    data = notifications(agent.api, ws)
    assert data["meta"] == {"unread_count": 3, "count": 3, "current_page": 1}
    listed = data["payload"]
    assert [(n["notification_type"], n["primary_actor_id"]) for n in listed] == expected[::-1]
    assert all(n["read_at"] is None and n["primary_actor_type"] == "Conversation" for n in listed)
    assert listed[0]["user"]["id"] == agent.id and listed[0]["secondary_actor"]["type"] == "Message"
    assert listed[2]["secondary_actor"] is None
    # Nobody else was notified: the bystander, the administrator who acted.
    assert notifications(bystander.api, ws)["meta"]["count"] == 0
    assert notifications(ws.admin.api, ws)["meta"]["count"] == 0

    r = agent.api.patch(f"{ws.path}/notifications/{listed[1]['id']}", json={})
    assert r.status_code == 200, r.text
    assert r.json()["id"] == listed[1]["id"] and r.json()["read_at"] is not None
    assert agent.api.get(f"{ws.path}/notifications/unread_count").json() == 2
    # Read twice: still read, still two unread.
    assert agent.api.patch(f"{ws.path}/notifications/{listed[1]['id']}", json={}).status_code == 200
    assert agent.api.get(f"{ws.path}/notifications/unread_count").json() == 2

    assert agent.api.post(f"{ws.path}/notifications/read_all", json={}).status_code == 200
    assert agent.api.get(f"{ws.path}/notifications/unread_count").json() == 0
    data = notifications(agent.api, ws)
    assert data["meta"] == {"unread_count": 0, "count": 3, "current_page": 1}
    assert all(n["read_at"] is not None for n in data["payload"])


def test_self_assignment_and_bot_messages_notify_nobody(workspace):
    ws = workspace
    agent = ws.new_user("agent")
    inbox = update_inbox(ws, make_inbox(ws, "Self"), greeting_enabled=True, greeting_message="Hi!")
    add_agent(ws, inbox, agent)
    chat = open_chat(ws, inbox)
    r = agent.api.post(f"{ws.path}/conversations/{chat.conversation_id}/assignments", json={"assignee_id": agent.id})
    assert r.status_code == 200, r.text
    chat.post("an agent's own reply", agent=agent)
    settle(ws.server)
    assert notifications(agent.api, ws)["meta"]["count"] == 0
    chat.contact_post("hello")
    settle(ws.server)
    # The contact's message notifies; the greeting the bot sent does not.
    assert [n["notification_type"] for n in notifications(agent.api, ws)["payload"]] == ["assigned_conversation_new_message"]


def test_notifications_are_private_and_bad_ids_are_404(workspace):
    ws = workspace
    agent, other = ws.new_user("agent"), ws.new_user("agent")
    inbox = make_inbox(ws, "Private")
    add_agent(ws, inbox, agent)
    chat = open_chat(ws, inbox)
    r = ws.admin.api.post(f"{ws.path}/conversations/{chat.conversation_id}/assignments", json={"assignee_id": agent.id})
    assert r.status_code == 200, r.text
    settle(ws.server)
    (mine,) = notifications(agent.api, ws)["payload"]
    for api, path in [
        (other.api, f"{ws.path}/notifications/{mine['id']}"),
        (agent.api, f"{ws.path}/notifications/999999"),
        (agent.api, f"{ws.path}/notifications/abc"),
    ]:
        r = api.patch(path, json={})
        assert r.status_code == 404, r.text
        assert set(r.json()["error"]) == {"code", "message"}
    assert agent.api.patch(f"{ws.path}/notifications/{mine['id']}", json={"seen": True}).status_code == 400
    elsewhere = other_workspace(ws)
    assert agent.api.get(f"{elsewhere.path}/notifications").status_code in (401, 404)
    from conftest import Api
    assert Api(ws.server.base_url, None).get(f"{ws.path}/notifications").status_code == 401
    # Nothing was marked read by the refused requests.
    assert agent.api.get(f"{ws.path}/notifications/unread_count").json() == 1


def test_a_contact_waiting_past_the_inbox_threshold_notifies_the_inbox_once(tmp_path):
    with own_server(tmp_path, waiting_check_interval=1) as server:
        ws = workspace_on(server)
        first, second = ws.new_user("agent"), ws.new_user("agent")
        inbox = update_inbox(ws, make_inbox(ws, "SLA"), first_response_threshold=1)
        assert inbox["first_response_threshold"] == 1
        slow = make_inbox(ws, "No SLA")
        for agent in (first, second):
            add_agent(ws, inbox, agent)
            add_agent(ws, slow, agent)
        chat = open_chat(ws, inbox)
        chat.contact_post("hello? anyone?")
        chat.contact_post("hello again")
        unwatched = open_chat(ws, slow)
        unwatched.contact_post("no threshold here")

        def waiting(agent):
            return [(n["notification_type"], n["primary_actor_id"]) for n in notifications(agent.api, ws)["payload"]]

        for agent in (first, second):
            assert wait_for(lambda: waiting(agent), "the waiting notification") == [
                ("sla_missed_first_response", chat.conversation_id)]
        # An agent replies; the next wait of the contact is a new one, and goes to the assignee alone.
        r = ws.admin.api.post(f"{ws.path}/conversations/{chat.conversation_id}/assignments", json={"assignee_id": second.id})
        assert r.status_code == 200, r.text
        chat.post("on it", agent=second)
        chat.contact_post("thanks, one more thing")
        cid = chat.conversation_id
        newest_first = [("sla_missed_first_response", cid), ("assigned_conversation_new_message", cid),
                        ("conversation_assignment", cid), ("sla_missed_first_response", cid)]
        wait_for(lambda: len(waiting(second)) >= 4, "the second waiting notification")
        settle(server)
        assert waiting(second) == newest_first
        assert waiting(first) == [("sla_missed_first_response", cid)]
