"""For load balancers and monitoring: /healthz, /readyz, /metrics.

/healthz  the process answers; touches nothing (no database, no cache), so a liveness probe
          never restarts a healthy worker because PostgreSQL is slow.
/readyz   every dependency this deployment is configured with answers: the database, every
          migration applied, the cache (Redis) and the Celery broker when configured. JSON
          with each check's status; 503 when one fails, so a load balancer stops sending.
/metrics  Prometheus text, only to METRICS_ALLOWED_IPS (addresses or networks); 403 else.

Checks are django-health-check's where it has one (database, cache).
"""

from __future__ import annotations

import asyncio
import dataclasses
import datetime
import ipaddress
import logging
from functools import lru_cache

from django.conf import settings
from django.db import connections
from django.db.migrations.executor import MigrationExecutor
from django.http import HttpResponseForbidden, JsonResponse
from django.views.decorators.cache import never_cache
from django_prometheus.exports import ExportToDjangoView
from health_check.base import HealthCheck
from health_check.checks import Cache, Database
from health_check.exceptions import ServiceUnavailable
from health_check.views import HealthCheckView

log = logging.getLogger(__name__)


@never_cache
def healthz(request):
    return JsonResponse({"status": "ok"})


@dataclasses.dataclass
class Migrations(HealthCheck):
    """Every migration in the code is applied (a deploy that forgot `migrate` fails)."""

    alias: str = "default"

    def run(self):
        connection = connections[self.alias]
        try:
            executor = MigrationExecutor(connection)
            plan = executor.migration_plan(executor.loader.graph.leaf_nodes())
        except Exception as exc:  # the database check reports why in detail
            raise ServiceUnavailable("could not read the migration table") from exc
        finally:
            connection.close()  # this runs in a worker thread: don't leave it open
        if plan:
            raise ServiceUnavailable(f"{len(plan)} migration(s) not applied")


@dataclasses.dataclass
class CeleryBroker(HealthCheck):
    """The broker accepts a connection (workers are not required: without one, jobs wait)."""

    timeout: datetime.timedelta = dataclasses.field(default=datetime.timedelta(seconds=2),
                                                    repr=False)

    def run(self):
        from .celery import app

        try:
            with app.connection_for_write() as connection:
                connection.ensure_connection(max_retries=1,
                                             timeout=self.timeout.total_seconds())
        except Exception as exc:
            raise ServiceUnavailable("the Celery broker is unreachable") from exc


def configured_checks() -> list[tuple[str, HealthCheck]]:
    checks = [("database", Database()), ("migrations", Migrations())]
    if settings.REDIS_URL:
        checks.append(("cache", Cache()))
    if settings.CELERY_BROKER_URL:
        checks.append(("celery_broker", CeleryBroker()))
    return checks


class ReadinessView(HealthCheckView):
    """django-health-check's view, always answering JSON, with 503 (not 500) on failure."""

    async def get(self, request, *args, **kwargs):
        named = configured_checks()
        with self.get_executor() as executor:
            results = await asyncio.gather(*(check.get_result(executor) for _, check in named))
        checks = {name: {"status": "ok" if result.error is None else "fail",
                         **({"error": str(result.error)} if result.error else {}),
                         "ms": round(result.time_taken * 1000, 1)}
                  for (name, _), result in zip(named, results, strict=True)}
        failed = [name for name, check in checks.items() if check["status"] != "ok"]
        if failed:
            log.warning("not ready: %s", ", ".join(failed))
        response = JsonResponse({"status": "fail" if failed else "ok", "checks": checks},
                                status=503 if failed else 200)
        # Logged above as a warning; Django would log it again as an error (and mail the
        # ADMINS) at every probe while a dependency is down.
        response._has_been_logged = True
        return response


readyz = ReadinessView.as_view()


@lru_cache(maxsize=8)
def _networks(spec: str) -> tuple:
    return tuple(ipaddress.ip_network(part.strip(), strict=False)
                 for part in spec.split(",") if part.strip())


def metrics_allowed(address: str) -> bool:
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return False
    return any(ip in network for network in _networks(settings.METRICS_ALLOWED_IPS))


@never_cache
def metrics_view(request):
    # REMOTE_ADDR, not X-Forwarded-For: a client can write that header itself.
    if not metrics_allowed(request.META.get("REMOTE_ADDR", "")):
        return HttpResponseForbidden("metrics are not served to this address\n",
                                     content_type="text/plain")
    return ExportToDjangoView(request)
