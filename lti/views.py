"""The tool's endpoints: OIDC login, launch, JWKS, the launch's continuation (a one-time
ticket), the Deep Linking picker and Dynamic Registration. Thin: `lti.tool` verifies,
`lti.launch`, `lti.deep_linking` and `lti.registration` decide; every refusal is a clear
4xx page (`problem`), never a traceback."""

from __future__ import annotations

from datetime import timedelta

from django.contrib.auth import login as auth_login
from django.contrib.auth.forms import AuthenticationForm
from django.db import DataError, transaction
from django.http import JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from lti_tool.models import Key, LtiLaunch
from lti_tool.utils import sync_data_from_launch

from . import deep_linking, registration, tool
from . import launch as landing
from .framing import SESSION_ORIGINS, allow_framing
from .models import DeepLinkRequest, LaunchTicket
from .tool import LaunchRefused

TICKET_LIFETIME = timedelta(minutes=10)
DEEP_LINK_LIFETIME = timedelta(hours=1)


def problem(request, exc: LaunchRefused, origins=()):
    response = render(request, "lti/problem.html",
                      {"message": exc.message, "detail": exc.detail}, status=exc.status)
    if exc.registration is not None:
        origins = tool.frame_origins(exc.registration)
    return allow_framing(response, origins)


def launch_url(request) -> str:
    return request.build_absolute_uri(reverse("lti:launch"))


def start_session(request, user, origins) -> None:
    auth_login(request, user, backend="django.contrib.auth.backends.ModelBackend")
    request.session[SESSION_ORIGINS] = list(origins)


@require_GET
def jwks(request):
    tool.current_key()
    return JsonResponse(Key.objects.as_jwks())


@csrf_exempt  # a cross-site form post from the platform, checked by its own parameters
@require_http_methods(["GET", "POST"])
def login(request):
    try:
        return tool.login_redirect(request, launch_url(request))
    except LaunchRefused as exc:
        return problem(request, exc)


@csrf_exempt  # the platform's form post; the id_token, state and nonce are the checks
@require_POST
def launch(request):
    origins: list[str] = []
    try:
        message = tool.validated_launch(request)
        lti_launch = LtiLaunch(message)
        origins = tool.launch_frame_origins(lti_launch.registration,
                                            lti_launch.get_launch_data())
        with transaction.atomic():
            sync_data_from_launch(lti_launch)
            if not lti_launch.deployment.is_active:
                raise LaunchRefused(
                    f"The deployment {lti_launch.deployment.deployment_id!r} of this platform "
                    "is not activated here: an administrator activates it in the admin (LTI "
                    "deployments) or registers it with lti_add_platform --deployment-id.",
                    status=403, registration=lti_launch.registration)
            where = landing.land(lti_launch)
            ticket = LaunchTicket.objects.create(
                lti_user=where.lti_user, user=where.user, target=where.target,
                teach_course=where.teach_course, frame_origins=origins)
    except LaunchRefused as exc:
        return problem(request, exc, origins)
    except (KeyError, TypeError, AttributeError, ValueError, DataError) as exc:
        # Signed, but claims of the wrong shape or size (django-lti reads them as given).
        return problem(request, LaunchRefused(
            gettext("This launch's claims are not what LTI 1.3 describes (a missing or malformed "
            "value): the platform's administrator can check its LTI settings."),
            detail=f"{type(exc).__name__}: {exc}"), origins)
    if where.user is not None:
        start_session(request, where.user, origins)
    return allow_framing(redirect("lti:continue", ticket.token), origins)


