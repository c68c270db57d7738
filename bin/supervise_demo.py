"""Run the UnionFlow demo: migrate, load the demo period, then serve web + Celery worker + beat, supervised.

- One demo per var/ folder: a second start while one runs says so and refuses (an flock on
  var/demo.lock, released by the kernel however this process ends).
- Worker and beat run as separate processes, each in its own process group.  If one exits it is
  started again, and the restart is logged.
- Their output is appended to var/log/worker.log and var/log/beat.log, rotated at 5 MB (five kept);
  what the supervisor does goes to var/log/supervisor.log and the terminal.
- Ctrl-C or SIGTERM stops every process it started within STOP_SECONDS: SIGTERM to each group, then
  SIGKILL to whatever still runs (``celery worker`` can hang in its shutdown; its tasks are acks-late
  and the embedded broker hands an unfinished job to the next worker).
"""

import fcntl
import logging
import logging.handlers
import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
VAR = Path(os.environ.get("UNIONFLOW_VAR_DIR", ROOT / "var"))
LOGS = VAR / "log"
PY = sys.executable
HOST = os.environ.get("HOST", "127.0.0.1")
PORT = os.environ.get("PORT", "8000")
STOP_SECONDS = 6  # grace before SIGKILL (a warm worker shutdown takes 3-7 s here); the whole stop stays under 10 s
RESTART_BACKOFF = (1, 2, 5, 10, 30)

log = logging.getLogger("demo")


def setup_logging():
    LOGS.mkdir(parents=True, exist_ok=True)
    log.setLevel(logging.INFO)
    fmt = logging.Formatter("%(asctime)s %(message)s", "%Y-%m-%d %H:%M:%S")
    for handler in (logging.StreamHandler(sys.stdout), rotating(LOGS / "supervisor.log")):
        handler.setFormatter(fmt)
        log.addHandler(handler)


def rotating(path):
    return logging.handlers.RotatingFileHandler(path, maxBytes=5 * 1024 * 1024, backupCount=5, encoding="utf-8")


