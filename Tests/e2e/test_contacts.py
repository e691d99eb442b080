"""Contacts through the official SDK: create (with a contact inbox), list,
page, get, update, search, contact inboxes and contactable inboxes, in
Chatwoot's shapes; other accounts' contacts are 404, agents reach contacts
only through their own inboxes, and bad input stores nothing."""

import re

import pytest
from chatwoot.exceptions import ChatwootNotFoundError

from conftest import Workspace, sdk, other_workspace

HEX48 = re.compile(r"^[0-9a-f]{48}$")
CONTACT_KEYS = {
    "additional_attributes", "availability_status", "email", "id", "name", "phone_number", "identifier", "blocked",
    "thumbnail", "custom_attributes", "last_activity_at", "created_at", "contact_inboxes",
}


def create_inbox(workspace: Workspace, name="Support", channel_type="api") -> dict:
    r = workspace.admin.api.post(f"{workspace.path}/inboxes", json={"name": name, "channel": {"type": channel_type}})
    assert r.status_code == 200, r.text
    return r.json()


def create_contact(workspace: Workspace, **fields) -> dict:
    r = workspace.admin.api.post(f"{workspace.path}/contacts", json=fields)
    assert r.status_code == 200, r.text
    return r.json()["payload"]


def contact_count(workspace: Workspace) -> int:
    r = workspace.admin.api.get(f"{workspace.path}/contacts")
    assert r.status_code == 200, r.text
    return r.json()["meta"]["count"]


def test_sdk_creates_a_contact_with_its_contact_inbox(workspace):
    inbox = create_inbox(workspace)
    client = sdk(workspace)
    created = client.contacts.create(
        workspace.account_id, inbox["id"], name="Ada Lovelace", email="ada@example.com", phone_number="+4930123456",
        identifier="crm-1", custom_attributes={"plan": "pro"}, additional_attributes={"city": "London"},
    )
    contact = created.contact
    assert (contact.name, contact.email, contact.phone_number, contact.identifier) == (
        "Ada Lovelace", "ada@example.com", "+4930123456", "crm-1")
    assert contact.custom_attributes == {"plan": "pro"}
    assert contact.blocked is False
    assert HEX48.match(created.contact_inbox.source_id)
    assert [(ci.source_id) for ci in contact.contact_inboxes] == [created.contact_inbox.source_id]

    fetched = client.contacts.get(workspace.account_id, contact.id)
    assert fetched.email == "ada@example.com"
    raw = workspace.admin.api.get(f"{workspace.path}/contacts/{contact.id}").json()["payload"]
    assert set(raw) == CONTACT_KEYS
    assert raw["thumbnail"] == "" and raw["additional_attributes"] == {} and raw["availability_status"] == "offline"
    assert raw["last_activity_at"] is None
    assert isinstance(raw["created_at"], int)
    assert raw["contact_inboxes"][0]["inbox"]["id"] == inbox["id"]
    assert raw["contact_inboxes"][0]["inbox"]["hmac_token"] == inbox["hmac_token"]


def test_create_answers_in_chatwoots_shape(workspace):
    inbox = create_inbox(workspace)
    r = workspace.admin.api.post(
        f"{workspace.path}/contacts", json={"name": "Bo", "email": "bo@example.com", "inbox_id": inbox["id"], "source_id": "crm-bo"})
    assert r.status_code == 200, r.text
    payload = r.json()["payload"]
    assert set(payload) == {"contact", "contact_inbox"}
    assert payload["contact_inbox"]["source_id"] == "crm-bo"
    assert payload["contact_inbox"]["inbox"]["id"] == inbox["id"]
    assert payload["contact"]["contact_inboxes"] == [{"source_id": "crm-bo", "inbox": payload["contact_inbox"]["inbox"]}]
    without = create_contact(workspace, name="No inbox", email="none@example.com")
    assert without["contact_inbox"] == {"inbox": None, "source_id": None}
    assert without["contact"]["contact_inboxes"] == []


