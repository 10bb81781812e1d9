"""Real Redis servers and workers for job tests.

Fault tests start their own redis-server on a spare port and stop only that process, by
pid; the machine's own Redis is never touched.
"""

import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from contextlib import contextmanager
from pathlib import Path

import pytest
from redis import Redis
from rq import SimpleWorker

from maturity.app import create_app
from maturity.jobs.queue import queue_for

REDIS_SERVER = shutil.which("redis-server")
REPO = Path(__file__).resolve().parents[1]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def require_redis_server() -> None:
    if REDIS_SERVER is None:
        if os.environ.get("CI"):
            pytest.fail("redis-server is needed for the fault tests in CI")
        pytest.skip("redis-server is not installed")


class OwnRedis:
    """A redis-server process that a test starts, stops and starts again on one port."""

    def __init__(self) -> None:
        require_redis_server()
        self.port = free_port()
        self.process: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> None:
        self.process = subprocess.Popen(
            [
                REDIS_SERVER,
                "--port",
                str(self.port),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                "--appendonly",
                "no",
            ],
            stdout=subprocess.DEVNULL,
        )
        client = Redis.from_url(self.url)
        for _ in range(100):
            try:
                if client.ping():
                    return
            except Exception:
                time.sleep(0.05)
        raise RuntimeError("redis-server did not start")

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            os.kill(self.process.pid, signal.SIGKILL)
            self.process.wait(timeout=10)
        self.process = None


@contextmanager
def own_redis():
    server = OwnRedis()
    server.start()
    try:
        yield server
    finally:
        server.stop()


def app_with_redis(app, redis_url: str):
    """Another app on the same database, using the given Redis (or none for '')."""
    return create_app(
        "test",
        SQLALCHEMY_DATABASE_URI=app.config["SQLALCHEMY_DATABASE_URI"],
        REDIS_URL=redis_url,
    )


def work_queue(app_, redis) -> None:
    """Run every queued job in this process with a real RQ worker, then stop."""
    with app_.app_context():
        SimpleWorker([queue_for(redis)], connection=redis).work(burst=True)


def start_worker(database_url: str, redis_url: str, *, every: int, log_name: str):
    """A real `flask --app wsgi worker` process; its log goes to test-artifacts/.

    It aggregates but draws no charts, as in the rest of the suite: the chart tests draw.
    """
    log = REPO / "test-artifacts" / log_name
    log.parent.mkdir(parents=True, exist_ok=True)
    env = {
        **os.environ,
        "PLACEWISE_ENV": "development",
        "DATABASE_URL": database_url,
        "REDIS_URL": redis_url,
        "SECRET_KEY": "worker-test-secret-key-0123456789abcdef",
        "RENDER_CHARTS": "false",
    }
    return subprocess.Popen(
        [sys.executable, "-m", "flask", "--app", "wsgi", "worker", "--every", str(every)],
        cwd=REPO,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=open(log, "w"),
        start_new_session=True,  # its own process group: the horse and scheduler with it
    )


def stop_worker(worker: subprocess.Popen) -> bool:
    """Ask a worker started by ``start_worker`` to stop; kill its process group (only the
    processes it started) if it has not stopped within 30 s. True if it stopped when asked."""
    if worker.poll() is not None:
        return True
    worker.terminate()
    try:
        worker.wait(timeout=30)
        return True
    except subprocess.TimeoutExpired:
        os.killpg(worker.pid, signal.SIGKILL)
        worker.wait(timeout=30)
        return False