@csrf_exempt  # the sign-in form carries the one-time ticket, which stands for a CSRF token
@require_http_methods(["GET", "POST"])
def continue_launch(request, token: str):
    """Go on to the launch's target. With the session cookie kept, at once; in an iframe
    whose cookie was blocked, through a link that opens the ticket in a new window; for an
    instructor not yet known here, after signing in once with their account."""
    ticket = LaunchTicket.objects.filter(token=token).select_related(
        "lti_user__registration", "teach_course", "user").first()
    if ticket is None or ticket.created_at < timezone.now() - TICKET_LIFETIME:
        return problem(request, LaunchRefused(
            gettext("This link has expired: open the activity again from your course.")))
    origins = ticket.frame_origins
    if ticket.user_id is None:
        form = AuthenticationForm(request, data=request.POST or None)
        if request.method != "POST" or not form.is_valid():
            return allow_framing(render(request, "lti/link_account.html", {
                "form": form, "platform": ticket.lti_user.registration.name},
                status=400 if request.method == "POST" else 200), origins)
        user = form.get_user()
        try:
            landing.link_account(ticket.lti_user, user)
        except LaunchRefused as exc:
            return problem(request, exc, origins)
        if ticket.teach_course is not None:
            ticket.teach_course.instructors.add(user)
        LaunchTicket.objects.filter(pk=ticket.pk).update(user=user)
        start_session(request, user, origins)
        return allow_framing(redirect("lti:continue", ticket.token), origins)
    if ticket.target.startswith(reverse("admin:index")) and not ticket.user.is_staff:
        return problem(request, LaunchRefused(
            gettext("Your account here cannot open the instructors' pages (the gradebook): an "
            "administrator makes it a staff account."), status=403), origins)
    if request.user.is_authenticated and request.user.pk == ticket.user_id:
        return allow_framing(redirect(ticket.target), origins)
    if request.GET.get("window") == "new":
        used = LaunchTicket.objects.filter(pk=ticket.pk, used_at__isnull=True).update(
            used_at=timezone.now())
        if not used:
            return problem(request, LaunchRefused(
                gettext("This link was used already: open the activity again from your course."),
                status=403))
        start_session(request, ticket.user, origins)
        return redirect(ticket.target)
    return allow_framing(render(request, "lti/cookies_blocked.html", {
        "url": reverse("lti:continue", args=[ticket.token]) + "?window=new"}), origins)


@require_http_methods(["GET", "POST"])
def deep_link(request, token: str):
    """The instructor picks a quiz, or one item, by title; the answer goes to the LMS."""
    found = DeepLinkRequest.objects.filter(token=token).select_related(
        "lti_user__registration", "context").first()
    if found is None or found.answered_at is not None or (
            found.created_at < timezone.now() - DEEP_LINK_LIFETIME):
        return problem(request, LaunchRefused(
            gettext("This content picker has expired: open it again from your LMS.")))
    origins = tool.frame_origins(found.lti_user.registration)
    user = request.user if request.user.is_authenticated else None
    if user is None or landing.account_for(found.lti_user) != user:
        return problem(request, LaunchRefused(
            gettext("Open the content picker from your LMS (this page belongs to another "
                    "sign-in)."),
            status=403), origins)
    choices = deep_linking.choices(user, found.context)
    if request.method == "POST":
        try:
            answer = deep_linking.answer(found, user, request.POST.get("choice", ""),
                                         launch_url(request))
        except LaunchRefused as exc:
            return problem(request, exc, origins)
        response = render(request, "lti/deep_link_response.html", answer)
        allow_framing(response, origins, form_action=[tool.origin(answer["return_url"])])
        return response
    return allow_framing(render(request, "lti/deep_link.html", {
        "choices": choices, "context": found.context}), origins)


@require_GET
def register(request):
    """LTI Dynamic Registration: the platform opens this page with its configuration URL
    and a registration token; the signed `key` parameter (lti_add_platform --dynamic)
    says an administrator of this tool handed the URL out."""
    try:
        made = registration.dynamic_register(
            key=request.GET.get("key", ""),
            openid_configuration=request.GET.get("openid_configuration", ""),
            registration_token=request.GET.get("registration_token", ""),
            urls=registration.tool_urls(request.build_absolute_uri("/").rstrip("/")))
    except LaunchRefused as exc:  # an error page only, framed by the platform that asked
        return problem(request, exc, [tool.origin(request.GET.get("openid_configuration", ""))])
    response = render(request, "lti/registered.html", {"registration": made})
    return allow_framing(response, tool.frame_origins(made))
