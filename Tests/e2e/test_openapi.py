"""The OpenAPI spec (Schemas/openapi.yaml) against the real server.

- The spec is valid OpenAPI 3.1 and every operation declares the error shape.
- It covers every route, both ways. The running server proves the spec is
  not larger than it: each spec operation, sent without a token, reaches a
  handler (never `route_not_found`), and no other method is served on a spec
  path. The sources prove the server is not larger than the spec: every
  route they register is in it. The sources are read as text, not compiled:
  a route is a call `<router>.<method>(...)` or `<router>.on(<path>,
  method: ...)` on the root router or a group of it; group prefixes are
  followed through `let x = y.group("...")` and through the
  `addXRoutes(to: ...)` functions, starting at `router(registry:)`, and
  `for path in [...]` / `for method in [...]` loops are expanded. A
  registration the scanner cannot read fails the test rather than being
  skipped, and the scan must find exactly the spec's operations, so a scanner
  that silently missed routes would fail too.
- schemathesis runs every operation against the server with an administrator's
  token, the platform token and real ids (an account, inbox, contact,
  conversation, message, ...), so requests reach the handlers: no 5xx, and
  every response matches the spec.
"""

import os
import re
import secrets
import subprocess
import sys
from pathlib import Path

import pytest
import requests
import yaml
from openapi_spec_validator import validate

from automation import wait_for

ROOT = Path(__file__).resolve().parents[2]
SPEC_PATH = ROOT / "Schemas" / "openapi.yaml"
SOURCES = ROOT / "Sources" / "ParleyServer"
METHODS = ("get", "post", "put", "patch", "delete")
ERROR_STATUSES = ("400", "401", "403", "404", "409", "413", "422", "429")
# Examples per operation and phase; with ~100 operations this keeps the run to a few minutes on 2 cores.
MAX_EXAMPLES = int(os.environ.get("PARLEY_SCHEMATHESIS_EXAMPLES", "30"))


def load_spec() -> dict:
    return yaml.safe_load(SPEC_PATH.read_text())


def spec_operations(spec: dict) -> set[tuple[str, str]]:
    """Every (METHOD, path template) the spec declares."""
    return {(method.upper(), path) for path, item in spec["paths"].items() for method in item if method in METHODS}


def _block(text: str, open_index: int) -> str:
    """The text between the brace at `open_index` and its match."""
    depth = 0
    for index in range(open_index, len(text)):
        if text[index] == "{":
            depth += 1
        elif text[index] == "}":
            depth -= 1
            if depth == 0:
                return text[open_index + 1 : index]
    raise ValueError("unbalanced braces")


def _arguments(text: str, open_index: int) -> str:
    """The text between the parenthesis at `open_index` and its match."""
    depth = 0
    for index in range(open_index, len(text)):
        if text[index] == "(":
            depth += 1
        elif text[index] == ")":
            depth -= 1
            if depth == 0:
                return text[open_index + 1 : index]
    raise ValueError("unbalanced parentheses")


FUNCTION = re.compile(r"func\s+(\w+)\s*\(\s*to\s+(\w+)\s*:\s*(?:Router|RouterGroup)<")
ROOT_FUNCTION = re.compile(r"func\s+router\s*\(\s*registry:")
GROUP = re.compile(r"let\s+(\w+)\s*=\s*(\w+)\s*\.\s*group\s*\(")
CALL = re.compile(r"(?:self\s*\.\s*)?(add\w+Routes)\s*\(\s*to\s*:\s*")
REGISTRATION = re.compile(r"\b(\w+)\s*\.\s*(get|post|put|patch|delete|on)\s*(\(|\{)")
LOOP = re.compile(r"for\s+(\w+)\s+in\s+\[([^\]]*)\]")
STRING = re.compile(r'"([^"\\]*)"')


def _literal(argument: str, loops: dict[str, list[str]]) -> list[str]:
    """The path strings an argument stands for: a literal, `RouterPath(...)` or a loop variable."""
    argument = argument.strip()
    inner = re.fullmatch(r"RouterPath\s*\((.*)\)", argument, re.S)
    if inner:
        argument = inner.group(1).strip()
    literal = STRING.fullmatch(argument)
    if literal:
        return [literal.group(1)]
    if argument in loops:
        return [STRING.fullmatch(value.strip()).group(1) for value in loops[argument]]
    raise ValueError(f"cannot read the route path {argument!r}")


