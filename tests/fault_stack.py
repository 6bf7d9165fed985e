"""A throwaway production-like stack for the fault suite (tests/test_faults.py).

Everything runs on 127.0.0.1 on free ports, in one temporary folder, and is
stopped and removed afterwards: a PostgreSQL cluster of its own (initdb and
pg_ctl from ``pg_config --bindir``, run as the ``postgres`` user), a
redis-server, a mail server that can be told to stall, the task worker and
gunicorn with DEBUG off.
"""

import contextlib
import os
import re
import shutil
import signal
import socket
import socketserver
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import requests

ROOT = Path(__file__).resolve().parent.parent
PYTHON = sys.executable
DATABASE = "directory"
# Any one file larger than this fails to write in the web processes (EFBIG), as on a full disk.
WEB_FILE_SIZE_LIMIT = 64 * 1024


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def pg_bindir() -> Path:
    return Path(subprocess.check_output(["pg_config", "--bindir"], text=True).strip())


# --- A mail server that stalls until told to answer


class MailServer:
    """Minimal SMTP: while ``stalled``, it accepts connections and says nothing."""

    def __init__(self):
        self.port = free_port()
        self.stalled = threading.Event()
        self.messages: list[dict] = []
        server = self

        class Handler(socketserver.StreamRequestHandler):
            def handle(self):
                while server.stalled.is_set():
                    time.sleep(0.05)
                with contextlib.suppress(OSError):  # a client that gave up while it stalled
                    server._converse(self)

        socketserver.ThreadingTCPServer.allow_reuse_address = True
        self._server = socketserver.ThreadingTCPServer(("127.0.0.1", self.port), Handler)
        self._server.daemon_threads = True
        threading.Thread(target=self._server.serve_forever, daemon=True).start()

    def _converse(self, handler) -> None:
        def say(line: str) -> None:
            handler.wfile.write(f"{line}\r\n".encode())
            handler.wfile.flush()

        say("220 faults.test ESMTP")
        recipients: list[str] = []
        while True:
            line = handler.rfile.readline().decode(errors="replace").strip()
            if not line:
                return
            verb = line.split(" ", 1)[0].upper()
            if verb in ("EHLO", "HELO"):
                say("250 faults.test")
            elif verb == "RCPT":
                recipients.append(re.search(r"<([^>]*)>", line).group(1))
                say("250 OK")
            elif verb == "DATA":
                say("354 End data with <CR><LF>.<CR><LF>")
                body = []
                while (data := handler.rfile.readline().decode(errors="replace")) not in (".\r\n", ".\n", ""):
                    body.append(data)
                self.messages.append({"to": list(recipients), "body": "".join(body)})
                recipients = []
                say("250 OK queued")
            elif verb == "QUIT":
                say("221 Bye")
                return
            else:  # MAIL, RSET, NOOP
                say("250 OK")

    def to(self, address: str) -> list[dict]:
        return [message for message in self.messages if address in message["to"]]

    def close(self) -> None:
        self.stalled.clear()
        self._server.shutdown()
        self._server.server_close()


# --- The stack


