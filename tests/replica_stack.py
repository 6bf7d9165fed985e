"""A whole deployment on one machine, for tests/test_replicas.py: a PostgreSQL
primary with a streaming replica, Redis, moto's S3 server, two gunicorn
replicas of the app and nginx in front of them.

Everything lives in one temporary folder and on ports 5541-5547 (chosen away
from other suites' servers); ``Stack.stop`` ends every process it started,
by its own id, and removes the folder. PostgreSQL's programs run as the
``postgres`` user (``runuser``), so the suite runs as root, as CI does.
"""

import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path

import boto3

BASE_DIR = Path(__file__).resolve().parent.parent
PORTS = {"primary": 5541, "standby": 5542, "redis": 5543, "s3": 5544, "a": 5545, "b": 5546, "nginx": 5547}
PHOTOS_BUCKET, EVIDENCE_BUCKET = "replica-test-photos", "replica-test-evidence"
SECRET_KEY = "replica-test-only-4f2c9b8e7d6a5c4b3a2f1e0d9c8b7a6f5e4d3c2b1a0f"  # noqa: S105 - throwaway stack
DATABASE = "omd_replicas"
MISSING_HELP = (
    "The replica suite needs nginx, redis-server and PostgreSQL's server programs "
    "(Debian: apt-get install nginx redis-server postgresql) and runs as root."
)


def public_read_policy(bucket: str) -> dict:
    return {
        "Version": "2012-10-17",
        "Statement": [
            {"Effect": "Allow", "Principal": "*", "Action": ["s3:GetObject"], "Resource": [f"arn:aws:s3:::{bucket}/*"]}
        ],
    }


def pg_bindir() -> Path:
    return Path(subprocess.run(["pg_config", "--bindir"], capture_output=True, text=True, check=True).stdout.strip())


def missing_tools() -> list[str]:
    missing = [name for name in ("nginx", "redis-server", "runuser", "pg_config") if shutil.which(name) is None]
    if not missing and not (pg_bindir() / "pg_basebackup").exists():
        missing.append("pg_basebackup")
    if os.geteuid() != 0:
        missing.append("root")
    return missing


def wait_for_port(port: int, *, seconds: float = 60, process: subprocess.Popen | None = None) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        with socket.socket() as probe:
            probe.settimeout(0.5)
            if probe.connect_ex(("127.0.0.1", port)) == 0:
                return
        if process is not None and process.poll() is not None:
            raise RuntimeError(f"The process for port {port} ended with {process.returncode}.")
        time.sleep(0.2)
    raise TimeoutError(f"Nothing listens on port {port} after {seconds} s.")


def port_in_use(port: int) -> bool:
    with socket.socket() as probe:
        return probe.connect_ex(("127.0.0.1", port)) == 0


