"""The pylti1p3 side of the tool: finding a platform's registration, the OIDC login, and the
checks on an id_token. pylti1p3 checks the signature (against the platform's JWKS), the
audience, the expiry and the message; we add the state and nonce, kept server-side and used
once (`LoginState`), so a launch survives third-party-cookie blocking and a replay is
refused. Nothing here knows about quizzes or courses (that is `lti.launch`)."""

from __future__ import annotations

from datetime import timedelta
from urllib.parse import urlsplit

import requests
from django.utils import timezone
from django.utils.translation import gettext
from lti_tool.models import Key, LtiRegistration
from lti_tool.utils import DjangoToolConfig
from pylti1p3.contrib.django import DjangoMessageLaunch, DjangoOIDCLogin
from pylti1p3.contrib.django.session import DjangoSessionService
from pylti1p3.exception import LtiException, OIDCException

from .models import DeepLinkRequest, LaunchTicket, LoginState

LOGIN_STATE_LIFETIME = timedelta(minutes=10)  # from login initiation to the launch POST
PLATFORM_TIMEOUT = 10  # seconds for any call to a platform (JWKS, token, scores, roster)


class LaunchRefused(Exception):
    """A login or launch we refuse: a clear sentence for the person, a 4xx status."""

    def __init__(self, message: str, status: int = 400, detail: str = "",
                 registration: LtiRegistration | None = None):
        super().__init__(message)
        self.message = message
        self.status = status
        self.detail = detail
        self.registration = registration


class TimeoutSession(requests.Session):
    """pylti1p3 calls platforms without a timeout; a hung platform must not hang a worker."""

    def request(self, *args, timeout=None, **kwargs):
        return super().request(*args, timeout=timeout or PLATFORM_TIMEOUT, **kwargs)


def origin(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}" if parts.scheme and parts.netloc else ""


def frame_origins(registration: LtiRegistration) -> list[str]:
    """Who may frame the pages of this platform's launches: its issuer's and login's
    origins (never '*')."""
    found = [origin(registration.issuer), origin(registration.auth_url)]
    return list(dict.fromkeys(o for o in found if o))


def launch_frame_origins(registration: LtiRegistration, claims: dict) -> list[str]:
    """frame_origins, plus the LMS page the signed launch itself names: Canvas, say, issues
    as canvas.instructure.com but shows courses on the school's own host."""
    presentation = claims.get("https://purl.imsglobal.org/spec/lti/claim/launch_presentation")
    deep_linking = claims.get(
        "https://purl.imsglobal.org/spec/lti-dl/claim/deep_linking_settings")
    named = [(presentation or {}).get("return_url", ""),
             (deep_linking or {}).get("deep_link_return_url", "")]
    found = frame_origins(registration) + [origin(str(url)) for url in named]
    return list(dict.fromkeys(o for o in found if o.startswith("https://")
                              or o in frame_origins(registration)))


def current_key() -> Key:
    """The tool's signing key (made on first use; rotated with `manage.py rotate_keys`)."""
    key = Key.objects.active().order_by("-datetime_created").first()
    return key or Key.objects.generate()


class ToolConfig(DjangoToolConfig):
    """django-lti's lookup by issuer and client ID; a platform that leaves the client ID out
    of its login request is found by issuer when it has one registration only."""

    def find_registration_by_params(self, iss, client_id, *args, **kwargs):
        if client_id is None:
            candidates = list(LtiRegistration.objects.active().filter(issuer=iss)[:2])
            if len(candidates) != 1:
                return None
            client_id = candidates[0].client_id
        current_key()  # to_registration() needs an active key
        return super().find_registration_by_params(iss, client_id, *args, **kwargs)


class ServerSideState(DjangoSessionService):
    """pylti1p3 saves the nonce, then the state's parameters: we store both as one row."""

    def __init__(self, request, config: ToolConfig):
        super().__init__(request)
        self.config = config
        self.nonce = ""

    def save_nonce(self, nonce: str):
        self.nonce = nonce

    def save_state_params(self, state: str, params):
        LoginState.objects.create(state=state, nonce=self.nonce,
                                  registration=self.config.registration)


