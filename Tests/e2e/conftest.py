"""Black-box fixtures: the real `parley` binary on a free loopback port with a
fresh data directory, and helpers to create what tests need through the API."""

import itertools
import os
import re
import secrets
import signal
import subprocess
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import pytest
import requests
from chatwoot import ChatwootClient

ROOT = Path(__file__).resolve().parents[2]


def parley_binary() -> Path:
    """The binary under test: $PARLEY_BIN, else the debug build."""
    path = Path(os.environ.get("PARLEY_BIN", ROOT / ".build" / "debug" / "parley"))
    if not path.exists():
        raise RuntimeError(f"{path} does not exist: run `swift build --product parley` first")
    return path


class Server:
    """A running `parley serve`; `stop()` sends SIGTERM and waits for exit 0."""

    def __init__(self, data_dir: str, platform_token: str | None, extra_env: dict | None = None):
        self.data_dir = data_dir
        self.platform_token = platform_token
        env = dict(os.environ, PARLEY_LOG_LEVEL="warning")
        env.pop("PARLEY_PLATFORM_TOKEN", None)
        if platform_token is not None:
            env["PARLEY_PLATFORM_TOKEN"] = platform_token
        env.update(extra_env or {})
        # What the server printed before it listened (the first start's token notice).
        self.banner = ""
        self.stderr = tempfile.TemporaryFile()
        self.process = subprocess.Popen(
            [str(parley_binary()), "serve", "--data", data_dir, "--host", "127.0.0.1", "--port", "0"],
            stdout=subprocess.PIPE, stderr=self.stderr, env=env, text=True,
        )
        deadline = time.monotonic() + 30
        self.base_url = None
        while time.monotonic() < deadline:
            line = self.process.stdout.readline()
            if not line:
                break
            self.banner += line
            match = re.search(r"listening on (http://[0-9.]+:\d+)", line)
            if match:
                self.base_url = match.group(1)
                break
        if self.base_url is None:
            self.process.kill()
            self.stderr.seek(0)
            raise RuntimeError("parley did not start: " + self.stderr.read().decode(errors="replace")[-2000:])

    def stop(self, sig=signal.SIGTERM, timeout=30) -> int:
        if self.process.poll() is None:
            self.process.send_signal(sig)
        code = self.process.wait(timeout=timeout)
        self.process.stdout.close()
        return code


@pytest.fixture(scope="session")
def server(tmp_path_factory):
    """One server for the session; tests isolate themselves by creating their own account."""
    data = tmp_path_factory.mktemp("parley-data")
    srv = Server(str(data), "platform-" + secrets.token_hex(16))
    yield srv
    assert srv.stop() == 0


class Api:
    """Raw HTTP against the server with a token; returns `requests.Response`."""

    def __init__(self, base_url: str, token: str | None):
        self.base_url = base_url
        self.session = requests.Session()
        if token:
            self.session.headers["api_access_token"] = token

    def request(self, method: str, path: str, **kwargs) -> requests.Response:
        return self.session.request(method, self.base_url + path, timeout=30, **kwargs)

    def get(self, path, **kw): return self.request("GET", path, **kw)
    def post(self, path, **kw): return self.request("POST", path, **kw)
    def patch(self, path, **kw): return self.request("PATCH", path, **kw)
    def put(self, path, **kw): return self.request("PUT", path, **kw)
    def delete(self, path, **kw): return self.request("DELETE", path, **kw)


_counter = itertools.count(1)


@dataclass
class Agent:
    id: int
    token: str
    email: str
    api: Api


@dataclass
class Workspace:
    """An account with an administrator, made through the Platform API."""

    server: Server
    account_id: int
    admin: Agent
    platform: Api

    def new_user(self, role: str = "agent", name: str | None = None) -> Agent:
        n = next(_counter)
        email = f"user{n}-{secrets.token_hex(4)}@example.com"
        r = self.platform.post("/platform/api/v1/users", json={"name": name or f"User {n}", "email": email, "password": "pw"})
        assert r.status_code == 200, r.text
        user = r.json()
        r = self.platform.post(
            f"/platform/api/v1/accounts/{self.account_id}/account_users", json={"user_id": user["id"], "role": role}
        )
        assert r.status_code == 200, r.text
        return Agent(user["id"], user["access_token"], email, Api(self.server.base_url, user["access_token"]))

    @property
    def path(self) -> str:
        return f"/api/v1/accounts/{self.account_id}"


@pytest.fixture
def platform(server) -> Api:
    return Api(server.base_url, server.platform_token)


def new_workspace(server: Server, platform: Api, name: str | None = None) -> Workspace:
    """A new account with one administrator, made through the Platform API."""
    r = platform.post("/platform/api/v1/accounts", json={"name": name or f"Account {next(_counter)}"})
    assert r.status_code == 200, r.text
    ws = Workspace(server, r.json()["id"], None, platform)  # type: ignore[arg-type]
    ws.admin = ws.new_user("administrator", name="Admin")
    return ws


def other_workspace(workspace: Workspace) -> Workspace:
    """A second account beside `workspace`, for isolation checks."""
    return new_workspace(workspace.server, workspace.platform, "Elsewhere")


def sdk(workspace: Workspace, agent: Agent | None = None) -> ChatwootClient:
    """The official Chatwoot SDK, as `agent` (the administrator by default)."""
    return ChatwootClient(base_url=workspace.server.base_url, api_token=(agent or workspace.admin).token)


@pytest.fixture
def workspace(server, platform) -> Workspace:
    """A fresh account with one administrator, for each test."""
    return new_workspace(server, platform)
