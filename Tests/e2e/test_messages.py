"""Messages through the Application API: listing and paging, sending (with
`echo_id` as an idempotency key, also across a restart), editing and soft
deleting, and who may see them."""

import secrets

import pytest
from chatwoot.exceptions import ChatwootAPIError, ChatwootNotFoundError

from conftest import Api, Server
from test_conversations import assert_error, make_desk, new_workspace, set_inbox_members


@pytest.fixture
def desk(workspace):
    return make_desk(workspace)


def messages(desk, conversation, who=None, **params) -> list[dict]:
    r = (who or desk.ws.admin).api.get(desk.url(conversation, "/messages"), params=params)
    assert r.status_code == 200, r.text
    return r.json()["payload"]


def send(desk, conversation, who=None, **body) -> dict:
    r = (who or desk.ws.admin).api.post(desk.url(conversation, "/messages"), json=body)
    assert r.status_code == 200, r.text
    return r.json()


def test_sdk_sends_and_lists_messages_with_chatwoot_shape(desk):
    ws = desk.ws
    conversation = desk.create()["id"]
    client = desk.sdk(desk.agent)
    sent = client.messages.create(account_id=ws.account_id, conversation_id=conversation, content="How can I help?")
    assert sent.content == "How can I help?"
    assert sent.message_type == 1 and sent.private is False
    assert sent.conversation_id == conversation and sent.inbox_id == desk.inbox and sent.account_id == ws.account_id
    assert sent.sender.id == desk.agent.id and sent.sender.type == "user" and sent.sender.name == "Ada Agent"
    assert sent.status == "sent" and sent.source_id is None and sent.attachments == []

    listed = client.messages.list(account_id=ws.account_id, conversation_id=conversation)
    assert [m.id for m in listed] == [sent.id]
    raw = messages(desk, conversation)[0]
    assert raw == {
        "id": sent.id, "content": "How can I help?", "account_id": ws.account_id, "inbox_id": desk.inbox,
        "conversation_id": conversation, "message_type": 1, "content_type": "text", "status": "sent",
        "content_attributes": {}, "created_at": raw["created_at"], "private": False, "source_id": None,
        "sender": {
            "id": desk.agent.id, "name": "Ada Agent", "available_name": "Ada Agent", "avatar_url": "", "type": "user",
            "availability_status": "offline", "thumbnail": "",
        },
        "attachments": [],
    }
    assert raw["created_at"] > 1_600_000_000


def test_message_kinds_senders_and_private_notes(desk):
    conversation = desk.create()["id"]
    incoming = send(desk, conversation, desk.agent, content="from the visitor", message_type="incoming")
    assert incoming["message_type"] == 0
    assert incoming["sender"]["type"] == "contact" and incoming["sender"]["id"] == desk.contact
    template = send(desk, conversation, content="Rate us", message_type=3, content_type="input_csat", content_attributes={"k": [1, 2]})
    assert template["message_type"] == 3 and template["content_type"] == "input_csat" and template["content_attributes"] == {"k": [1, 2]}
    note = send(desk, conversation, content="internal: refund approved", private=True)
    assert note["private"] is True
    # Another agent of the inbox sees the private note; agents see everything.
    seen = messages(desk, conversation, desk.agent)
    assert [m["id"] for m in seen] == [incoming["id"], template["id"], note["id"]]
    assert seen[-1]["private"] is True and seen[-1]["content"] == "internal: refund approved"
    # The note is the conversation's latest message in lists too.
    listed = desk.agent.api.get(f"{desk.ws.path}/conversations").json()["data"]["payload"][0]
    assert listed["messages"][0]["id"] == note["id"]


def test_paging_before_and_after(desk):
    conversation = desk.create()["id"]
    ids = [send(desk, conversation, content=f"m{n}")["id"] for n in range(25)]
    latest = messages(desk, conversation)
    assert [m["id"] for m in latest] == ids[5:]
    assert [m["id"] for m in messages(desk, conversation, before=ids[5])] == ids[:5]
    assert [m["id"] for m in messages(desk, conversation, after=ids[20])] == ids[21:]
    assert [m["id"] for m in messages(desk, conversation, after=ids[2], before=ids[6])] == ids[3:6]
    for bad in [{"before": "x"}, {"after": "-1"}, {"before": "1e3"}]:
        assert_error(desk.ws.admin.api.get(desk.url(conversation, "/messages"), params=bad), 400, "invalid_argument")


