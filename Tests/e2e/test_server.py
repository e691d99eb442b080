"""The running server: health, readiness, metrics, errors and shutdown."""

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
