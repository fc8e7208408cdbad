"""The task worker beside ``ecotone serve``: restarted when it dies, gone when the server
goes, and reported on the staff's task page. Real processes, real signals."""

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from ecotone.core.worker import STATUS_FILE, WorkerSupervisor, read_status

SRC = str(Path(__file__).resolve().parents[3])
SLEEPER = [sys.executable, "-c", "import time; time.sleep(600)"]


def wait_for(condition, what: str, timeout: float = 60.0, every: float = 0.2):
    """Poll ``condition`` until it is true; the limit only keeps a broken run from hanging."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(every)
    raise AssertionError(f"gave up waiting: {what}")


def exists(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return True


def test_a_killed_worker_is_started_again_and_the_restart_is_recorded(tmp_path):
    supervisor = WorkerSupervisor(SLEEPER, tmp_path)
    supervisor.start()
    try:
        first = read_status(tmp_path)
        assert first.alive and first.restarts == 0
        os.kill(first.pid, signal.SIGKILL)
        second = wait_for(
            lambda: (s := read_status(tmp_path)) and s.pid != first.pid and s, "a new worker"
        )
        assert second.alive
        assert (second.restarts, second.last_exit_code) == (1, -signal.SIGKILL)
        assert second.last_exit_signal == "SIGKILL"
        assert not exists(first.pid)  # reaped, not left a zombie
    finally:
        supervisor.stop()
    assert not exists(second.pid)
    assert not (tmp_path / STATUS_FILE).exists()


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="PR_SET_PDEATHSIG is Linux's")
def test_the_worker_ends_when_its_server_is_killed(tmp_path):
    """``kill -9`` of the server used to leave its worker running as an orphan."""
    worker = [
        sys.executable,
        "-c",
        "from ecotone.core.worker import die_with_parent; die_with_parent(); "
        "import time; time.sleep(600)",
    ]
    server = subprocess.Popen(  # noqa: S603 - our own interpreter
        [
            sys.executable,
            "-c",
            "import sys, time; from ecotone.core.worker import WorkerSupervisor; "
            f"WorkerSupervisor({json.dumps(worker)}, sys.argv[1]).start(); time.sleep(600)",
            str(tmp_path),
        ],
        env={**os.environ, "PYTHONPATH": SRC},
    )
    try:
        status = wait_for(lambda: read_status(tmp_path), "the worker's status file")
        wait_for(lambda: exists(status.pid), "the worker")
        server.kill()
        server.wait()
        wait_for(lambda: not exists(status.pid), "the orphaned worker to end")
    finally:
        server.kill()
        left = read_status(tmp_path)
        if left and exists(left.pid):
            os.kill(left.pid, signal.SIGKILL)


@pytest.mark.django_db
def test_the_task_page_says_whether_the_worker_runs_and_how_often_it_was_restarted(
    settings, tmp_path, client
):
    from ecotone.core.testing import UserFactory

    settings.ECOTONE_HOME = tmp_path
    settings.ECOTONE_TASKS = "database"
    client.force_login(UserFactory(is_staff=True))
    (tmp_path / STATUS_FILE).write_text(
        json.dumps(
            {
                "pid": os.getpid(),
                "started_at": "2026-12-06T10:00:00+00:00",
                "restarts": 2,
                "last_exit_code": -9,
                "last_exit_at": "2026-12-06T09:59:58+00:00",
            }
        )
    )
    page = client.get("/en/tasks/").content.decode()
    assert f"The task worker runs (process {os.getpid()}" in page
    assert "restarted 2 times, last after it exited with code -9 SIGKILL" in page


@pytest.mark.django_db
def test_the_worker_status_reads_in_chinese(settings, tmp_path, client):
    from ecotone.core.testing import UserFactory

    settings.ECOTONE_HOME = tmp_path
    settings.ECOTONE_TASKS = "database"
    client.force_login(UserFactory(is_staff=True))
    (tmp_path / STATUS_FILE).write_text(
        json.dumps({"pid": 2**22 + 7, "started_at": "2026-12-06T10:00:00+00:00", "restarts": 1})
    )
    page = client.get("/zh-hans/tasks/").content.decode()
    assert f"任务进程（进程 {2**22 + 7}）未在运行" in page
    assert "已被重新启动 1 次" in page


@pytest.fixture
def database_tasks(settings):
    from ecotone.config.settings import TASK_BACKENDS

    settings.TASKS = {"default": {"BACKEND": TASK_BACKENDS["database"], "QUEUES": []}}
    settings.ECOTONE_TASKS = "database"


def running_task(task, *args, worker_id: str):
    """A task the worker ``worker_id`` had started when it died."""
    from django_tasks.base import TaskResultStatus
    from django_tasks_db.models import DBTaskResult

    result = DBTaskResult.objects.get(id=task.enqueue(*args).id)
    result.status = TaskResultStatus.RUNNING
    result.worker_ids = [worker_id]
    result.save()
    return result


@pytest.mark.django_db
def test_tasks_of_a_dead_worker_fail_with_the_reason_and_index_updates_run_again(
    database_tasks,
):
    from django_tasks.base import TaskResultStatus
    from django_tasks_db.models import DBTaskResult

    from ecotone.core.worker import recover_tasks
    from ecotone.reports.tasks import build_annual_report_task
    from ecotone.search.tasks import refresh_index_task

    index = running_task(refresh_index_task, [["solution", 1]], worker_id="serve-77-0")
    report = running_task(
        build_annual_report_task, 2023, "", "en", "http://127.0.0.1", worker_id="serve-77-0"
    )
    other = running_task(refresh_index_task, [["case", 2]], worker_id="serve-77-1")
    failed = recover_tasks({"serve-77-0"}, "exit code -9")
    assert set(failed) == {str(index.id), str(report.id)}
    for result in (index, report):
        result.refresh_from_db()
        assert result.status == TaskResultStatus.FAILED
        assert result.exception_class_path == "ecotone.core.worker.WorkerDied"
        assert "stopped (exit code -9)" in result.traceback
    other.refresh_from_db()
    assert other.status == TaskResultStatus.RUNNING  # another worker's, left alone
    again = DBTaskResult.objects.filter(status=TaskResultStatus.READY)
    assert [(r.task_path, r.args_kwargs["args"]) for r in again] == [
        ("ecotone.search.tasks.refresh_index_task", [[["solution", 1]]])
    ]  # the index update runs again; a report is not built twice unasked


@pytest.mark.django_db
def test_a_starting_server_recovers_the_tasks_of_a_server_that_was_killed(database_tasks):
    from ecotone.core.worker import recover_tasks_of_dead_servers
    from ecotone.search.tasks import refresh_index_task

    gone = running_task(refresh_index_task, [], worker_id=f"serve-{2**22 + 7}-0")
    alive = running_task(refresh_index_task, [], worker_id=f"serve-{os.getpid()}-0")
    elsewhere = running_task(refresh_index_task, [], worker_id="worker-on-another-host")
    assert recover_tasks_of_dead_servers() == [str(gone.id)]
    assert {str(alive.id), str(elsewhere.id)}.isdisjoint(recover_tasks_of_dead_servers())


@pytest.mark.django_db
def test_the_tasks_of_a_hand_started_worker_whose_lease_ran_out_are_recovered(database_tasks):
    """``ecotone worker`` run by hand (no server watches it) renews a lease; when it stops
    renewing, any other worker recovers what it left running."""
    from datetime import timedelta

    from django.utils import timezone
    from django_tasks.base import TaskResultStatus
    from django_tasks_db.models import DBTaskResult

    from ecotone.core.models import WorkerLease
    from ecotone.core.worker import recover_tasks_of_expired_leases, renew_lease
    from ecotone.search.tasks import refresh_index_task

    renew_lease("worker-by-hand")
    renew_lease("worker-alive")
    WorkerLease.objects.filter(worker_id="worker-by-hand").update(
        renewed_at=timezone.now() - timedelta(seconds=120)
    )
    dead = running_task(refresh_index_task, [["case", 3]], worker_id="worker-by-hand")
    alive = running_task(refresh_index_task, [["case", 4]], worker_id="worker-alive")

    assert recover_tasks_of_expired_leases() == [str(dead.id)]
    dead.refresh_from_db()
    assert dead.status == TaskResultStatus.FAILED
    assert "no sign of life for over 60 s" in dead.traceback
    alive.refresh_from_db()
    assert alive.status == TaskResultStatus.RUNNING
    again = DBTaskResult.objects.get(status=TaskResultStatus.READY)
    assert again.args_kwargs["args"] == [[["case", 3]]]
    assert recover_tasks_of_expired_leases() == []  # once only


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("command", ["worker", "db_worker"])
def test_a_worker_started_by_hand_holds_a_lease_while_it_runs(tmp_path, command):
    """A real ``ecotone worker`` process on a database file of its own; ``db_worker``,
    django-tasks' name for it, is the same command."""
    import sqlite3

    from django.db import connection

    if connection.vendor != "sqlite":
        pytest.skip("the process gets a database file of its own")
    env = {
        **os.environ,
        "ECOTONE_HOME": str(tmp_path),
        "PYTHONPATH": SRC,
        "DJANGO_SETTINGS_MODULE": "ecotone.config.settings",
        "ECOTONE_EMBEDDER": "none",
    }
    env.pop("DATABASE_URL", None)
    cli = [sys.executable, "-m", "ecotone.cli"]
    subprocess.run([*cli, "migrate", "-v", "0"], env=env, check=True)  # noqa: S603
    worker = subprocess.Popen(  # noqa: S603 - our own interpreter
        [*cli, command, "--worker-id", "worker-by-hand", "--no-startup-delay"],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )

    def leases() -> list[tuple]:
        with sqlite3.connect(tmp_path / "ecotone.sqlite3") as db:
            return db.execute("SELECT worker_id, pid FROM core_workerlease").fetchall()

    try:  # stopped the moment its lease appears, before django-tasks' own signal handlers
        lease = wait_for(leases, "the worker's lease", every=0.001)
        assert lease == [("worker-by-hand", worker.pid)]
    finally:
        worker.send_signal(signal.SIGTERM)
        worker.wait(timeout=60)
    assert leases() == []  # a worker that stops cleanly gives its lease back


@pytest.mark.django_db
def test_an_index_task_cut_short_by_its_worker_s_sigterm_is_queued_again(database_tasks):
    """When its server is killed, the worker is sent SIGTERM and fails the task it runs
    with SystemExit; an index rebuild left so stayed cut short."""
    from django_tasks.base import TaskResultStatus
    from django_tasks_db.models import DBTaskResult

    from ecotone.core.worker import requeue_if_interrupted
    from ecotone.reports.tasks import build_annual_report_task
    from ecotone.search.tasks import rebuild_index_task, refresh_index_task

    def failed(task, *args, error: BaseException):
        result = running_task(task, *args, worker_id="worker-x")
        result.set_failed(error)
        requeue_if_interrupted(sender=None, task_result=result.task_result)

    failed(rebuild_index_task, error=SystemExit(1))
    failed(refresh_index_task, [["case", 5]], error=ValueError("a real failure"))
    failed(build_annual_report_task, 2023, "", "en", "http://127.0.0.1", error=SystemExit(1))
    again = DBTaskResult.objects.filter(status=TaskResultStatus.READY)
    assert [r.task_path for r in again] == ["ecotone.search.tasks.rebuild_index_task"]
