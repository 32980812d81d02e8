"""Iframes and cookies for LTI launches.

An LMS shows the tool in an iframe. The pages of a launch — the launch itself, the quiz and
item pages reached from it, the gradebook an instructor lands on, the content picker — may
be framed by that platform's origins (its issuer's and login URL's, kept in the session at
launch), never by '*'. Every other page, and every page of an ordinary session, keeps
`frame-ancestors 'none'` and `X-Frame-Options: DENY` from the settings.

Inside a cross-site iframe a browser sends only `SameSite=None; Secure` cookies, so over
HTTPS the session and CSRF cookies of a launch's session are sent that way; ordinary
sessions keep the default (Lax). Over plain HTTP (development) nothing changes: browsers
refuse SameSite=None without Secure."""

from __future__ import annotations

from django.conf import settings

SESSION_ORIGINS = "lti_frame_origins"

# The pages a launch leads to (URL names), and nothing else.
FRAMED_VIEWS = frozenset({
    "lti:launch", "lti:continue", "lti:deep_link",
    "exercises:quiz", "exercises:item", "admin:exercises_quiz_gradebook",
    "admin:lti_resend_score",
})


def allow_framing(response, origins, form_action=()):
    """Let these origins frame the response (and its forms post to `form_action`)."""
    origins = [o for o in origins if o]
    if not origins:
        return response
    replace = {"frame-ancestors": origins}
    targets = [o for o in form_action if o]
    if targets:
        replace["form-action"] = ["'self'", *targets]
    response._csp_replace = replace
    response.xframe_options_exempt = True
    return response


class LtiFramingMiddleware:
    """Listed after the CSP and X-Frame-Options middleware, so it runs before they answer."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        match = getattr(request, "resolver_match", None)
        if (match is not None and match.view_name in FRAMED_VIEWS
                and not getattr(response, "xframe_options_exempt", False)
                and hasattr(request, "session")):
            allow_framing(response, request.session.get(SESSION_ORIGINS) or ())
        return response


class LtiCookieMiddleware:
    """Listed before the session middleware, so it sees the cookies that one and the CSRF
    middleware set, and marks them SameSite=None; Secure in a launch's session."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        names = [name for name in (settings.SESSION_COOKIE_NAME, settings.CSRF_COOKIE_NAME)
                 if name in response.cookies]
        if (names and request.is_secure() and hasattr(request, "session")
                and request.session.get(SESSION_ORIGINS)):
            for name in names:
                response.cookies[name]["samesite"] = "None"
                response.cookies[name]["secure"] = True
        return response