class Stack:
    def __init__(self):
        self.folder = Path(tempfile.mkdtemp(prefix="omd-faults-"))
        self.folder.chmod(0o755)
        self.pg_port, self.redis_port, self.web_port = free_port(), free_port(), free_port()
        self.base = f"http://127.0.0.1:{self.web_port}"
        self.database_url = f"postgres://postgres@127.0.0.1:{self.pg_port}/{DATABASE}"
        self.pgdata = self.folder / "pgdata"
        self.media = self.folder / "media"
        self.private = self.folder / "private"
        self.mail = MailServer()
        self.processes: dict[str, subprocess.Popen] = {}

    # Environment of every Django process: production settings on loopback.
    def env(self, **extra) -> dict:
        env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "config.settings",
            "DEBUG": "false",
            "SECRET_KEY": "fault-suite-only-not-a-secret-0123456789abcdefghijklmnop",
            "ALLOWED_HOSTS": "127.0.0.1",
            "SECURE_SSL_REDIRECT": "false",
            "SECURE_HSTS_SECONDS": "0",
            "SESSION_COOKIE_SECURE": "false",
            "CSRF_COOKIE_SECURE": "false",
            "DATABASE_URL": self.database_url,
            "CACHE_URL": f"redis://127.0.0.1:{self.redis_port}/0",
            "EMAIL_BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "EMAIL_HOST": "127.0.0.1",
            "EMAIL_PORT": str(self.mail.port),
            "EMAIL_TIMEOUT": "3",
            "MEDIA_ROOT": str(self.media),
            "PRIVATE_MEDIA_ROOT": str(self.private),
            "SITE_URL": self.base,
            "WEB_CONCURRENCY": "3",
            # The suite's visitors each send an X-Forwarded-For address of their own.
            "TRUSTED_PROXY_COUNT": "1",
            "PATH": f"{pg_bindir()}:{os.environ.get('PATH', '')}",
        }
        env.pop("DJANGO_MANAGEMENT_COMMAND", None)
        env.update(extra)
        return env

    def manage(self, *args: str, **extra) -> str:
        result = subprocess.run(
            [PYTHON, "manage.py", *args], cwd=ROOT, env=self.env(**extra), capture_output=True, text=True, timeout=300
        )
        assert result.returncode == 0, f"manage.py {' '.join(args)} failed:\n{result.stdout}\n{result.stderr}"
        return result.stdout

    def as_postgres(self, *args: str) -> None:
        subprocess.run(["runuser", "-u", "postgres", "--", *args], check=True, capture_output=True, timeout=120)

    def start(self) -> None:
        bindir = pg_bindir()
        self.pgdata.mkdir()
        shutil.chown(self.pgdata, "postgres", "postgres")
        self.as_postgres(str(bindir / "initdb"), "-D", str(self.pgdata), "-A", "trust", "-U", "postgres", "--no-sync")
        options = f"-p {self.pg_port} -k {self.pgdata} -c listen_addresses=127.0.0.1 -c fsync=off"
        self.as_postgres(str(bindir / "pg_ctl"), "-D", str(self.pgdata), "-l", str(self.pgdata / "log"), "-o", options,
                         "-w", "start")  # fmt: skip
        self.sql("postgres", f"CREATE DATABASE {DATABASE}")
        self.start_redis()
        self.manage("migrate", "--noinput", "-v", "0")
        self.manage("seed_demo", "--force", "-v", "0", DEVTOOLS="true")
        self.manage("collectstatic", "--noinput", "-v", "0")
        self.start_worker()
        self.start_web()

    def sql(self, database: str, statement: str, params=()) -> list:
        import psycopg2

        with contextlib.closing(
            psycopg2.connect(host="127.0.0.1", port=self.pg_port, user="postgres", dbname=database, connect_timeout=5)
        ) as connection:
            connection.autocommit = True
            with connection.cursor() as cursor:
                cursor.execute(statement, params)
                return cursor.fetchall() if cursor.description else []

    def start_redis(self) -> None:
        self.processes["redis"] = subprocess.Popen(
            ["redis-server", "--port", str(self.redis_port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"],
            stdout=subprocess.DEVNULL,
        )
        wait_for_port(self.redis_port)

    def stop_redis(self) -> None:
        stop(self.processes.pop("redis"))

    def start_worker(self) -> None:
        self.processes["worker"] = subprocess.Popen(
            [PYTHON, "manage.py", "db_worker", "--interval", "0.2", "--no-startup-delay"],
            cwd=ROOT,
            env=self.env(DJANGO_MANAGEMENT_COMMAND="true"),
            stdout=subprocess.DEVNULL,
            stderr=open(self.folder / "worker.log", "w"),  # noqa: SIM115 - closed with the process
        )

    def stop_worker(self) -> None:
        stop(self.processes.pop("worker"))

    def start_web(self) -> None:
        def limit_file_size():
            import resource

            resource.setrlimit(resource.RLIMIT_FSIZE, (WEB_FILE_SIZE_LIMIT, WEB_FILE_SIZE_LIMIT))

        started = time.monotonic()
        self.processes["web"] = subprocess.Popen(
            [PYTHON, "-m", "gunicorn", "config.wsgi:application", "-c", "gunicorn.conf.py"],
            cwd=ROOT,
            env=self.env(GUNICORN_BIND=f"127.0.0.1:{self.web_port}", GUNICORN_ACCESS_LOG="/dev/null"),
            stdout=subprocess.DEVNULL,
            # A pipe, not a file: the file-size limit would cut a log file short.
            stderr=subprocess.PIPE,
            text=True,
            preexec_fn=limit_file_size,  # noqa: PLW1509 - before any thread exists in the child
        )
        self.web_log: list[str] = []
        threading.Thread(target=self.web_log.extend, args=(self.processes["web"].stderr,), daemon=True).start()
        wait_for_port(self.web_port, timeout=60)
        self.listening_after = time.monotonic() - started
        response = requests.get(f"{self.base}/healthz", timeout=30)
        self.first_answer_after = time.monotonic() - started
        assert response.status_code == 200, response.text

    # Hanging PostgreSQL: every process of the cluster stopped, as a frozen host would be.
    def postgres_pids(self) -> list[int]:
        postmaster = int((self.pgdata / "postmaster.pid").read_text().split()[0])
        children = []
        for stat in Path("/proc").glob("[0-9]*/stat"):
            with contextlib.suppress(OSError):
                fields = stat.read_text().rsplit(")", 1)[1].split()
                if int(fields[1]) == postmaster:
                    children.append(int(stat.parent.name))
        return [*children, postmaster]

    def signal_postgres(self, signum: int) -> None:
        pids = self.postgres_pids()
        for pid in pids if signum == signal.SIGSTOP else reversed(pids):
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signum)

    def close(self) -> None:
        for name in ("web", "worker", "redis"):
            if name in self.processes:
                stop(self.processes.pop(name))
        self.mail.close()
        if (self.pgdata / "postmaster.pid").exists():
            with contextlib.suppress(Exception):
                self.signal_postgres(signal.SIGCONT)
            with contextlib.suppress(Exception):
                self.as_postgres(str(pg_bindir() / "pg_ctl"), "-D", str(self.pgdata), "-m", "immediate", "-w", "stop")
        shutil.rmtree(self.folder, ignore_errors=True)


def stop(process: subprocess.Popen) -> None:
    process.terminate()
    try:
        process.wait(timeout=15)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait(timeout=5)


def wait_for_port(port: int, timeout: float = 20) -> None:
    ends = time.monotonic() + timeout
    while time.monotonic() < ends:
        with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), timeout=0.5):
            return
        time.sleep(0.05)
    raise AssertionError(f"nothing listens on port {port} after {timeout} s")