def test_list_pages_fifteen_identified_contacts_newest_first(workspace):
    client = sdk(workspace)
    ids = [create_contact(workspace, name=f"Person {n}", email=f"p{n}@example.com")["contact"]["id"] for n in range(17)]
    # Chatwoot lists only contacts it can tell apart: a bare name is not listed.
    anonymous = create_contact(workspace, name="Visitor")["contact"]["id"]
    first = client.contacts.list(workspace.account_id)
    second = client.contacts.list(workspace.account_id, page=2)
    assert [c.id for c in first] == ids[::-1][:15]
    assert [c.id for c in second] == ids[::-1][15:]
    raw = workspace.admin.api.get(f"{workspace.path}/contacts", params={"page": 2}).json()
    assert raw["meta"] == {"count": 17, "current_page": 2}
    assert workspace.admin.api.get(f"{workspace.path}/contacts", params={"page": 3}).json()["payload"] == []
    assert anonymous not in [c["id"] for c in raw["payload"]]
    assert client.contacts.get(workspace.account_id, anonymous).name == "Visitor"
    slim = workspace.admin.api.get(f"{workspace.path}/contacts", params={"include_contact_inboxes": "false"}).json()
    assert "contact_inboxes" not in slim["payload"][0]


def test_sdk_updates_merging_custom_attributes_and_clearing_with_null(workspace):
    client = sdk(workspace)
    contact = create_contact(
        workspace, name="Cy", email="cy@example.com", phone_number="+15550001111", custom_attributes={"a": 1, "b": "x"})["contact"]
    updated = client.contacts.update(workspace.account_id, contact["id"], email="cy@new.example", custom_attributes={"b": "y", "c": True})
    assert updated.email == "cy@new.example"
    assert updated.custom_attributes == {"a": 1, "b": "y", "c": True}
    assert updated.phone_number == "+15550001111"
    r = workspace.admin.api.put(f"{workspace.path}/contacts/{contact['id']}", json={"phone_number": None, "blocked": True, "name": "Cyrus"})
    assert r.status_code == 200, r.text
    after = r.json()["payload"]
    assert (after["name"], after["phone_number"], after["blocked"], after["email"]) == ("Cyrus", None, True, "cy@new.example")
    assert client.contacts.get(workspace.account_id, contact["id"]).blocked is True


def test_search_finds_name_email_phone_identifier_and_id(workspace):
    client = sdk(workspace)
    ada = create_contact(workspace, name="Ada Lovelace", email="ada@analytical.example", phone_number="+4411112222", identifier="CRM-ada")
    bob = create_contact(workspace, name="Bob Babbage", email="bob@engine.example", identifier="crm-bob")
    ada_id, bob_id = ada["contact"]["id"], bob["contact"]["id"]
    assert [c.id for c in client.contacts.search(workspace.account_id, "lovelace")] == [ada_id]
    assert [c.id for c in client.contacts.search(workspace.account_id, "ada LOVElace")] == [ada_id]  # sent as q=ada+LOVElace
    assert [c.id for c in client.contacts.search(workspace.account_id, "+4411")] == [ada_id]  # sent as q=%2B4411
    assert [c.id for c in client.contacts.search(workspace.account_id, "ENGINE.example")] == [bob_id]
    assert [c.id for c in client.contacts.search(workspace.account_id, "1111")] == [ada_id]
    assert [c.id for c in client.contacts.search(workspace.account_id, "crm-")] == [bob_id]  # identifiers match case-sensitively
    assert [c.id for c in client.contacts.search(workspace.account_id, "example")] == [bob_id, ada_id]
    assert [c.id for c in client.contacts.search(workspace.account_id, str(ada_id))] == [ada_id]
    assert client.contacts.search(workspace.account_id, "nobody-like-this") == []
    raw = workspace.admin.api.get(f"{workspace.path}/contacts/search", params={"q": "example"}).json()
    assert raw["meta"] == {"count": 2, "current_page": 1}
    for params in [{}, {"q": "  "}, {"q": "x", "page": "0"}]:
        r = workspace.admin.api.get(f"{workspace.path}/contacts/search", params=params)
        assert r.status_code == 400, params
        assert set(r.json()["error"]) == {"code", "message"}