def _join(prefix: str, path: str) -> str:
    parts = [part for part in (prefix + "/" + path).split("/") if part]
    return "/" + "/".join("{" + part[1:] + "}" if part.startswith(":") else part for part in parts)


def _split_top_level(arguments: str) -> list[str]:
    parts, depth, current = [], 0, ""
    for char in arguments:
        if char in "([{":
            depth += 1
        elif char in ")]}":
            depth -= 1
        if char == "," and depth == 0:
            parts.append(current)
            current = ""
        else:
            current += char
    parts.append(current)
    return [part.strip() for part in parts if part.strip()]


def source_routes(sources: Path = SOURCES) -> set[tuple[str, str]]:
    """Every (METHOD, path template) the Swift sources register."""
    text = "\n".join(path.read_text() for path in sorted(sources.rglob("*.swift")))
    functions: dict[str, tuple[str, str]] = {}
    for match in FUNCTION.finditer(text):
        functions[match.group(1)] = (match.group(2), _block(text, text.index("{", match.end())))
    root = ROOT_FUNCTION.search(text)
    if root is None:
        raise ValueError("router(registry:) not found")
    routes: set[tuple[str, str]] = set()
    # (router parameter, its path prefix, function body) still to read.
    pending = [("router", "", _block(text, text.index("{", root.end())))]
    seen = set()
    while pending:
        variable, prefix, body = pending.pop()
        if (variable, prefix, body) in seen:
            continue
        seen.add((variable, prefix, body))
        # The routers in scope: the function's parameter and the groups made of it.
        prefixes = {variable: prefix}
        for match in GROUP.finditer(body):
            base = match.group(2)
            if base in prefixes:
                argument = _arguments(body, body.index("(", match.end() - 1))
                prefixes[match.group(1)] = _join(prefixes[base], _literal(argument, {})[0])
        loops = {match.group(1): _split_top_level(match.group(2)) for match in LOOP.finditer(body)}
        for match in CALL.finditer(body):
            name = match.group(1)
            if name not in functions:
                raise ValueError(f"{name} is called but not found")
            call_arguments = _arguments(body, body.index("(", match.start()))
            argument = re.sub(r"^to\s*:\s*", "", _split_top_level(call_arguments)[0])
            group = re.fullmatch(r"(\w+)\s*\.\s*group\s*\((.*)\)", argument, re.S)
            if group:
                base, target_prefix = group.group(1), None
                if base in prefixes:
                    target_prefix = _join(prefixes[base], _literal(group.group(2), {})[0])
            else:
                base, target_prefix = argument, prefixes.get(argument)
            if target_prefix is None:
                raise ValueError(f"cannot resolve the router passed to {name}: {argument!r}")
            parameter, function_body = functions[name]
            pending.append((parameter, target_prefix, function_body))
        for match in REGISTRATION.finditer(body):
            receiver, verb, opener = match.groups()
            if receiver not in prefixes:
                continue
            if opener == "{":
                paths, methods = [""], [verb]
            else:
                arguments = _split_top_level(_arguments(body, match.end() - 1))
                positional = [argument for argument in arguments if not re.match(r"\w+\s*:", argument)]
                paths = _literal(positional[0], loops) if positional else [""]
                if verb == "on":
                    method = next(argument for argument in arguments if argument.startswith("method"))
                    value = method.split(":", 1)[1].strip()
                    values = loops.get(value, [value])
                    methods = [value.rsplit(".", 1)[-1].strip() for value in values]
                else:
                    methods = [verb]
            for path in paths:
                for method in methods:
                    routes.add((method.upper(), _join(prefixes[receiver], path)))
    return routes


# ---------------------------------------------------------------- the spec itself


def test_the_spec_is_valid_openapi_3_1():
    spec = load_spec()
    assert spec["openapi"].startswith("3.1.")
    validate(spec)


def test_every_operation_declares_the_error_shape_and_a_success():
    spec = load_spec()
    error = "#/components/responses/Error"
    for path, item in spec["paths"].items():
        for method, operation in item.items():
            if method not in METHODS:
                continue
            responses = operation["responses"]
            assert any(status.startswith("2") for status in responses), (method, path)
            if path in ("/healthz", "/readyz", "/metrics"):
                continue
            for status in ERROR_STATUSES:
                assert responses.get(status) == {"$ref": error}, (method, path, status)
    assert spec["components"]["schemas"]["Error"]["required"] == ["error"]