@dataclass
class Stack:
    root: Path = field(default_factory=lambda: Path(tempfile.mkdtemp(prefix="omd-replicas-")))
    processes: dict[str, subprocess.Popen] = field(default_factory=dict)
    clusters: list[Path] = field(default_factory=list)

    # --- addresses -------------------------------------------------------
    def url(self, name: str) -> str:
        return f"http://127.0.0.1:{PORTS[name]}"

    def database_url(self, name: str) -> str:
        return f"postgres://postgres@127.0.0.1:{PORTS[name]}/{DATABASE}"

    def app_environment(self, **extra: str) -> dict[str, str]:
        keep = {key: value for key, value in os.environ.items() if not key.startswith(("AWS_", "DATABASE_"))}
        keep.pop("CACHE_URL", None)
        return {
            **keep,
            # The production settings, not the test run's.
            "DJANGO_SETTINGS_MODULE": "config.settings",
            "DEBUG": "false",
            "DEVTOOLS": "false",
            "SECRET_KEY": SECRET_KEY,
            "ALLOWED_HOSTS": "127.0.0.1,localhost",
            "SECURE_SSL_REDIRECT": "false",
            "SECURE_HSTS_SECONDS": "0",
            "SESSION_COOKIE_SECURE": "false",
            "CSRF_COOKIE_SECURE": "false",
            "TRUSTED_PROXY_COUNT": "1",
            "DATABASE_URL": self.database_url("primary"),
            "DATABASE_REPLICA_URL": self.database_url("standby"),
            "DATABASE_CONN_MAX_AGE": "0",
            "CACHE_URL": f"redis://127.0.0.1:{PORTS['redis']}/0",
            "AWS_STORAGE_BUCKET_NAME": PHOTOS_BUCKET,
            "AWS_PRIVATE_STORAGE_BUCKET_NAME": EVIDENCE_BUCKET,
            "AWS_S3_ENDPOINT_URL": self.url("s3"),
            "AWS_ACCESS_KEY_ID": "replica-test",
            "AWS_SECRET_ACCESS_KEY": "replica-test",
            "EMAIL_BACKEND": "django.core.mail.backends.locmem.EmailBackend",
            "WEB_CONCURRENCY": "2",
            "GUNICORN_TIMEOUT": "30",
            **extra,
        }

    # --- processes -------------------------------------------------------
    def _spawn(self, name: str, command: list[str], **kwargs) -> subprocess.Popen:
        log = open(self.root / f"{name}.log", "ab")  # noqa: SIM115 - closed with the process
        process = subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT, start_new_session=True, **kwargs)
        self.processes[name] = process
        return process

    def _as_postgres(self, *command: str) -> None:
        subprocess.run(["runuser", "-u", "postgres", "--", *command], check=True, capture_output=True, cwd="/")

    def log(self, name: str) -> str:
        path = self.root / f"{name}.log"
        return path.read_text(errors="replace") if path.exists() else ""

    def start(self) -> None:
        busy = [f"{name} ({port})" for name, port in PORTS.items() if port_in_use(port)]
        if busy:
            raise RuntimeError(f"Ports already in use: {', '.join(busy)}.")
        os.chmod(self.root, 0o755)  # noqa: S103 - the postgres user must reach its folders inside
        self.start_postgres()
        self.start_redis()
        self.start_s3()
        self.prepare_database()
        self.start_web("a")
        self.start_web("b")
        self.start_nginx()

    def start_postgres(self) -> None:
        bindir = pg_bindir()
        pg_root = self.root / "pg"
        pg_root.mkdir()
        shutil.chown(pg_root, "postgres", "postgres")
        primary, standby = pg_root / "primary", pg_root / "standby"
        self._as_postgres(str(bindir / "initdb"), "-D", str(primary), "-U", "postgres", "-A", "trust", "--no-sync")
        settings = (
            f"\nport = {PORTS['primary']}\nlisten_addresses = '127.0.0.1'\nunix_socket_directories = '{pg_root}'\n"
            "fsync = off\nfull_page_writes = off\nwal_level = replica\nmax_wal_senders = 4\nhot_standby = on\n"
            "shared_buffers = 32MB\nmax_connections = 60\n"
            # A commit returns once the replica has applied it: a read there right after sees it.
            "synchronous_commit = remote_apply\n"
        )
        with open(primary / "postgresql.conf", "a") as conf:
            conf.write(settings)
        self._as_postgres(str(bindir / "pg_ctl"), "-D", str(primary), "-l", str(pg_root / "primary.log"), "-w", "start")
        self.clusters.append(primary)
        self._as_postgres(
            str(bindir / "pg_basebackup"),
            "-d", f"host=127.0.0.1 port={PORTS['primary']} user=postgres application_name=standby",
            "-D", str(standby), "-R", "-X", "stream", "--no-sync",
        )  # fmt: skip
        with open(standby / "postgresql.conf", "a") as conf:
            # Every statement the replica runs is logged: the proof that searches read there.
            conf.write(f"\nport = {PORTS['standby']}\nlog_statement = 'all'\n")
        with open(standby / "postgresql.auto.conf", "a") as conf:
            conf.write(
                f"primary_conninfo = 'host=127.0.0.1 port={PORTS['primary']} user=postgres application_name=standby'\n"
            )
        self._as_postgres(str(bindir / "pg_ctl"), "-D", str(standby), "-l", str(self.standby_log), "-w", "start")
        self.clusters.append(standby)
        self.primary_sql("ALTER SYSTEM SET synchronous_standby_names = 'standby'")
        self.primary_sql("SELECT pg_reload_conf()")
        deadline = time.monotonic() + 30
        while self.primary_sql("SELECT sync_state FROM pg_stat_replication") != [("sync",)]:
            if time.monotonic() > deadline:
                raise TimeoutError("The replica did not become synchronous.")
            time.sleep(0.2)
        self.primary_sql(f"CREATE DATABASE {DATABASE}", database="postgres")

    @property
    def standby_log(self) -> Path:
        return self.root / "pg" / "standby.log"

    def primary_sql(self, sql: str, params=(), *, database: str = "postgres") -> list[tuple]:
        return self._sql(PORTS["primary"], sql, params, database)

    def app_sql(self, sql: str, params=()) -> list[tuple]:
        return self._sql(PORTS["primary"], sql, params, DATABASE)

    @staticmethod
    def _sql(port: int, sql: str, params, database: str) -> list[tuple]:
        import psycopg2

        connection = psycopg2.connect(host="127.0.0.1", port=port, user="postgres", dbname=database)
        connection.autocommit = True
        try:
            with connection.cursor() as cursor:
                cursor.execute(sql, params)
                return cursor.fetchall() if cursor.description else []
        finally:
            connection.close()

    def start_redis(self) -> None:
        process = self._spawn(
            "redis",
            ["redis-server", "--port", str(PORTS["redis"]), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"],
            cwd=self.root,
        )
        wait_for_port(PORTS["redis"], process=process)

    def start_s3(self) -> None:
        moto_server = str(Path(sys.executable).with_name("moto_server"))
        process = self._spawn("s3", [moto_server, "-H", "127.0.0.1", "-p", str(PORTS["s3"])], cwd=self.root)
        wait_for_port(PORTS["s3"], process=process)
        for bucket in (PHOTOS_BUCKET, EVIDENCE_BUCKET):
            self.s3().create_bucket(Bucket=bucket)
        # Photos are public: anyone may read the photos bucket (as `mc anonymous set download` does
        # on MinIO). The evidence bucket has no policy: only signed requests reach it.
        self.s3().put_bucket_policy(Bucket=PHOTOS_BUCKET, Policy=json.dumps(public_read_policy(PHOTOS_BUCKET)))

    def s3(self):
        return boto3.client(
            "s3",
            endpoint_url=self.url("s3"),
            aws_access_key_id="replica-test",
            aws_secret_access_key="replica-test",  # noqa: S106 - moto's placeholder
            region_name="us-east-1",
        )

    def manage(self, *arguments: str, **environment: str) -> str:
        result = subprocess.run(
            [sys.executable, "manage.py", *arguments],
            env=self.app_environment(**environment),
            cwd=BASE_DIR,
            capture_output=True,
            text=True,
            check=False,
        )
        if result.returncode:
            raise RuntimeError(f"manage.py {' '.join(arguments)} failed:\n{result.stdout}\n{result.stderr}")
        return result.stdout

    def prepare_database(self) -> None:
        self.manage("migrate", "--noinput", "-v", "0")
        self.manage("seed_demo", "--force", "-v", "0", DEVTOOLS="true")
        self.manage("collectstatic", "--noinput", "-v", "0")

    def start_web(self, name: str) -> None:
        environment = self.app_environment(
            GUNICORN_BIND=f"127.0.0.1:{PORTS[name]}", GUNICORN_ACCESS_LOG="-", GUNICORN_ERROR_LOG="-"
        )
        process = self._spawn(
            f"web-{name}",
            [sys.executable, "-m", "gunicorn", "config.wsgi:application", "-c", "gunicorn.conf.py"],
            cwd=BASE_DIR,
            env=environment,
        )
        wait_for_port(PORTS[name], seconds=90, process=process)

    def kill_web(self, name: str) -> None:
        """Kill a replica outright, master and workers at once, as a crashed machine would."""
        process = self.processes.pop(f"web-{name}")
        os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=10)

    def start_nginx(self) -> None:
        nginx_root = self.root / "nginx"
        nginx_root.mkdir()
        user = "user root;\n" if os.geteuid() == 0 else ""
        conf = nginx_root / "nginx.conf"
        conf.write_text(
            NGINX_CONF.format(
                user=user,
                root=nginx_root,
                a=PORTS["a"],
                b=PORTS["b"],
                listen=PORTS["nginx"],
                s3=self.url("s3"),
                photos=PHOTOS_BUCKET,
            )
        )
        process = self._spawn(
            "nginx", ["nginx", "-p", str(nginx_root), "-e", str(nginx_root / "error.log"), "-c", str(conf)]
        )
        wait_for_port(PORTS["nginx"], process=process)

    def stop(self) -> None:
        for process in self.processes.values():
            if process.poll() is None:
                try:
                    os.killpg(process.pid, signal.SIGTERM)
                except ProcessLookupError:
                    continue
        for process in self.processes.values():
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait(timeout=10)
        bindir = pg_bindir()
        for cluster in reversed(self.clusters):
            subprocess.run(
                [
                    "runuser",
                    "-u",
                    "postgres",
                    "--",
                    str(bindir / "pg_ctl"),
                    "-D",
                    str(cluster),
                    "-m",
                    "immediate",
                    "stop",
                ],
                capture_output=True,
                check=False,
                cwd="/",
            )
        shutil.rmtree(self.root, ignore_errors=True)


