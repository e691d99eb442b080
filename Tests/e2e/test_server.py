"""The running server: health, readiness, metrics, errors and shutdown."""

import json
import re
import signal

import requests

from conftest import Api, Server


def test_health_and_readiness(server):
    assert requests.get(server.base_url + "/healthz").json() == {"status": "ok"}
    ready = requests.get(server.base_url + "/readyz")
    assert ready.status_code == 200
    assert ready.json()["status"] == "ready"


def test_unknown_route_is_a_json_404(server):
    r = requests.get(server.base_url + "/api/v1/nothing-here")
    assert r.status_code == 404
    assert r.json() == {"error": {"code": "route_not_found", "message": "no such route"}}
    assert r.headers["X-Request-Id"]


def test_platform_routes_need_the_platform_token(server):
    r = Api(server.base_url, "wrong-token").post("/platform/api/v1/accounts", json={"name": "x"})
    assert r.status_code == 401
    assert r.json()["error"]["code"] == "unauthorized"
    r = Api(server.base_url, None).post("/platform/api/v1/accounts", json={"name": "x"})
    assert r.status_code == 401


def test_metrics_count_requests_by_route_and_status(server, platform):
    platform.post("/platform/api/v1/accounts", json={"name": "Metrics"})
    text = requests.get(server.base_url + "/metrics").text
    assert 'http_route="/platform/api/v1/accounts"' in text
    assert 'http_response_status_code="200"' in text


def test_sigterm_drains_and_exits_zero_and_data_survives(tmp_path):
    srv = Server(str(tmp_path / "data"), "platform-token-for-restart-test")
    platform = Api(srv.base_url, srv.platform_token)
    created = platform.post("/platform/api/v1/accounts", json={"name": "Durable"}).json()
    assert srv.stop(signal.SIGTERM) == 0
    again = Server(str(tmp_path / "data"), "platform-token-for-restart-test")
    try:
        r = Api(again.base_url, again.platform_token).get(f"/platform/api/v1/accounts/{created['id']}")
        assert r.status_code == 200
        assert r.json()["name"] == "Durable"
    finally:
        assert again.stop() == 0


def test_first_start_generates_a_platform_token_and_prints_it_once(tmp_path):
    first = Server(str(tmp_path / "data"), None)
    match = re.search(r"Platform token \(shown once[^)]*\): ([0-9a-f]{48})", first.banner)
    assert match, first.banner
    token = match.group(1)
    assert Api(first.base_url, token).post("/platform/api/v1/accounts", json={"name": "Boot"}).status_code == 200
    assert first.stop() == 0
    stored = (tmp_path / "data" / "parley-server.json").read_text()
    assert token not in stored
    second = Server(str(tmp_path / "data"), None)
    try:
        assert "Platform token" not in second.banner
        assert Api(second.base_url, token).get("/platform/api/v1/accounts/1").json()["name"] == "Boot"
    finally:
        assert second.stop() == 0


def test_an_oversized_body_is_refused_with_413_and_nothing_is_written(server, platform):
    before = requests.get(server.base_url + "/readyz").json()["head"]
    r = platform.post("/platform/api/v1/accounts", data=b'{"name":"' + b"x" * (1 << 20) + b'"}')
    assert r.status_code == 413
    assert r.json()["error"]["code"] == "body_too_large"
    assert requests.get(server.base_url + "/readyz").json()["head"] == before


def test_metrics_cover_the_log_and_projection_lag(server, platform):
    def sample(text, metric, **labels):
        for line in text.splitlines():
            if line.startswith(metric + "{") and all(f'{k}="{v}"' in line for k, v in labels.items()):
                return float(line.rsplit(" ", 1)[1])
        return 0.0

    route = "/platform/api/v1/accounts"
    created = {"http_route": route, "http_request_method": "POST", "http_response_status_code": "200"}
    missing = {"http_route": route + "/{account_id}", "http_request_method": "GET", "http_response_status_code": "404"}
    before = requests.get(server.base_url + "/metrics").text
    for name in ("Metered", "Metered too", "Metered three"):
        assert platform.post(route, json={"name": name}).status_code == 200
    assert platform.get(route + "/99999").status_code == 404
    text = requests.get(server.base_url + "/metrics").text
    for name in ("parley_log_appended_entries_total", "parley_log_group_entries", "parley_log_fsync_seconds",
                 "parley_projection_lag_events", "http_server_request_duration"):
        assert name in text, name
    assert sample(text, "hb_requests", **created) - sample(before, "hb_requests", **created) == 3
    assert (sample(text, "http_server_request_duration_count", **created)
            - sample(before, "http_server_request_duration_count", **created)) == 3
    assert sample(text, "hb_requests", **missing) - sample(before, "hb_requests", **missing) == 1


def test_logs_are_json_lines_with_a_request_id(tmp_path):
    srv = Server(str(tmp_path / "data"), "platform-token-for-log-test", {"PARLEY_LOG_LEVEL": "info"})
    r = requests.get(srv.base_url + "/healthz")
    assert srv.stop() == 0
    srv.stderr.seek(0)
    records = [json.loads(line) for line in srv.stderr.read().decode().splitlines() if line.strip()]
    requests_logged = [rec for rec in records if rec.get("message") == "request" and rec.get("path") == "/healthz"]
    assert requests_logged and requests_logged[0]["request_id"] == r.headers["X-Request-Id"]
    assert requests_logged[0]["status"] == "200"
    assert re.fullmatch(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z", requests_logged[0]["time"])