def test_json_request_bodies_refuse_unknown_fields():
    """Parley refuses members it does not read; the spec says so for every JSON body."""
    spec = load_spec()
    components = spec["components"]

    def resolve(node):
        while "$ref" in node:
            kind, name = node["$ref"].split("/")[-2:]
            node = components[kind][name]
        return node

    checked = 0
    for path, item in spec["paths"].items():
        for method, operation in item.items():
            if method not in METHODS or "requestBody" not in operation:
                continue
            schema = resolve(resolve(operation["requestBody"])["content"]["application/json"]["schema"])
            assert schema.get("additionalProperties") is False, (method, path)
            checked += 1
    assert checked >= 40


# ---------------------------------------------------------------- spec and server routes


def _concrete(path: str) -> str:
    """A spec path with every parameter filled in (ids are numbers, identifiers words)."""
    return re.sub(r"\{(\w+)\}", lambda m: "x" if m.group(1) in ("inbox_identifier", "source_id") else "1", path)


def _matches(template: str, concrete: str) -> bool:
    pattern = "^" + re.sub(r"\\\{\w+\\\}", "[^/]+", re.escape(template)) + "$"
    return re.match(pattern, concrete) is not None


def test_every_spec_operation_reaches_a_handler(server):
    spec = load_spec()
    for method, path in sorted(spec_operations(spec)):
        r = requests.request(method, server.base_url + _concrete(path), json={}, timeout=30)
        assert r.status_code < 500, (method, path, r.status_code, r.text)
        if r.status_code >= 400:
            assert r.json()["error"]["code"] not in ("route_not_found", "method_not_allowed"), (method, path, r.text)


def test_no_method_outside_the_spec_is_served(server):
    spec = load_spec()
    operations = spec_operations(spec)
    for path in spec["paths"]:
        url = _concrete(path)
        for method in ("GET", "POST", "PUT", "PATCH", "DELETE"):
            if any(m == method and _matches(template, url) for m, template in operations):
                continue
            r = requests.request(method, server.base_url + url, json={}, timeout=30)
            assert r.status_code in (404, 405), (method, path, r.status_code, r.text)
            assert r.json()["error"]["code"] in ("route_not_found", "method_not_allowed"), (method, path, r.text)


def test_every_route_the_sources_register_is_in_the_spec():
    routes = source_routes()
    spec = spec_operations(load_spec())
    assert len(routes) >= 12
    assert routes - spec == set(), "routes the spec lacks"
    assert spec - routes == set(), "spec operations the sources do not register"


# ---------------------------------------------------------------- schemathesis


def _created(response: requests.Response) -> dict:
    assert response.status_code == 200, response.text
    return response.json()


@pytest.fixture
def world(workspace) -> dict[str, object]:
    """Real ids of one account for every path parameter, so generated requests reach the handlers."""
    admin, path = workspace.admin.api, workspace.path
    agent = workspace.new_user("agent")
    inbox = _created(admin.post(f"{path}/inboxes", json={"name": "Spec inbox", "channel": {"type": "api"}}))
    _created(admin.post(f"{path}/inbox_members", json={"inbox_id": inbox["id"], "user_ids": [agent.id]}))
    contact = _created(
        admin.post(f"{path}/contacts", json={"name": "Spec contact", "email": "spec@example.com", "inbox_id": inbox["id"]})
    )["payload"]
    label = _created(admin.post(f"{path}/labels", json={"title": "spec"}))
    team = _created(admin.post(f"{path}/teams", json={"name": "Spec team"}))
    canned = _created(admin.post(f"{path}/canned_responses", json={"short_code": "spec", "content": "Hello"}))
    webhook = _created(admin.post(f"{path}/webhooks", json={"url": "https://example.com/hook"}))["payload"]["webhook"]
    world = {
        "account_id": workspace.account_id, "user_id": agent.id, "agent_id": agent.id, "inbox_id": inbox["id"],
        "inbox_identifier": inbox["inbox_identifier"], "contact_id": contact["contact"]["id"],
        "source_id": contact["contact_inbox"]["source_id"], "label_id": label["id"], "team_id": team["id"],
        "canned_response_id": canned["id"], "webhook_id": webhook["id"],
    }
    conversation = _created(
        admin.post(
            f"{path}/conversations",
            json={"inbox_id": inbox["id"], "contact_id": world["contact_id"], "message": {"content": "Hello from the spec"}},
        )
    )
    world["conversation_id"] = conversation["id"]
    world["message_id"] = _created(admin.post(f"{path}/conversations/{conversation['id']}/messages", json={"content": "Hi"}))["id"]
    world["faq_id"] = _created(admin.post(f"{path}/faqs", json={"question": "Q?", "keywords": ["spec"], "answer": "A."}))["id"]
    # The agent assigns the administrator, whose token the run uses: a notification of theirs to read.
    _created(agent.api.post(f"{path}/conversations/{conversation['id']}/assignments", json={"assignee_id": workspace.admin.id}))
    world["notification_id"] = wait_for(lambda: admin.get(f"{path}/notifications").json()["data"]["payload"],
                                        "the administrator's notification")[0]["id"]
    return world


