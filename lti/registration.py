"""Registering platforms: by hand (`manage.py lti_add_platform`, or the admin) and by LTI
Dynamic Registration, where the platform hands us its configuration and we register
ourselves with it. Only a URL an administrator made (`dynamic_registration_url`, signed,
valid for a day) may register a platform this way: otherwise anyone could add one."""

from __future__ import annotations

from urllib.parse import urlencode, urlsplit

from django.core import signing
from django.db import transaction
from lti_tool.models import LtiDeployment, LtiRegistration
from pylti1p3.exception import LtiException

from .tool import LaunchRefused, TimeoutSession, current_key

KEY_SALT = "lti.dynamic-registration"
KEY_MAX_AGE = 24 * 3600
TOOL_CONFIG = "https://purl.imsglobal.org/spec/lti-tool-configuration"
PLATFORM_CONFIG = "https://purl.imsglobal.org/spec/lti-platform-configuration"
SCOPES = (
    "https://purl.imsglobal.org/spec/lti-ags/scope/lineitem",
    "https://purl.imsglobal.org/spec/lti-ags/scope/result.readonly",
    "https://purl.imsglobal.org/spec/lti-ags/scope/score",
    "https://purl.imsglobal.org/spec/lti-nrps/scope/contextmembership.readonly",
)


def tool_urls(base: str) -> dict:
    base = base.rstrip("/")
    return {"login": f"{base}/lti/login/", "launch": f"{base}/lti/launch/",
            "jwks": f"{base}/lti/jwks/", "deep_linking": f"{base}/lti/launch/",
            "register": f"{base}/lti/register/", "domain": urlsplit(base).netloc}


@transaction.atomic
def add_platform(*, issuer: str, client_id: str, auth_url: str, token_url: str,
                 jwks_url: str, deployment_id: str = "", name: str = "",
                 audience: str = "") -> LtiRegistration:
    """Register (or update) a platform; a named deployment is active at once."""
    registration, _ = LtiRegistration.objects.update_or_create(
        issuer=issuer, client_id=client_id, defaults={
            "name": name or urlsplit(issuer).netloc or issuer, "auth_url": auth_url,
            "token_url": token_url, "keyset_url": jwks_url, "audience": audience,
            "is_active": True})
    if deployment_id:
        LtiDeployment.objects.update_or_create(registration=registration,
                                               deployment_id=deployment_id,
                                               defaults={"is_active": True})
    current_key()
    return registration


def dynamic_registration_url(base: str) -> str:
    key = signing.dumps("register", salt=KEY_SALT)
    return f"{tool_urls(base)['register']}?{urlencode({'key': key})}"


def _json(response, what: str) -> dict:
    if not response.ok:
        raise LaunchRefused(f"The platform refused the {what} ({response.status_code}).",
                            status=502, detail=response.text[:500])
    try:
        body = response.json()
    except ValueError:
        body = None
    if not isinstance(body, dict):
        raise LaunchRefused(f"The platform's {what} is not a JSON object.", status=502)
    return body


def dynamic_register(*, key: str, openid_configuration: str, registration_token: str,
                     urls: dict) -> LtiRegistration:
    try:
        signing.loads(key, salt=KEY_SALT, max_age=KEY_MAX_AGE)
    except signing.BadSignature:
        raise LaunchRefused("This registration link is not valid (or older than a day): an "
                            "administrator makes one with `manage.py lti_add_platform "
                            "--dynamic`.", status=403) from None
    if not openid_configuration.startswith(("https://", "http://")):
        raise LaunchRefused("Open this page from the LMS's tool registration (it passes "
                            "openid_configuration).")
    http = TimeoutSession()
    try:
        config = _json(http.get(openid_configuration), "configuration")
        issuer = str(config.get("issuer", ""))
        # The issuer must be where the configuration came from (the spec's check).
        if not issuer or not openid_configuration.startswith(issuer.rstrip("/")):
            raise LaunchRefused("The platform's issuer does not match its configuration URL.",
                                status=400)
        needed = ("authorization_endpoint", "token_endpoint", "jwks_uri",
                  "registration_endpoint")
        missing = [name for name in needed if not config.get(name)]
        if missing:
            raise LaunchRefused(f"The platform's configuration lacks {', '.join(missing)}.")
        headers = {"Authorization": f"Bearer {registration_token}"} if registration_token \
            else {}
        answer = _json(http.post(config["registration_endpoint"], json=_client(urls),
                                 headers=headers), "registration")
    except (OSError, LtiException) as exc:  # requests' errors are OSErrors
        raise LaunchRefused("The platform could not be reached.", status=502,
                            detail=str(exc)) from None
    if not answer.get("client_id"):
        raise LaunchRefused("The platform's registration answer has no client_id.", 502)
    deployment = str((answer.get(TOOL_CONFIG) or {}).get("deployment_id") or "")
    product = (config.get(PLATFORM_CONFIG) or {}).get("product_family_code", "")
    return add_platform(issuer=issuer, client_id=str(answer["client_id"]),
                        auth_url=config["authorization_endpoint"],
                        token_url=config["token_endpoint"], jwks_url=config["jwks_uri"],
                        deployment_id=deployment,
                        name=" ".join(filter(None, [product, urlsplit(issuer).netloc])))


def _client(urls: dict) -> dict:
    """What we ask the platform to register (LTI Dynamic Registration, tool configuration)."""
    return {
        "application_type": "web", "response_types": ["id_token"],
        "grant_types": ["implicit", "client_credentials"],
        "initiate_login_uri": urls["login"], "redirect_uris": [urls["launch"]],
        "client_name": "backprop-course", "jwks_uri": urls["jwks"],
        "token_endpoint_auth_method": "private_key_jwt", "scope": " ".join(SCOPES),
        TOOL_CONFIG: {
            "domain": urls["domain"], "target_link_uri": urls["launch"],
            "claims": ["iss", "sub", "name", "given_name", "family_name"],
            "messages": [{"type": "LtiDeepLinkingRequest", "target_link_uri": urls["launch"],
                          "label": "backprop-course quiz"}],
        },
    }
