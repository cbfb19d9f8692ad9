import pytest

from kata.models import WorkerHeartbeat
from kata.tasks import heartbeat
from tests.worker import celery_worker, wait_for


@pytest.mark.worker
@pytest.mark.django_db(transaction=True)
def test_a_real_worker_takes_a_task_from_the_broker_and_writes_to_the_database():
    with celery_worker() as queue:
        heartbeat.apply_async(queue=queue)
        assert wait_for(lambda: WorkerHeartbeat.objects.filter(beats__gte=1).exists())
        beat = WorkerHeartbeat.objects.get()
        assert beat.hostname.startswith(queue)
        heartbeat.apply_async(queue=queue)
        assert wait_for(lambda: WorkerHeartbeat.objects.get().beats == 2)