def _toml(value: object) -> str:
    return str(value) if isinstance(value, int) else '"' + str(value).replace("\\", "\\\\").replace('"', '\\"') + '"'


def schemathesis_config(world: dict[str, object], admin_token: str, platform_token: str, platform_account: int) -> str:
    """schemathesis.toml: the world's ids for path parameters and a token for each security scheme.

    Platform operations get an account of their own: their generated bodies
    name random users, and demoting or removing the administrator of the
    world's account would turn every later request into a 403 or 404.
    """
    lines = ["[parameters]"] + [f'"path.{name}" = {_toml(value)}' for name, value in world.items()]
    lines += ["", "[auth.openapi.api_access_token]", f"api_key = {_toml(admin_token)}"]
    lines += ["", "[auth.openapi.platform_access_token]", f"api_key = {_toml(platform_token)}"]
    lines += ["", "[[operations]]", 'include-path-regex = "^/platform/"', "[operations.parameters]"]
    lines += [f'"path.account_id" = {platform_account}', ""]
    return "\n".join(lines)


# Requests whose header values hold control characters are not HTTP: SwiftNIO's
# parser answers them with a bare 400 and closes the connection before any
# Parley code runs, so schemathesis is kept to requests that are HTTP.
HOOKS = """
import schemathesis


@schemathesis.hook
def filter_case(context, case):
    return all(
        not any(ord(c) < 0x20 and c != "\\t" or ord(c) == 0x7F for c in str(value))
        for value in (case.headers or {}).values()
    )
"""


def test_schemathesis_finds_no_server_error_and_no_response_off_the_spec(server, workspace, world, platform, tmp_path):
    seed = int(os.environ.get("PARLEY_SCHEMATHESIS_SEED", secrets.randbelow(2**31)))
    print(f"schemathesis seed: {seed} (PARLEY_SCHEMATHESIS_SEED={seed} reproduces it)")
    platform_account = _created(platform.post("/platform/api/v1/accounts", json={"name": "Schemathesis platform"}))["id"]
    config = tmp_path / "schemathesis.toml"
    config.write_text(schemathesis_config(world, workspace.admin.token, server.platform_token, platform_account))
    (tmp_path / "parley_hooks.py").write_text(HOOKS)
    command = [
        sys.executable, "-m", "schemathesis.cli", "--config-file", str(config), "run", str(SPEC_PATH),
        "--url", server.base_url, "--checks", "not_a_server_error,response_schema_conformance",
        "--max-examples", str(MAX_EXAMPLES), "--seed", str(seed), "--workers", "1", "--request-timeout", "30",
        "--generation-database", "none", "--no-shrink", "--no-color", "--phases", "examples,fuzzing",
        "--suppress-health-check", "all", "--output-truncate", "false",
    ]
    environment = dict(os.environ, SCHEMATHESIS_HOOKS="parley_hooks", PYTHONPATH=str(tmp_path))
    result = subprocess.run(command, cwd=tmp_path, env=environment, capture_output=True, text=True, timeout=900)
    output = result.stdout + result.stderr
    print(output[-20000:])
    assert result.returncode == 0, output[-20000:]
    assert re.search(r"\b\d+ passed\b", output), output[-5000:]