def login_redirect(request, launch_url: str):
    """The answer to an OIDC login initiation: a redirect to the platform's authorization
    endpoint, with a new state and nonce."""
    config = ToolConfig()
    login = DjangoOIDCLogin(request, config, session_service=ServerSideState(request, config))
    login.pass_params_to_launch({"tool": "backprop-course"})  # makes pylti1p3 save the state
    _forget_old(timezone.now() - timedelta(days=1))
    try:
        return login.redirect(launch_url)
    except OIDCException as exc:
        raise LaunchRefused(
            gettext("This login request does not come from a platform registered with this tool "
            "(check the issuer and client ID registered here)."), detail=str(exc)) from None


def _forget_old(before) -> None:
    """Login states, tickets and picker requests are minutes-long: a day old is waste."""
    for model in (LoginState, LaunchTicket, DeepLinkRequest):
        model.objects.filter(created_at__lt=before).delete()


class ToolLaunch(DjangoMessageLaunch):
    _login_state: LoginState | None = None

    def __init__(self, request, config: ToolConfig):
        super().__init__(request, config, requests_session=TimeoutSession())

    def validate_state(self):
        state = self._get_request_param("state")
        if not state:
            raise LaunchRefused(
                gettext("This launch has no state: start it again from your course."))
        row = LoginState.objects.filter(state=state).select_related("registration").first()
        if row is None or row.created_at < timezone.now() - LOGIN_STATE_LIFETIME:
            raise LaunchRefused(gettext("This launch has expired or did not start here: open the "
                                "activity again from your course."))
        if row.used_at is not None:
            raise LaunchRefused(gettext("This launch was already used; a launch is used once. Open "
                                "the activity again from your course."), status=403)
        cookie = self._cookie_service.get_cookie(state)
        if cookie is not None and cookie != state:  # a cookie, when it is kept, must agree
            raise LaunchRefused(gettext("This launch's state does not match this browser's."),
                                status=403)
        self._login_state = row
        return self

    def validate_nonce(self):
        nonce = self._get_jwt_body().get("nonce")
        if not nonce or nonce != self._login_state.nonce:
            raise LaunchRefused(gettext("This launch's nonce is not the one issued at login (a "
                                "replayed or forged launch)."), status=403)
        return self

    def validate_registration(self):
        super().validate_registration()
        body = self._get_jwt_body()
        aud = body.get("aud")
        audiences = aud if isinstance(aud, list) else [aud]
        client_id = self._registration.get_client_id()
        if client_id not in audiences or (len(audiences) > 1 and body.get("azp") != client_id):
            raise LtiException("the audience is not this tool's client ID")
        if self._tool_config.registration.pk != self._login_state.registration_id:
            raise LtiException("the launch comes from another platform than its login")
        return self

    def save_launch_data(self):
        # Used once: of two concurrent posts of one id_token only one marks it used.
        used = LoginState.objects.filter(pk=self._login_state.pk, used_at__isnull=True).update(
            used_at=timezone.now())
        if not used:
            raise LaunchRefused(gettext("This launch was already used; a launch is used once."),
                                status=403)
        return self  # nothing in pylti1p3's session storage: lti.launch keeps what it needs


def validated_launch(request) -> ToolLaunch:
    """The launch, with every check passed; LaunchRefused (4xx) otherwise."""
    config = ToolConfig()
    launch = ToolLaunch(request, config)
    try:
        launch.validate()
    except LtiException as exc:
        raise LaunchRefused(
            gettext("This launch could not be verified: its signature, audience or expiry does not "
            "match what the platform registered here. Open the activity again from your "
            "course; if it keeps failing, ask your administrator to check the registration."),
            status=403, detail=str(exc), registration=config.registration) from None
    return launch