def test_contact_inboxes_and_contactable_inboxes(workspace):
    api_inbox, widget = create_inbox(workspace, "API"), create_inbox(workspace, "Widget", "web_widget")
    contact = create_contact(workspace, name="Di", email="di@example.com")["contact"]
    client = sdk(workspace)
    offered = client.contacts.contactable_inboxes(workspace.account_id, contact["id"])
    # An API inbox is offered with a fresh source id; a widget only once the contact uses it.
    assert [(entry["inbox"]["id"], bool(HEX48.match(entry["source_id"]))) for entry in offered] == [(api_inbox["id"], True)]
    path = f"{workspace.path}/contacts/{contact['id']}/contact_inboxes"
    r = workspace.admin.api.post(path, json={"inbox_id": api_inbox["id"], "source_id": "di-api"})
    assert r.status_code == 200, r.text
    assert r.json()["source_id"] == "di-api"
    assert r.json()["inbox"]["id"] == api_inbox["id"]
    r = workspace.admin.api.post(path, json={"inbox_id": widget["id"]})
    assert r.status_code == 200, r.text
    widget_source = r.json()["source_id"]
    assert HEX48.match(widget_source)
    offered = client.contacts.contactable_inboxes(workspace.account_id, contact["id"])
    assert [(e["inbox"]["id"], e["source_id"]) for e in offered] == [(api_inbox["id"], "di-api"), (widget["id"], widget_source)]
    # A source id is one contact's only.
    other = create_contact(workspace, name="Ed", email="ed@example.com")["contact"]
    r = workspace.admin.api.post(f"{workspace.path}/contacts/{other['id']}/contact_inboxes", json={"inbox_id": api_inbox["id"], "source_id": "di-api"})
    assert r.status_code == 409
    assert [ci["source_id"] for ci in client.contacts.get(workspace.account_id, contact["id"]).model_dump()["contact_inboxes"]] == [
        "di-api", widget_source]


def test_agents_reach_contacts_only_through_their_inboxes(workspace):
    mine, theirs = create_inbox(workspace, "Mine"), create_inbox(workspace, "Theirs")
    agent = workspace.new_user("agent")
    workspace.admin.api.post(f"{workspace.path}/inbox_members", json={"inbox_id": mine["id"], "user_ids": [agent.id]})
    client = sdk(workspace, agent)
    created = client.contacts.create(workspace.account_id, mine["id"], name="Fay", email="fay@example.com")
    assert created.contact_inbox.source_id
    raw = agent.api.get(f"{workspace.path}/contacts/{created.contact.id}").json()["payload"]
    assert "hmac_token" not in raw["contact_inboxes"][0]["inbox"]
    before = contact_count(workspace)
    with pytest.raises(ChatwootNotFoundError):
        client.contacts.create(workspace.account_id, theirs["id"], name="Gus", email="gus@example.com")
    r = agent.api.post(f"{workspace.path}/contacts/{created.contact.id}/contact_inboxes", json={"inbox_id": theirs["id"]})
    assert r.status_code == 404
    assert contact_count(workspace) == before
    offered = client.contacts.contactable_inboxes(workspace.account_id, created.contact.id)
    assert [e["inbox"]["id"] for e in offered] == [mine["id"]]


