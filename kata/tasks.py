from celery import shared_task
from django.db.models import F
from django.utils import timezone

from kata.models import WorkerHeartbeat


@shared_task(bind=True)
def heartbeat(self) -> None:
    """Record that a worker is alive and consuming from the broker (beat sends it each minute)."""
    hostname = self.request.hostname or "unknown"
    now = timezone.now()
    updated = WorkerHeartbeat.objects.filter(hostname=hostname).update(
        seen_at=now, beats=F("beats") + 1
    )
    if not updated:
        WorkerHeartbeat.objects.get_or_create(
            hostname=hostname, defaults={"seen_at": now, "beats": 1}
        )