def take_lock():
    VAR.mkdir(parents=True, exist_ok=True)
    lock = open(VAR / "demo.lock", "a+")  # noqa: SIM115 — held for the life of the process
    try:
        fcntl.flock(lock.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        lock.seek(0)
        other = lock.read().strip() or "?"
        print(
            f"UnionFlow 演示已在运行（{other}），数据目录 {VAR}。\n"
            "请先在运行它的终端按 Ctrl-C 停止，再启动；两个演示共用一个目录会互相干扰。",
            file=sys.stderr,
        )
        sys.exit(1)
    lock.seek(0)
    lock.truncate()
    lock.write(f"PID {os.getpid()}，http://{HOST}:{PORT}/\n")
    lock.flush()
    return lock


class Child:
    """One supervised process; ``restart`` says whether it is started again when it exits."""

    def __init__(self, name, args, *, restart, log_name=None):
        self.name, self.args, self.restart, self.log_name = name, args, restart, log_name
        self.process = None
        self.restarts = 0
        self.started_at = 0.0

    def start(self):
        output = subprocess.PIPE if self.log_name else None
        self.process = subprocess.Popen(
            self.args, cwd=ROOT, stdout=output, stderr=subprocess.STDOUT, start_new_session=True
        )
        self.started_at = time.monotonic()
        if self.log_name:
            handler = rotating(LOGS / self.log_name)
            threading.Thread(target=self._copy_output, args=(self.process, handler), daemon=True).start()
        log.info("started %s (pid %s)", self.name, self.process.pid)

    @staticmethod
    def _copy_output(process, handler):
        handler.setFormatter(logging.Formatter("%(message)s"))
        for line in iter(process.stdout.readline, b""):
            handler.emit(logging.makeLogRecord({"msg": line.decode(errors="replace").rstrip("\n")}))
        handler.close()

    def signal_group(self, signum):
        if self.process is None:
            return
        try:
            os.killpg(self.process.pid, signum)
        except ProcessLookupError:
            pass

    def alive(self):
        """Whether anything of its process group still runs (the leader is reaped first)."""
        if self.process is None:
            return False
        self.process.poll()
        try:
            os.killpg(self.process.pid, 0)
            return True
        except (ProcessLookupError, PermissionError):
            return False


def run(args, what, stopping):
    """Run a set-up step to its end, or stop it when the demo is told to stop."""
    process = subprocess.Popen(args, cwd=ROOT, start_new_session=True)
    while process.poll() is None:
        if stopping.wait(0.2):
            os.killpg(process.pid, signal.SIGTERM)
            try:
                process.wait(STOP_SECONDS)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait()
            return False
    if process.returncode:
        log.error("%s failed (exit %s)", what, process.returncode)
        sys.exit(process.returncode)
    return True


def main():
    lock = take_lock()
    setup_logging()
    env = os.environ
    env.setdefault("DEBUG", "1")
    env.setdefault("TIMER_SWEEP_SECONDS", "15")
    env.setdefault("REMINDER_SWEEP_SECONDS", "60")

    stopping = threading.Event()

    def on_signal(signum, _frame):
        if not stopping.is_set():
            log.info("stopping (%s)…", signal.Signals(signum).name)
        stopping.set()

    signal.signal(signal.SIGINT, on_signal)
    signal.signal(signal.SIGTERM, on_signal)

    if not run([PY, "manage.py", "migrate", "--noinput", "-v0"], "migrate", stopping):
        return 0
    if env.get("DEMO_SEED", "1") != "0" and not run([PY, "manage.py", "seed_demo"], "seed_demo", stopping):
        return 0

    celery = [PY, "-m", "celery", "-A", "workflows"]
    children = [
        Child(
            "worker",
            [*celery, "worker", "--loglevel=INFO", "--concurrency=2", "--without-mingle", "--without-gossip"],
            restart=True,
            log_name="worker.log",
        ),
        Child(
            "beat",
            [*celery, "beat", "--loglevel=INFO", "-s", str(VAR / "celerybeat-schedule")],
            restart=True,
            log_name="beat.log",
        ),
        Child("web", [PY, "manage.py", "runserver", f"{HOST}:{PORT}", "--noreload"], restart=False),
    ]
    for child in children:
        child.start()
    print(
        f"\nUnionFlow 演示已启动： http://{HOST}:{PORT}/\n"
        f"  后台任务日志：{LOGS}/worker.log、beat.log   按 Ctrl-C 停止\n",
        flush=True,
    )

    while not stopping.wait(0.5):
        for child in children:
            code = child.process.poll()
            if code is None:
                continue
            how = f"signal {-code}" if code < 0 else f"exit {code}"
            if not child.restart:
                log.error("%s stopped (%s); stopping the demo", child.name, how)
                stopping.set()
                break
            child.signal_group(signal.SIGKILL)  # leftovers of its group (pool children)
            ran_for = time.monotonic() - child.started_at
            child.restarts = 0 if ran_for > 60 else child.restarts + 1
            delay = RESTART_BACKOFF[min(child.restarts, len(RESTART_BACKOFF) - 1)]
            log.warning("%s stopped (%s) after %.0f s; restarting in %s s", child.name, how, ran_for, delay)
            if stopping.wait(delay):
                break
            child.start()

    stop(children)
    lock.close()
    return 0


def stop(children):
    for child in children:
        child.signal_group(signal.SIGTERM)
    deadline = time.monotonic() + STOP_SECONDS
    while time.monotonic() < deadline and any(child.alive() for child in children):
        time.sleep(0.1)
    for child in children:
        if child.alive():
            log.warning("%s did not stop within %s s; killing it", child.name, STOP_SECONDS)
            child.signal_group(signal.SIGKILL)
    for child in children:
        if child.process:
            child.process.wait()
    log.info("all demo processes stopped")


if __name__ == "__main__":
    sys.exit(main())