def test_the_list_meta(desk):
    conversation = desk.create(assignee_id=desk.agent.id)["id"]
    desk.sdk().conversations.labels.add(account_id=desk.ws.account_id, conversation_id=conversation, labels=["vip"])
    send(desk, conversation, desk.agent, content="hi", message_type="incoming")
    desk.agent.api.post(desk.url(conversation, "/update_last_seen"))
    body = desk.agent.api.get(desk.url(conversation, "/messages")).json()
    meta = body["meta"]
    assert meta["labels"] == ["vip"] and meta["additional_attributes"] == {}
    assert meta["contact"]["id"] == desk.contact and meta["contact"]["type"] == "contact"
    assert meta["assignee"]["id"] == desk.agent.id and meta["assignee"]["type"] == "user"
    assert meta["agent_last_seen_at"] == meta["assignee_last_seen_at"] == body["payload"][-1]["created_at"]


def test_echo_id_makes_a_retry_return_the_same_message(desk):
    conversation = desk.create()["id"]
    first = send(desk, conversation, content="once", echo_id="echo-1")
    again = send(desk, conversation, content="once", echo_id="echo-1")
    assert again == first and first["echo_id"] == "echo-1"
    assert [m["id"] for m in messages(desk, conversation)] == [first["id"]]
    # The same echo id in another conversation is another message.
    other = desk.create()["id"]
    elsewhere = send(desk, other, content="once", echo_id="echo-1")
    assert elsewhere["id"] != first["id"]
    # A long echo id works the same.
    long_echo = "e" * 255
    assert send(desk, conversation, content="long", echo_id=long_echo) == send(desk, conversation, content="long", echo_id=long_echo)
    assert len(messages(desk, conversation)) == 2
    # An Idempotency-Key header wins over the echo id.
    headers = {"Idempotency-Key": "send-key-1"}
    keyed = desk.ws.admin.api.post(desk.url(conversation, "/messages"), json={"content": "k", "echo_id": "a"}, headers=headers).json()
    rekeyed = desk.ws.admin.api.post(desk.url(conversation, "/messages"), json={"content": "k", "echo_id": "b"}, headers=headers).json()
    assert rekeyed["id"] == keyed["id"] and rekeyed["echo_id"] == "a"
    assert len(messages(desk, conversation)) == 3


def test_echo_id_survives_a_restart(tmp_path):
    data = str(tmp_path / "data")
    token = "platform-" + secrets.token_hex(8)
    server = Server(data, token)
    try:
        ws = new_workspace(server, Api(server.base_url, token))
        desk = make_desk(ws)
        conversation = desk.create()["id"]
        first = send(desk, conversation, content="before the restart", echo_id="restart-echo")
    finally:
        assert server.stop() == 0
    again = Server(data, token)
    try:
        desk.ws.server = again
        desk.ws.admin.api = Api(again.base_url, desk.ws.admin.token)
        retried = send(desk, conversation, content="before the restart", echo_id="restart-echo")
        assert retried == first
        assert [m["id"] for m in messages(desk, conversation)] == [first["id"]]
    finally:
        assert again.stop() == 0


def test_editing_a_message(desk):
    ws = desk.ws
    conversation = desk.create(who=desk.agent)["id"]
    sent = send(desk, conversation, desk.agent, content="typo herre", content_attributes={"a": 1})
    client = desk.sdk(desk.agent)
    edited = client.messages.update(account_id=ws.account_id, message_id=sent["id"], content="typo here")
    assert edited.content == "typo here" and edited.content_attributes == {"a": 1}
    r = desk.agent.api.patch(desk.url(conversation, f"/messages/{sent['id']}"), json={"content_attributes": {"b": 2}})
    assert r.status_code == 200 and r.json()["content"] == "typo here" and r.json()["content_attributes"] == {"b": 2}
    listed = messages(desk, conversation)[0]
    assert listed["content"] == "typo here" and listed["content_attributes"] == {"b": 2}
    assert listed["created_at"] == sent["created_at"]
    assert desk.ws.admin.api.get(desk.url(conversation)).json()["messages"][0]["content"] == "typo here"
    # Another agent may not edit it; an administrator may.
    other = ws.new_user("agent", name="Bea")
    set_inbox_members(ws, desk.inbox, [desk.agent.id, other.id])
    assert_error(other.api.patch(f"{ws.path}/messages/{sent['id']}", json={"content": "mine now"}), 403, "forbidden")
    admin_edit = ws.admin.api.patch(f"{ws.path}/messages/{sent['id']}", json={"content": "fixed by admin"})
    assert admin_edit.json()["content"] == "fixed by admin"
    # Bad edits change nothing.
    for body, status in [({}, 400), ({"content": 5}, 400), ({"content": "x", "status": "read"}, 400), ({"content_attributes": "x"}, 400)]:
        assert_error(ws.admin.api.patch(f"{ws.path}/messages/{sent['id']}", json=body), status)
    assert_error(ws.admin.api.patch(f"{ws.path}/messages/{sent['id']}", json={"content": "y" * 150_001}), 422, "content_too_long")
    assert messages(desk, conversation)[0]["content"] == "fixed by admin"
    # The nested path must name the message's own conversation.
    other_conversation = desk.create()["id"]
    assert_error(ws.admin.api.patch(desk.url(other_conversation, f"/messages/{sent['id']}"), json={"content": "z"}), 404, "not_found")


