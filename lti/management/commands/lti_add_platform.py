"""Register an LMS (an LTI 1.3 platform) and print the URLs to paste into it."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.core.validators import URLValidator

from lti import registration


class Command(BaseCommand):
    help = ("Register an LTI 1.3 platform (issuer, client ID, its endpoints) and print the "
            "tool's URLs; --dynamic prints a Dynamic Registration URL instead.")

    def add_arguments(self, parser):
        parser.add_argument("--issuer")
        parser.add_argument("--client-id")
        parser.add_argument("--auth-url", help="the platform's OIDC authorization endpoint")
        parser.add_argument("--token-url", help="the platform's OAuth2 token endpoint")
        parser.add_argument("--jwks-url", help="the platform's public keys (JWKS)")
        parser.add_argument("--deployment-id", default="",
                            help="activate this deployment at once")
        parser.add_argument("--name", default="")
        parser.add_argument("--audience", default="",
                            help="the token endpoint's audience, if not its URL (Moodle, "
                                 "Canvas: leave empty)")
        parser.add_argument("--tool-url", default=settings.LTI_TOOL_URL,
                            help="this tool's public address (default: LTI_TOOL_URL)")
        parser.add_argument("--dynamic", action="store_true",
                            help="print a one-day Dynamic Registration URL and stop")

    def handle(self, *args, **options):
        base = options["tool_url"]
        if options["dynamic"]:
            self.stdout.write("Paste this URL into the LMS's dynamic registration "
                              "(valid for a day):")
            self.stdout.write(registration.dynamic_registration_url(base))
            return
        needed = ("issuer", "client_id", "auth_url", "token_url", "jwks_url")
        missing = ["--" + name.replace("_", "-") for name in needed if not options[name]]
        if missing:
            raise CommandError(f"missing {', '.join(missing)} (or use --dynamic)")
        for name in ("auth_url", "token_url", "jwks_url"):
            try:
                URLValidator(schemes=["http", "https"])(options[name])
            except ValidationError:
                raise CommandError(f"--{name.replace('_', '-')} is not a URL") from None
        made = registration.add_platform(
            issuer=options["issuer"], client_id=options["client_id"],
            auth_url=options["auth_url"], token_url=options["token_url"],
            jwks_url=options["jwks_url"], deployment_id=options["deployment_id"],
            name=options["name"], audience=options["audience"])
        urls = registration.tool_urls(base)
        self.stdout.write(f"Registered {made.name} (issuer {made.issuer}, client ID "
                          f"{made.client_id}).")
        if not options["deployment_id"]:
            self.stdout.write("No deployment ID given: launches are refused until you "
                              "activate their deployment in the admin (LTI deployments).")
        self.stdout.write("Paste into the LMS:")
        for label, key in (("OIDC login / initiation URL", "login"),
                           ("Target link / redirect URI", "launch"),
                           ("Deep Linking URL", "deep_linking"),
                           ("Public keyset (JWKS) URL", "jwks"), ("Domain", "domain")):
            self.stdout.write(f"  {label + ':':30} {urls[key]}")