# Two replicas behind one upstream with passive health checks: a replica that
# refuses or drops a connection is skipped for fail_timeout, and the request
# goes to the other (open-source nginx has no active checks).
NGINX_CONF = """
{user}worker_processes 1;
pid {root}/nginx.pid;
daemon off;
events {{ worker_connections 512; }}
http {{
    log_format upstreams '$upstream_addr $status "$request_method $uri"';
    access_log {root}/access.log upstreams;
    client_body_temp_path {root}/body;
    proxy_temp_path {root}/proxy;
    fastcgi_temp_path {root}/fastcgi;
    uwsgi_temp_path {root}/uwsgi;
    scgi_temp_path {root}/scgi;
    client_max_body_size 12m;

    upstream directory_web {{
        server 127.0.0.1:{a} max_fails=1 fail_timeout=10s;
        server 127.0.0.1:{b} max_fails=1 fail_timeout=10s;
        keepalive 16;
    }}

    server {{
        listen 127.0.0.1:{listen};

        location /media/ {{
            proxy_pass {s3}/{photos}/;
        }}

        location / {{
            proxy_pass http://directory_web;
            proxy_http_version 1.1;
            proxy_set_header Connection "";
            proxy_set_header Host $http_host;
            proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;
            proxy_set_header X-Forwarded-Proto $scheme;
            proxy_next_upstream error timeout http_502 http_503;
            proxy_next_upstream_tries 2;
            proxy_connect_timeout 2s;
            proxy_read_timeout 30s;
        }}
    }}
}}
"""