def test_deleting_a_message_is_soft(desk):
    ws = desk.ws
    conversation = desk.create()["id"]
    kept = send(desk, conversation, content="keep me")
    gone = send(desk, conversation, content="card number 4111", content_attributes={"x": 1})
    client = desk.sdk()
    client.messages.delete(account_id=ws.account_id, message_id=gone["id"])
    listed = messages(desk, conversation)
    assert [m["id"] for m in listed] == [kept["id"], gone["id"]]
    deleted = listed[1]
    assert deleted["content"] == "This message was deleted"
    assert deleted["content_attributes"] == {"deleted": True} and deleted["content_type"] == "text"
    assert "4111" not in desk.ws.admin.api.get(desk.url(conversation)).text
    # Deleting again answers the same; the nested path works too.
    r = ws.admin.api.delete(desk.url(conversation, f"/messages/{gone['id']}"))
    assert r.status_code == 200 and r.json() == deleted
    # A deleted message cannot be edited back.
    assert_error(ws.admin.api.patch(f"{ws.path}/messages/{gone['id']}", json={"content": "back"}), 422)
    assert messages(desk, conversation)[1]["content"] == "This message was deleted"


def test_bad_messages_append_nothing(desk):
    api = desk.ws.admin.api
    conversation = desk.create()["id"]
    send(desk, conversation, content="first")
    cases = [
        ({"content": "x" * 150_001}, 422, "content_too_long"),
        ({"content": ""}, 422, "invalid_argument"),
        ({}, 422, "invalid_argument"),
        ({"content": "x", "message_type": "activity"}, 422, "invalid_argument"),
        ({"content": "x", "message_type": 7}, 400, "invalid_argument"),
        ({"content": "x", "message_type": "shout"}, 400, "invalid_argument"),
        ({"content": "x", "message_type": "1"}, 400, "invalid_argument"),
        ({"content": "x", "private": "yes"}, 400, "invalid_argument"),
        ({"content": 42}, 400, "invalid_argument"),
        ({"content": "x", "content_type": "hologram"}, 400, "invalid_argument"),
        ({"content": "x", "content_attributes": [1]}, 400, "invalid_argument"),
        ({"content": "x", "echo_id": 12}, 400, "invalid_argument"),
        ({"content": "x", "echo_id": "e" * 256}, 400, "invalid_argument"),
        ({"content": "x", "attachments": []}, 400, "unknown_field"),
        ({"content": "x", "message_type": "incoming", "private": True}, 422, "invalid_argument"),
    ]
    for body, status, code in cases:
        assert_error(api.post(desk.url(conversation, "/messages"), json=body), status, code)
    assert_error(
        api.post(desk.url(conversation, "/messages"), data='{"content": "x",', headers={"Content-Type": "application/json"}),
        400, "malformed_json",
    )
    assert [m["content"] for m in messages(desk, conversation)] == ["first"]
    with pytest.raises(ChatwootAPIError) as refused:
        desk.sdk().messages.create(account_id=desk.ws.account_id, conversation_id=conversation, content="x", message_type="activity")
    assert refused.value.status_code == 422


def test_outsiders_and_other_accounts_cannot_reach_messages(desk, server, platform):
    ws = desk.ws
    conversation = desk.create()["id"]
    sent = send(desk, conversation, content="secret plan")
    outsider = desk.outsider.api
    assert_error(outsider.get(desk.url(conversation, "/messages")), 404, "not_found")
    assert_error(outsider.post(desk.url(conversation, "/messages"), json={"content": "hi"}), 404, "not_found")
    assert_error(outsider.patch(f"{ws.path}/messages/{sent['id']}", json={"content": "hacked"}), 404, "not_found")
    assert_error(outsider.delete(f"{ws.path}/messages/{sent['id']}"), 404, "not_found")
    with pytest.raises(ChatwootNotFoundError):
        desk.sdk(desk.outsider).messages.update(account_id=ws.account_id, message_id=sent["id"], content="x")
    # A message of another account is not found through this one, even by its administrator.
    other = make_desk(new_workspace(server, platform))
    theirs = send(other, other.create()["id"], content="their secret")
    assert_error(ws.admin.api.patch(f"{ws.path}/messages/{theirs['id']}", json={"content": "x"}), 404, "not_found")
    assert_error(ws.admin.api.delete(f"{ws.path}/messages/{theirs['id']}"), 404, "not_found")
    assert_error(ws.admin.api.delete(f"{other.ws.path}/messages/{theirs['id']}"), 404, "not_found")
    assert [m["content"] for m in messages(other, 1)] == ["their secret"]
    assert [m["content"] for m in messages(desk, conversation)] == ["secret plan"]
