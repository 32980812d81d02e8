"""An LTI 1.3 platform emulator for the tests: it signs id_tokens with its own RSA key and
serves, on 127.0.0.1 (a threaded http.server on a free port), what a real LMS serves to a
tool: its JWKS, an OAuth2 token endpoint (checking the tool's signed client assertion
against the tool's published JWKS), line item score endpoints (recording every score), a
Names and Roles membership endpoint, and the two endpoints of Dynamic Registration."""

from __future__ import annotations

import html
import json
import threading
import time
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

import jwt
from jwcrypto.jwk import JWK

LTI = "https://purl.imsglobal.org/spec/lti/claim/"
ROLE = "http://purl.imsglobal.org/vocab/lis/v2/membership#"
INSTRUCTOR = [ROLE + "Instructor"]
LEARNER = [ROLE + "Learner"]
SCORE_SCOPE = "https://purl.imsglobal.org/spec/lti-ags/scope/score"


class Platform:
    client_id = "backprop-tool"
    deployment_id = "deployment-1"

    def __init__(self):
        self.key = JWK.generate(kty="RSA", size=2048, kid="platform-key-1")
        self.scores: list[dict] = []  # {"path", "body", "authorization"}
        self.score_answers: list[int] = []  # statuses to answer before 200s
        self.tokens: list[dict] = []  # the client assertions' claims, checked
        self.members: list[dict] = []
        self.tool_jwks: dict = {"keys": []}
        self.registrations: list[dict] = []
        self.auth_claims: dict = {}  # what /auth puts in the id_token (a browser's launch)
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(self))
        self.issuer = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def close(self):
        self.server.shutdown()
        self.server.server_close()

    # -- what an administrator pastes into the tool ------------------------------------
    @property
    def urls(self) -> dict:
        return {"issuer": self.issuer, "client_id": self.client_id,
                "auth_url": f"{self.issuer}/auth", "token_url": f"{self.issuer}/token",
                "jwks_url": f"{self.issuer}/jwks"}

    def lineitem(self, name: str) -> str:
        return f"{self.issuer}/lineitems/{name}"

    @property
    def memberships_url(self) -> str:
        return f"{self.issuer}/memberships"

    # -- id_tokens -------------------------------------------------------------------
    def sign(self, claims: dict, key: JWK | None = None, kid: str = "platform-key-1") -> str:
        pem = (key or self.key).export_to_pem(private_key=True, password=None)
        return jwt.encode(claims, pem, algorithm="RS256", headers={"kid": kid})

    def claims(self, nonce: str, *, sub: str, roles, message="LtiResourceLinkRequest",
               context="ctx-1", resource_link="rl-1", custom=None, lineitem=None,
               **extra) -> dict:
        now = int(time.time())
        body = {
            "iss": self.issuer, "aud": self.client_id, "sub": sub, "nonce": nonce,
            "iat": now, "exp": now + 300,
            LTI + "deployment_id": self.deployment_id, LTI + "message_type": message,
            LTI + "version": "1.3.0", LTI + "roles": roles,
            LTI + "context": {"id": context, "title": "Deep Learning 101", "label": "DL101"},
            "given_name": "Pat", "family_name": "Lee", "name": "Pat Lee",
            "email": "pat@example.org",
            "https://purl.imsglobal.org/spec/lti-nrps/claim/namesroleservice": {
                "context_memberships_url": self.memberships_url,
                "service_versions": ["2.0"]},
        }
        if message == "LtiResourceLinkRequest":
            body[LTI + "resource_link"] = {"id": resource_link, "title": "A quiz"}
            body[LTI + "target_link_uri"] = "http://testserver/lti/launch/"
            body["https://purl.imsglobal.org/spec/lti-ags/claim/endpoint"] = {
                "scope": [SCORE_SCOPE], "lineitems": f"{self.issuer}/lineitems",
                **({"lineitem": lineitem} if lineitem else {})}
        else:
            body["https://purl.imsglobal.org/spec/lti-dl/claim/deep_linking_settings"] = {
                "deep_link_return_url": f"{self.issuer}/deep-link-return",
                "accept_types": ["ltiResourceLink"],
                "accept_presentation_document_targets": ["iframe", "window"],
                "data": "platform-data-42"}
        if custom is not None:
            body[LTI + "custom"] = custom
        body.update(extra)
        return body

    def decode_tool_jwt(self, token: str, audience: str) -> dict:
        """A JWT the tool signed (a client assertion, a deep linking answer), verified
        against the keys the tool publishes."""
        kid = jwt.get_unverified_header(token)["kid"]
        key = next(k for k in self.tool_jwks["keys"] if k["kid"] == kid)
        public = jwt.PyJWK(key).key
        return jwt.decode(token, public, algorithms=["RS256"], audience=audience)


