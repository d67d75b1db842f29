"""An import job's file is checked by a worker, not in the web request, and the page shows each state as it
stands — "checking" while the worker reads the file, "running" while it imports."""

import dataclasses
import threading

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.urls import reverse

from core import imports as kit
from orders import imports
from orders.models import ImportJob

SITES = "网点编码,网点名称,省份\n99990001,测试网点,浙江省\n".encode()


def test_the_request_stores_the_file_and_a_worker_checks_it(net, login, monkeypatch):
    sent = []
    monkeypatch.setattr(imports.jobs, "publish", lambda name, *args: sent.append((name, *args)) or True)
    client = login(net.hq)
    client.post(reverse("orders:imports"), {"kind": "sites", "file": SimpleUploadedFile("s.csv", SITES)})
    job = ImportJob.objects.latest("id")
    assert job.status == ImportJob.Status.CHECKING and job.total == 0 and not job.errors  # nothing read yet
    assert sent == [("orders.tasks.import_check", job.pk)]
    page = client.get(reverse("orders:import_detail", args=[job.pk])).content.decode()
    assert "正在检查文件" in page and 'hx-trigger="every 1s"' in page
    assert imports.job_check(job_id=job.pk).status == ImportJob.Status.READY
    assert ImportJob.objects.get(pk=job.pk).total == 1


@pytest.mark.django_db(transaction=True)
def test_a_running_import_shows_running(net, login, monkeypatch):
    client = login(net.hq)
    client.post(reverse("orders:imports"), {"kind": "sites", "file": SimpleUploadedFile("s.csv", SITES)})
    job = ImportJob.objects.latest("id")
    assert job.status == ImportJob.Status.READY
    seen = []

    def look():  # another connection, as the page's request would read it
        seen.append(ImportJob.objects.get(pk=job.pk).status)
        connection.close()

    def run(job, records, progress):
        reader = threading.Thread(target=look)
        reader.start()
        reader.join()
        return original(job, records, progress)

    original = kit.IMPORTERS["sites"].run
    monkeypatch.setitem(kit.IMPORTERS, "sites", dataclasses.replace(kit.IMPORTERS["sites"], run=run))
    client.post(reverse("orders:import_detail", args=[job.pk]))
    assert seen == [ImportJob.Status.RUNNING]
    assert ImportJob.objects.get(pk=job.pk).status == ImportJob.Status.DONE
