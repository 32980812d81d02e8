"""Operations through a real gunicorn (DEBUG off, `make serve`'s config): a JSON log line
per request with its request id, on stdout of the workers; chunked bodies; health and
metrics across workers; two instances side by side. In process: tests/api/test_operations.py."""

from __future__ import annotations

import http.client
import json
import urllib.request

import pytest

from bench.http import Server


def chunked_post(port: int, path: str, body: bytes, chunk: int = 64 * 1024):
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    connection.putrequest("POST", path)
    connection.putheader("Content-Type", "application/json")
    connection.putheader("Transfer-Encoding", "chunked")
    connection.endheaders()
    try:
        for start in range(0, len(body), chunk):
            part = body[start:start + chunk]
            connection.send(b"%x\r\n%s\r\n" % (len(part), part))
        connection.send(b"0\r\n\r\n")
    except (BrokenPipeError, ConnectionResetError):
        pass  # the server may answer (and close) before the last chunk
    response = connection.getresponse()
    answer = response.status, json.loads(response.read() or b"null")
    connection.close()
    return answer


def json_lines(text: str) -> list[dict]:
    lines = []
    for line in text.splitlines():
        try:
            lines.append(json.loads(line))
        except ValueError:
            continue
    return lines


@pytest.mark.postgres
def test_logs_chunked_bodies_health_and_metrics_through_gunicorn(live_database):
    with Server(live_database, workers=2, floor=False,
                env={"GUNICORN_LOG_LEVEL": "info"}) as server:
        request = urllib.request.Request(server.url + "/api/v1/",
                                         headers={"X-Request-ID": "ci-run-1"})
        index = urllib.request.urlopen(request, timeout=10)
        assert index.status == 200 and index.headers["X-Request-ID"] == "ci-run-1"
        assert json.loads(index.read())["resources"]["courses"].endswith("/api/v1/courses/")

        assert chunked_post(server.port, "/api/v1/auth/token/", b"x" * (1024 * 1024)) == (
            413, {"detail": "The request body is too large."})
        status, body = chunked_post(server.port, "/api/v1/auth/token/",
                                    json.dumps({"username": "nobody",
                                                "password": "wrong"}).encode())
        assert status == 400 and "username" not in body, body  # the body was read

        ready = urllib.request.urlopen(server.url + "/readyz", timeout=10)
        assert json.loads(ready.read())["checks"]["migrations"]["status"] == "ok"
        for _ in range(6):  # spread over both workers
            urllib.request.urlopen(server.url + "/healthz", timeout=10).read()
        metrics = urllib.request.urlopen(server.url + "/metrics", timeout=10).read().decode()
        served = sum(float(line.rsplit(" ", 1)[1]) for line in metrics.splitlines()
                     if line.startswith("django_http_requests_total_by_view_transport_method"
                                        "_total{") and 'view="healthz"' in line)
        assert served == 6  # added up over the workers (multiprocess mode)
        server.stop()
        server.log.seek(0)
        output = server.log.read().decode(errors="replace")

    lines = json_lines(output)
    (line,) = [item for item in lines if item.get("request_id") == "ci-run-1"]
    assert {key: line[key] for key in ("method", "path", "route", "status", "user_id")} == {
        "method": "GET", "path": "/api/v1/", "route": "api/v1/", "status": 200,
        "user_id": None}
    assert line["duration_ms"] > 0 and line["level"] == "INFO"
    refused = [item for item in lines if item.get("path") == "/api/v1/auth/token/"]
    assert sorted(item["status"] for item in refused) == [400, 413]
    assert any(item.get("logger") == "gunicorn.error" for item in lines)  # gunicorn's own
    assert "Traceback" not in output


def test_two_instances_on_one_host_share_no_control_socket(live_database, tmp_path):
    """gunicorn's control socket would be $HOME/.gunicorn/gunicorn.ctl for every instance:
    off unless GUNICORN_CONTROL_SOCKET names one (then each instance its own)."""
    home = {"HOME": str(tmp_path), "XDG_RUNTIME_DIR": ""}
    with Server(live_database, workers=1, floor=False, env=home) as one, \
            Server(live_database, workers=1, floor=False, env=home) as two:
        for server in (one, two):
            assert urllib.request.urlopen(server.url + "/healthz", timeout=10).status == 200
        assert not (tmp_path / ".gunicorn").exists()
    own = tmp_path / "one.ctl"
    with Server(live_database, workers=1, floor=False,
                env={**home, "GUNICORN_CONTROL_SOCKET": str(own)}) as server:
        assert urllib.request.urlopen(server.url + "/healthz", timeout=10).status == 200
        assert own.is_socket()