class _FormReader(HTMLParser):
    """The values a browser would send for the first form whose attributes include ``match``."""

    def __init__(self, match: dict[str, str]):
        super().__init__()
        self.match, self.values, self.inside, self.done = match, [], False, False
        self.select: str | None = None
        self.textarea: str | None = None

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        if tag == "form" and not self.done and all(attributes.get(k) == v for k, v in self.match.items()):
            self.inside = True
        if not self.inside:
            return
        name = attributes.get("name")
        if tag == "input" and name and name != "csrfmiddlewaretoken":
            kind = attributes.get("type", "text")
            if kind in ("checkbox", "radio"):
                if "checked" in attributes:
                    self.values.append((name, attributes.get("value", "on")))
            elif kind not in ("file", "submit", "button"):
                self.values.append((name, attributes.get("value") or ""))
        elif tag == "select" and name:
            self.select = name
        elif tag == "option" and self.select and "selected" in attributes:
            self.values.append((self.select, attributes.get("value", "")))
        elif tag == "textarea" and name:
            self.textarea = name
            self.values.append((name, ""))

    def handle_data(self, data):
        if self.textarea:
            name, text = self.values[-1]
            self.values[-1] = (name, text + data)

    def handle_endtag(self, tag):
        if tag == "select":
            self.select = None
        elif tag == "textarea":
            self.textarea = None
        elif tag == "form" and self.inside:
            self.inside, self.done = False, True


def form_values(html: str, **match: str) -> list[tuple[str, str]]:
    reader = _FormReader(match)
    reader.feed(html)
    return reader.values


def csrf_token(html: str) -> str:
    match = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', html)
    assert match, "The page has no CSRF token."
    return match.group(1)