def test_another_accounts_contacts_are_not_found(workspace):
    other = other_workspace(workspace)
    foreign_inbox = create_inbox(other, "Foreign")
    foreign = create_contact(other, name="Hal", email="hal@example.com")["contact"]
    api, path = workspace.admin.api, workspace.path
    mine = create_contact(workspace, name="Ivy", email="ivy@example.com")["contact"]
    for response in [
        api.get(f"{path}/contacts/{foreign['id']}"),
        api.put(f"{path}/contacts/{foreign['id']}", json={"name": "Taken"}),
        api.patch(f"{path}/contacts/{foreign['id']}", json={"name": "Taken"}),
        api.post(f"{path}/contacts/{foreign['id']}/contact_inboxes", json={"inbox_id": foreign_inbox["id"]}),
        api.get(f"{path}/contacts/{foreign['id']}/contactable_inboxes"),
        api.post(f"{path}/contacts/{mine['id']}/contact_inboxes", json={"inbox_id": foreign_inbox["id"]}),
        api.post(f"{path}/contacts", json={"name": "J", "email": "j@example.com", "inbox_id": foreign_inbox["id"]}),
        api.get(f"/api/v1/accounts/{other.account_id}/contacts"),
    ]:
        assert response.status_code == 404, response.text
    assert [c["id"] for c in api.get(f"{path}/contacts/search", params={"q": "hal"}).json()["payload"]] == []
    assert other.admin.api.get(f"{other.path}/contacts/{foreign['id']}").json()["payload"]["name"] == "Hal"


@pytest.mark.parametrize(
    "body, status",
    [
        ({"name": "A", "email": "a@example.com", "favourite": 1}, 400),
        ({"name": 7, "email": "a@example.com"}, 400),
        ({"name": "A", "email": "not-an-email"}, 422),
        ({"name": "A", "phone_number": "12345"}, 422),
        ({"name": "x" * 256, "email": "a@example.com"}, 422),
        ({"name": "A", "custom_attributes": ["x"]}, 400),
        ({"name": "A", "additional_attributes": "London"}, 400),
        ({"name": "A", "inbox_id": "abc"}, 400),
        ({"name": "A", "source_id": "s-1"}, 400),
        ({"name": "A", "blocked": "no"}, 400),
    ],
)
def test_bad_contact_input_is_refused_and_stores_nothing(workspace, body, status):
    create_contact(workspace, name="Existing", email="existing@example.com")
    r = workspace.admin.api.post(f"{workspace.path}/contacts", json=body)
    assert r.status_code == status, r.text
    assert set(r.json()["error"]) == {"code", "message"}
    assert contact_count(workspace) == 1


def test_bad_updates_and_pages_are_refused(workspace):
    contact = create_contact(workspace, name="Kim", email="kim@example.com", identifier="kim")["contact"]
    create_contact(workspace, name="Lee", email="lee@example.com", identifier="lee")
    path = f"{workspace.path}/contacts/{contact['id']}"
    for body, status in [({"email": "nope"}, 422), ({"identifier": "lee"}, 409), ({"nickname": "K"}, 400), ({"name": ["K"]}, 400)]:
        r = workspace.admin.api.patch(path, json=body)
        assert r.status_code == status, (body, r.text)
    assert workspace.admin.api.get(path).json()["payload"]["email"] == "kim@example.com"
    for page in ["-1", "0", "abc", "100001", "99999999999999999999"]:
        r = workspace.admin.api.get(f"{workspace.path}/contacts", params={"page": page})
        assert r.status_code == 400, page
    assert workspace.admin.api.get(f"{workspace.path}/contacts/abc").status_code == 404


def test_a_retried_create_returns_the_same_contact_and_source(workspace):
    inbox = create_inbox(workspace)
    headers = {"Idempotency-Key": "contact-once"}
    body = {"name": "Max", "email": "max@example.com", "inbox_id": inbox["id"]}
    first = workspace.admin.api.post(f"{workspace.path}/contacts", json=body, headers=headers).json()
    again = workspace.admin.api.post(f"{workspace.path}/contacts", json=body, headers=headers).json()
    assert again == first
    assert contact_count(workspace) == 1