def _handler(platform: Platform):
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args):  # quiet
            pass

        def _send(self, status: int, body, content_type="application/json"):
            data = json.dumps(body).encode()
            self.send_response(status)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def _body(self) -> bytes:
            return self.rfile.read(int(self.headers.get("Content-Length") or 0))

        def _authorized(self) -> bool:
            issued = {t["access_token"] for t in platform.tokens}
            return self.headers.get("Authorization", "").removeprefix("Bearer ") in issued

        def _html(self, body: str):
            data = body.encode()
            self.send_response(200)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def do_GET(self):
            path = urlsplit(self.path).path
            query = {k: v[0] for k, v in parse_qs(urlsplit(self.path).query).items()}
            if path == "/favicon.ico":
                self.send_response(204)
                self.end_headers()
                return None
            if path == "/course":  # an LMS course page showing the tool in an iframe
                return self._html(
                    f'<h1>LMS course</h1><iframe name="tool" src="about:blank" width="900"'
                    f' height="600"></iframe><form id="go" method="post" target="tool" '
                    f'action="{html.escape(query["login"])}">'
                    f'<input type="hidden" name="iss" value="{platform.issuer}">'
                    f'<input type="hidden" name="login_hint" value="{query["user"]}">'
                    f'<input type="hidden" name="client_id" value="{platform.client_id}">'
                    f'<input type="hidden" name="target_link_uri" value="'
                    f'{html.escape(query["login"].replace("/login/", "/launch/"))}">'
                    '</form><script>document.getElementById("go").submit()</script>')
            if path == "/frame":  # any page of the tool in an iframe
                return self._html(f'<iframe name="tool" src="{html.escape(query["url"])}">'
                                  '</iframe>')
            if path == "/auth":  # OIDC authorization: the id_token, posted back
                claims = platform.claims(query["nonce"], sub=query["login_hint"],
                                         **platform.auth_claims)
                return self._html(
                    f'<form id="back" method="post" action="{html.escape(query["redirect_uri"])}">'
                    f'<input type="hidden" name="id_token" value="{platform.sign(claims)}">'
                    f'<input type="hidden" name="state" value="{html.escape(query["state"])}">'
                    '</form><script>document.getElementById("back").submit()</script>')
            if path == "/jwks":
                return self._send(200, {"keys": [json.loads(platform.key.export_public())]})
            if path == "/memberships":
                if not self._authorized():
                    return self._send(401, {"error": "no token"})
                return self._send(200, {"id": path, "context": {"id": "ctx-1"},
                                        "members": platform.members},
                                  "application/vnd.ims.lti-nrps.v2.membershipcontainer+json")
            if path == "/.well-known/openid-configuration":
                return self._send(200, {
                    "issuer": platform.issuer,
                    "authorization_endpoint": f"{platform.issuer}/auth",
                    "token_endpoint": f"{platform.issuer}/token",
                    "jwks_uri": f"{platform.issuer}/jwks",
                    "registration_endpoint": f"{platform.issuer}/register",
                    "https://purl.imsglobal.org/spec/lti-platform-configuration": {
                        "product_family_code": "emulator", "version": "1"}})
            return self._send(404, {"error": "not found"})

        def do_POST(self):
            path = urlsplit(self.path).path
            body = self._body()
            if path == "/token":
                form = {k: v[0] for k, v in parse_qs(body.decode()).items()}
                try:
                    claims = platform.decode_tool_jwt(form["client_assertion"],
                                                      f"{platform.issuer}/token")
                except Exception as exc:  # noqa: BLE001 - answer like a platform would
                    return self._send(401, {"error": "invalid_client", "detail": str(exc)})
                token = {"access_token": "token-" + uuid.uuid4().hex,
                         "token_type": "Bearer", "expires_in": 3600,
                         "scope": form.get("scope", ""), "claims": claims}
                platform.tokens.append(token)
                return self._send(200, {k: token[k] for k in ("access_token", "token_type",
                                                             "expires_in", "scope")})
            if path.startswith("/lineitems/") and path.endswith("/scores"):
                if not self._authorized():
                    return self._send(401, {"error": "no token"})
                if platform.score_answers:
                    status = platform.score_answers.pop(0)
                    return self._send(status, {"error": f"answering {status}"})
                platform.scores.append({"path": path, "body": json.loads(body),
                                        "content_type": self.headers["Content-Type"]})
                return self._send(200, {"resultUrl": path.replace("/scores", "/results/1")})
            if path == "/register":
                if self.headers.get("Authorization") != "Bearer reg-token-1":
                    return self._send(401, {"error": "bad registration token"})
                request = json.loads(body)
                platform.registrations.append(request)
                return self._send(200, {
                    **request, "client_id": "dyn-client-7",
                    "https://purl.imsglobal.org/spec/lti-tool-configuration": {
                        **request["https://purl.imsglobal.org/spec/lti-tool-configuration"],
                        "deployment_id": "dyn-deployment-1"}})
            return self._send(404, {"error": "not found"})

    return Handler
