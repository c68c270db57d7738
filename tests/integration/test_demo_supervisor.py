"""`make demo` as a user runs it: one at a time, its worker restarted when it dies, stopped cleanly by
Ctrl-C or SIGTERM — every time, every process it started gone within 10 seconds."""

import os
import signal
import socket
import subprocess
import time
import urllib.request
from pathlib import Path

import pytest

from .conftest import ROOT

pytestmark = [pytest.mark.integration, pytest.mark.slow]

STOP_LIMIT = 10.0


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def descendants(pid):
    """Every process below ``pid`` (it may sit in other sessions), from /proc."""
    children = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                ppid = int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1])
            except (OSError, IndexError):
                continue
            children.setdefault(ppid, []).append(int(entry.name))
    found, todo = [], [pid]
    while todo:
        for child in children.get(todo.pop(), []):
            found.append(child)
            todo.append(child)
    return found


def alive(pid):
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


class Demo:
    def __init__(self, var_dir, port):
        self.var_dir, self.port = var_dir, port
        env = {
            k: v
            for k, v in os.environ.items()
            if k not in ("DATABASE_URL", "CELERY_BROKER_URL", "DJANGO_SETTINGS_MODULE", "PYTEST_CURRENT_TEST")
        }
        env.update(
            UNIONFLOW_VAR_DIR=str(var_dir),
            PORT=str(port),
            DEMO_SEED="0",  # the demo data takes a while to load and is not what this test is about
            HEARTBEAT_SECONDS="1",
            PYTHONUNBUFFERED="1",
        )
        self.env = env
        self.ready_before = self.worker_ready_count()
        self.output = var_dir / f"demo-{port}-{time.monotonic_ns()}.out"
        self.process = subprocess.Popen(
            ["make", "--no-print-directory", "-s", "demo"],  # as a user starts it
            cwd=ROOT,
            env=env,
            stdout=self.output.open("w"),
            stderr=subprocess.STDOUT,
            start_new_session=True,  # its own process group, as a terminal gives it
        )

    def worker_ready_count(self):
        worker_log = self.var_dir / "log" / "worker.log"
        return worker_log.read_text(errors="replace").count("ready.") if worker_log.exists() else 0

    def text(self):
        return self.output.read_text(errors="replace")

    def logs(self):
        return "\n".join(
            f"--- {path.name}\n{path.read_text(errors='replace')[-3000:]}"
            for path in sorted((self.var_dir / "log").glob("*.log"))
        )

    def wait_until_serving(self, timeout=120):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                pytest.fail(f"the demo exited with {self.process.returncode}:\n{self.text()}\n{self.logs()}")
            if self.worker_ready_count() > self.ready_before:  # this run's worker (the log is appended)
                try:
                    with urllib.request.urlopen(f"http://127.0.0.1:{self.port}/login/", timeout=2) as response:
                        if response.status == 200:
                            return
                except OSError:
                    pass
            time.sleep(0.3)
        pytest.fail(f"the demo did not serve within {timeout}s:\n{self.text()}\n{self.logs()}")

    def worker_pid(self):
        for pid in descendants(self.process.pid):
            try:
                cmdline = Path(f"/proc/{pid}/cmdline").read_bytes().split(b"\0")
            except OSError:
                continue
            if b"worker" in cmdline and b"celery" in cmdline and b"supervise_demo.py" in self._parent_cmdline(pid):
                return pid
        return None

    @staticmethod
    def _parent_cmdline(pid):
        parent = int(Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[1])
        return Path(f"/proc/{parent}/cmdline").read_bytes()

    def stop(self, how):
        """Stop as a user would and return (seconds, processes still alive)."""
        started = [self.process.pid, *descendants(self.process.pid)]
        begin = time.monotonic()
        if how == "ctrl-c":
            os.killpg(self.process.pid, signal.SIGINT)  # the terminal signals the foreground group
        else:
            self.process.send_signal(signal.SIGTERM)  # what a service manager or `kill` sends to make
        while time.monotonic() - begin < STOP_LIMIT + 5:
            self.process.poll()
            left = [pid for pid in started if alive(pid)]
            if not left:
                break
            time.sleep(0.05)
        seconds, left = time.monotonic() - begin, [pid for pid in started if alive(pid)]
        if not left:
            # make may have exited between the poll above and the /proc check (a zombie counts as gone
            # there): reap it now so its return code is read, without counting the reaping as stop time
            self.process.wait(timeout=5)
        return seconds, left

    def kill_everything(self):
        for pid in [self.process.pid, *descendants(self.process.pid)]:
            try:
                os.kill(pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
        self.process.wait()


@pytest.fixture
def demos(tmp_path):
    started = []

    def start(port=None):
        demo = Demo(tmp_path, port or free_port())
        started.append(demo)
        return demo

    yield start
    for demo in started:
        if demo.process.poll() is None:
            demo.kill_everything()


def test_the_demo_stops_within_ten_seconds_every_time_refuses_a_second_copy_and_restarts_its_worker(demos, tmp_path):
    timings = []
    for attempt, how in enumerate(("sigterm", "ctrl-c", "sigterm")):
        demo = demos()
        demo.wait_until_serving()

        if attempt == 0:
            second = demos()
            assert second.process.wait(timeout=30) != 0  # make reports the refusal as a failed recipe
            assert "已在运行" in second.text() and f"http://127.0.0.1:{demo.port}/" in second.text()

            worker = demo.worker_pid()
            assert worker, demo.text()
            os.kill(worker, signal.SIGKILL)
            deadline = time.monotonic() + 30
            while time.monotonic() < deadline and demo.worker_pid() in (None, worker):
                time.sleep(0.2)
            assert demo.worker_pid() not in (None, worker), demo.logs()
            while time.monotonic() < deadline and demo.worker_ready_count() < demo.ready_before + 2:
                time.sleep(0.2)
            supervisor_log = (tmp_path / "log" / "supervisor.log").read_text()
            assert "worker stopped (signal 9)" in supervisor_log and "restarting" in supervisor_log

        seconds, left = demo.stop(how)
        timings.append((how, round(seconds, 1)))
        assert not left, f"{how}: still running after {seconds:.1f}s: {left}\n{demo.logs()}"
        assert seconds <= STOP_LIMIT, f"{how}: took {seconds:.1f}s\n{demo.logs()}"
        assert demo.process.returncode is not None

    logs = tmp_path / "log"
    # logs are appended across the three runs, never wiped at start
    assert (logs / "worker.log").read_text().count("ready.") >= 4  # three starts and one restart
    print("stop timings:", timings)
