"""What the real-Spin scripts share (tests/spin/run, tests/spin/soak): the component and its
manifest, checks' reporting, cleanup of every process and temp dir, HTTP, the recording Slack
stand-ins (an incoming webhook, and the Web API of app mode), `spin up` instances and a throwaway
redis-server. Standard library only.
"""
import atexit
import contextlib
import http.client
import http.server
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import tomllib
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
FIXTURES, EXPECTED = REPO / "fixtures", REPO / "fixtures" / "expected"
SCENARIOS, EXPECTED_SCENARIOS = FIXTURES / "scenarios", EXPECTED / "scenarios"
SLACK_PATH = "/services/T00000000/B00000000/XXXXXXXXXXXXXXXXXXXXXXXX"
ANSWER_BUDGET_S = 5.0  # EventBridge waits 5 s for an answer
EVENTBRIDGE_HEADERS = {"content-type": "application/json; charset=utf-8",
                       "user-agent": "Amazon/EventBridge/ApiDestinations"}
# How the Slack stand-in answers: script -> (status, body, extra headers). "hang" never answers.
SLACK_SCRIPTS = {"ok": (200, b"ok", {}), "500": (500, b"internal_error", {}),
                 "429": (429, b"rate_limited", {"Retry-After": "17"}), "400": (400, b"invalid_payload", {})}
# The Web API stand-in (app mode) serves its methods under this path: slack_api_url is
# http://127.0.0.1:PORT/api, as https://slack.com/api is Slack's.
SLACK_API_PREFIX = "/api"
JSON_UTF8 = "application/json; charset=utf-8"  # what Slack's Web API answers, and wants

MANIFEST = tomllib.loads((REPO / "spin.toml").read_text())
(COMPONENT_ID, COMPONENT), = MANIFEST["component"].items()
WASM = Path(os.environ.get("ECS_ALERTS_WASM") or REPO / COMPONENT["source"]).resolve()


# --- reporting ---

class Failure(Exception):
    pass

def want(condition, why):
    if not condition:
        raise Failure(why)

def first_difference(got, expected, path="$"):
    """Where two JSON values differ, or None."""
    if isinstance(got, dict) and isinstance(expected, dict):
        for key in sorted(set(got) | set(expected)):
            if key not in got or key not in expected:
                return f"{path}.{key}: {'missing' if key not in got else 'unexpected'}"
            if (diff := first_difference(got[key], expected[key], f"{path}.{key}")) is not None:
                return diff
        return None
    if isinstance(got, list) and isinstance(expected, list) and len(got) == len(expected):
        diffs = (first_difference(g, e, f"{path}[{i}]") for i, (g, e) in enumerate(zip(got, expected)))
        return next((d for d in diffs if d is not None), None)
    if got == expected and type(got) is type(expected):
        return None
    show = lambda value: json.dumps(value, ensure_ascii=False)[:200]  # noqa: E731
    return f"{path}: got {show(got)}, expected {show(expected)}"

def want_json(what, got, expected):
    diff = first_difference(got, expected)
    want(diff is None, f"{what} differs at {diff}")

COUNTS = {"passed": 0, "failed": 0, "skipped": 0}

def skip(name, why):
    """A check that cannot run here: a loud line, counted apart; with CI=true a failure."""
    if os.environ.get("CI") == "true":
        report(name, Failure(f"{why}, and CI=true"))
        return
    COUNTS["skipped"] += 1
    SKIPPED.append(f"SKIPPED {name}: {why}")
    print(SKIPPED[-1], flush=True)

SKIPPED = []  # repeated before the last line, so that they are not missed

def report(name, error=None):
    COUNTS["failed" if error else "passed"] += 1
    if error is None:
        print(f"ok   {name}", flush=True)
    else:  # an unexpected exception is a failed check, not a crash
        why = str(error) if isinstance(error, Failure) else f"{type(error).__name__}: {error}"
        print(f"FAIL {name}: {why}", flush=True)

@contextlib.contextmanager
def check(name):
    try:
        yield
    except Exception as error:
        report(name, error)
    else:
        report(name)


# --- cleanup: every process and temp dir, on success, failure, Ctrl-C and SIGTERM ---

CLEANUPS = []
SIGNALS = (signal.SIGINT, signal.SIGTERM, signal.SIGHUP)

@contextlib.contextmanager
def signals_deferred():
    """Holds Ctrl-C and SIGTERM until a process is recorded, or cleanup is done."""
    pending = []
    previous = {sig: signal.signal(sig, lambda signum, _frame: pending.append(signum)) for sig in SIGNALS}
    try:
        yield
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)
        for sig in pending[:1]:
            signal.raise_signal(sig)

def cleanup():
    with signals_deferred():
        while CLEANUPS:
            with contextlib.suppress(Exception):
                CLEANUPS[-1]()
            CLEANUPS.pop()

atexit.register(cleanup)
for sig in (signal.SIGTERM, signal.SIGHUP):  # exit by unwinding: `finally` blocks, then atexit
    signal.signal(sig, lambda signum, _frame: sys.exit(128 + signum))


# --- HTTP ---

class Answer:
    ALL = []  # every answer of the run, for the secrets check

    def __init__(self, what, status, headers, body, seconds, record=True):
        self.what, self.status, self.headers, self.body, self.seconds = what, status, headers, body, seconds
        if record:
            Answer.ALL.append(self)

    @property
    def json(self):
        try:
            return json.loads(self.body)
        except ValueError:
            raise Failure(f"answer {self.status} is not JSON: {self.body[:200]!r}") from None

    def text(self):
        return "".join(f"{k}: {v}\n" for k, v in self.headers.items()) + self.body.decode(errors="replace")

def request(port, method, path, body=None, headers=None, timeout=15.0, record=True):
    """One request; 4xx and 5xx are answers too. An iterable body is sent chunked. `record`
    False keeps the answer out of Answer.ALL (the soak sends thousands)."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    started = time.monotonic()
    try:
        with contextlib.suppress(BrokenPipeError, ConnectionResetError):  # answered before the body was read
            conn.request(method, path, body=body, headers=headers or {})
        response = conn.getresponse()
        data = response.read()
        headers = {k.lower(): v for k, v in response.getheaders()}
        return Answer(f"{method} {path}", response.status, headers, data, time.monotonic() - started, record)
    finally:
        conn.close()

def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]

class StandIn:
    """An HTTP/1.1 keep-alive server on loopback (like Slack: Spin pools the connection) that hands
    each POST to `self.on_post(handler, body)`; `answer(handler, ...)` writes a plain answer."""

    def __init__(self):
        stand_in = self

        class Handler(http.server.BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_POST(self):
                stand_in.on_post(self, self.read_body())

            def read_body(self):
                if "chunked" not in self.headers.get("transfer-encoding", "").lower():
                    return self.rfile.read(int(self.headers.get("content-length", 0)))
                chunks = []
                while size := int(self.rfile.readline().split(b";")[0], 16):
                    chunks.append(self.rfile.read(size))
                    self.rfile.readline()
                while self.rfile.readline() not in (b"\r\n", b"\n", b""):
                    pass  # trailers
                return b"".join(chunks)

            def log_message(self, *args):
                pass

        self.release = threading.Event()  # set on close: whatever waits stops waiting
        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads, self.server.block_on_close = True, False
        self.server.handle_error = lambda *args: None  # connections Spin dropped (timeouts)
        self.port = self.server.server_address[1]
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        CLEANUPS.append(self.close)

    @staticmethod
    def answer(handler, status, payload, extra=None):
        handler.send_response(status)
        headers = {"content-type": "text/plain", "content-length": str(len(payload)), **(extra or {})}
        for name, value in headers.items():
            handler.send_header(name, value)
        handler.end_headers()
        handler.wfile.write(payload)

    def close(self):
        self.release.set()
        self.server.shutdown()
        self.server.server_close()

class Slack(StandIn):
    """The Slack stand-in: records every POST (path, headers, JSON body), answers per `script`.
    `queue` holds scripts for the next posts, one each, before `script` again; "hold" (queue only)
    keeps a post unanswered until `unhold` is set (`holding` is set when it arrived), then
    answers 200 `ok`."""

    def __init__(self):
        super().__init__()
        self.posts, self.script, self.queue = [], "ok", []
        self.holding, self.unhold = threading.Event(), threading.Event()
        self.lock = threading.Lock()

    def on_post(self, handler, body):
        with contextlib.suppress(ValueError):
            body = json.loads(body)
        headers = {k.lower(): v for k, v in handler.headers.items()}
        with self.lock:
            self.posts.append({"path": handler.path, "headers": headers, "body": body})
            script = self.queue.pop(0) if self.queue else self.script
            holding, unhold = self.holding, self.unhold
        if script == "hang":
            self.release.wait(10)  # the component must give up long before
            handler.close_connection = True
            return
        if script == "hold":
            holding.set()
            unhold.wait(30)
            script = "ok"
        self.answer(handler, *SLACK_SCRIPTS[script])

    def reset(self, script="ok", queue=()):
        """Forget the posts; answer the next ones per `queue`, then `script` (a SLACK_SCRIPTS
        name, "hang", or a status: 200 is "ok", another status gets that status and a plain body)."""
        self.posts.clear()
        self.script, *self.queue = (self.scripted(s) for s in (script, *queue))
        self.unhold.set()  # a post still held from before goes
        self.holding, self.unhold = threading.Event(), threading.Event()

    @staticmethod
    def scripted(script):
        if script == 200:
            return "ok"
        if isinstance(script, int):
            SLACK_SCRIPTS.setdefault(str(script), (script, b"error", {}))
            return str(script)
        return script

    def close(self):
        self.unhold.set()
        super().close()


class SlackApi(StandIn):
    """The Slack Web API stand-in (app mode, a bot token): records every call in `calls` (method,
    path, headers, JSON body, the script it got, Slack's answer) and answers like Slack. Each
    method has a queue of scripts for its next calls, one each, before `script` again:
    - "ok": HTTP 200 `{"ok": true, "channel": ..., "ts": ...}`; chat.postMessage gets a new ts
      (unique, increasing: `1700000000.000001`, ...), chat.update keeps the ts it was given;
    - an error code (a str): HTTP 200 `{"ok": false, "error": CODE}`;
    - 429: HTTP 429 with `Retry-After: 17` (RETRY_AFTER) and `{"ok": false, "error": "ratelimited"}`;
    - another int: that HTTP status with a plain body (Slack's 5xx).
    A POST outside SLACK_API_PREFIX is an incoming webhook (slack_routes can mix both): kept in
    `webhook_posts` and answered 200 `ok`."""

    RETRY_AFTER = "17"

    def __init__(self):
        super().__init__()
        self.lock = threading.Lock()
        self.arrived = threading.Condition(self.lock)
        self.calls, self.webhook_posts, self.issued = [], [], 0
        self.reset()

    def reset(self, script="ok", post=(), update=()):
        """Forget the calls; chat.postMessage answers per `post` next, chat.update per `update`,
        then both per `script`."""
        with self.lock:
            self.calls.clear()
            self.webhook_posts.clear()
            self.script, self.queues = script, {"chat.postMessage": list(post), "chat.update": list(update)}

    def on_post(self, handler, body):
        headers = {k.lower(): v for k, v in handler.headers.items()}
        try:
            parsed = json.loads(body)
        except ValueError:
            parsed = body.decode(errors="replace")
        path = handler.path
        if not path.startswith(SLACK_API_PREFIX + "/"):
            with self.lock:
                self.webhook_posts.append({"path": path, "headers": headers, "body": parsed})
                self.arrived.notify_all()
            self.answer(handler, *SLACK_SCRIPTS["ok"])
            return
        method = path[len(SLACK_API_PREFIX) + 1:].split("?")[0]
        fields = parsed if isinstance(parsed, dict) else {}
        with self.lock:
            queue = self.queues.get(method)
            script = queue.pop(0) if queue else self.script
            if script == "ok":
                ts = fields.get("ts") if method == "chat.update" else self.new_ts()
                reply = {"ok": True, "channel": fields.get("channel"), "ts": ts,
                         "message": {"type": "message", "text": fields.get("text"), "ts": ts}}
                status, extra = 200, {}
            elif script == 429:
                reply, status, extra = {"ok": False, "error": "ratelimited"}, 429, {"Retry-After": self.RETRY_AFTER}
            elif isinstance(script, int):
                reply, status, extra = None, script, {}
            else:
                reply, status, extra = {"ok": False, "error": script}, 200, {}
            self.calls.append({"method": method, "path": path, "headers": headers, "body": parsed,
                               "script": script, "status": status, "answer": reply})
            self.arrived.notify_all()
        if reply is None:
            self.answer(handler, status, b"upstream error", extra)
        else:
            self.answer(handler, status, json.dumps(reply).encode(), {"content-type": JSON_UTF8, **extra})

    def new_ts(self):
        """A message ts like Slack's: seconds, a dot, six digits; unique and increasing."""
        self.issued += 1
        return f"{1700000000 + self.issued // 1000000}.{self.issued % 1000000:06d}"

    def wait_calls(self, count, timeout=1.5, grace=0.03):
        """The calls so far, once there are at least `count` (or `timeout` passed), after
        `grace` more seconds for any extra one (the component may call after it answered)."""
        deadline = time.monotonic() + timeout
        with self.lock:
            while len(self.calls) < count and (left := deadline - time.monotonic()) > 0:
                self.arrived.wait(left)
        time.sleep(grace)
        with self.lock:
            return list(self.calls)


# --- Spin ---

def find_spin(what="the real-host Spin tests", script="tests/spin/run"):
    """$SPIN, else `spin` on PATH, else ../shared/bin/spin; without one: SKIPPED and exit 0, or
    with CI=true a failure."""
    if os.environ.get("SPIN"):
        spin = os.environ["SPIN"]
        return shutil.which(spin) or sys.exit(f"FAIL: SPIN={spin} is not an executable")
    spin = shutil.which("spin") or shutil.which(str(REPO.parent / "shared" / "bin" / "spin"))
    if spin:
        return spin
    if os.environ.get("CI") == "true":
        sys.exit("FAIL: Spin not found ($SPIN, `spin` on PATH, ../shared/bin/spin), and CI=true")
    print(f"SKIPPED: {what} did not run: no Spin CLI ($SPIN, `spin` on PATH, "
          f"../shared/bin/spin). Run them with: SPIN=/path/to/spin {script}", flush=True)
    sys.exit(0)

NO_REDIS = "no redis-server on PATH (Debian: apt-get install redis-server; or REDIS_SERVER=/path/to/it)"

def find_redis():
    """$REDIS_SERVER (Failure when it is not an executable), else redis-server on PATH, else None."""
    if os.environ.get("REDIS_SERVER"):
        server = shutil.which(os.environ["REDIS_SERVER"])
        want(server, f"REDIS_SERVER={os.environ['REDIS_SERVER']} is not an executable")
        return server
    return shutil.which("redis-server")

def manifest_copy(slack_port):
    """spin.toml with an absolute `source` and the stand-in allowed as an outbound host."""
    host = f"http://127.0.0.1:{slack_port}"
    text = (REPO / "spin.toml").read_text()
    text = re.sub(r"(?m)^source\s*=.*$", lambda _: f"source = {json.dumps(str(WASM))}", text)
    text = re.sub(r"(?m)^allowed_outbound_hosts\s*=\s*\[", lambda m: f'{m[0]}"{host}", ', text)
    component = tomllib.loads(text)["component"][COMPONENT_ID]
    if component["source"] != str(WASM) or host not in component["allowed_outbound_hosts"]:
        raise Failure(f"could not rewrite spin.toml's source and allowed_outbound_hosts:\n{text}")
    return text

class Managed:
    """A child process in its own group, stopped on exit and at cleanup; its output is kept in
    `self.output` (a file) so that a failure can show its tail."""

    proc = None

    def stop(self):
        stop_group(self.proc)

    def __exit__(self, *exc):
        self.stop()
        with contextlib.suppress(ValueError):
            CLEANUPS.remove(self.stop)

    def failure(self, why, tail=3000):
        """Stops the process and raises a Failure that quotes the end of its output."""
        self.stop()
        output = self.output.read_text(errors="replace")[-tail:].rstrip().replace("\n", "\n    | ")
        raise Failure(f"{why}; its output:\n    | {output}")


class Instance(Managed):
    """One `spin up`: `with Instance({"api_key": "k"}, slack) as spin: spin.post(...)`.
    Variables go in as SPIN_VARIABLE_<KEY>. Pass the same `state_dir` to a second Instance to
    restart on the same state; `runtime_config` is the text of a --runtime-config-file."""

    SPIN = ROOT = None  # the Spin CLI; the run's temp dir
    ALL = []  # every instance, for the secrets check of their logs

    def __init__(self, variables, slack=None, state_dir=None, runtime_config=None, name="spin",
                 variables_file=False):
        """`variables_file`: the settings as `--variable @FILE.toml` (every variable spin.toml
        declares, unset ones empty) instead of SPIN_VARIABLE_* environment variables."""
        self.variables, self.slack, self.runtime_config = variables, slack, runtime_config
        self.variables_file = variables_file
        self.dir = Path(tempfile.mkdtemp(prefix=f"{name}-", dir=Instance.ROOT))
        self.state_dir = Path(state_dir) if state_dir else self.dir / "state"
        self.output, self.proc = self.dir / "spin-output.txt", None
        Instance.ALL.append(self)

    def command(self):
        manifest = self.dir / "spin.toml"
        manifest.write_text(manifest_copy(self.slack.port if self.slack else free_port()))
        command = [Instance.SPIN, "up", "--from", str(manifest), "--listen", f"127.0.0.1:{self.port}",
                   "--state-dir", str(self.state_dir)]
        if self.runtime_config is not None:
            (self.dir / "runtime-config.toml").write_text(self.runtime_config)
            command += ["--runtime-config-file", str(self.dir / "runtime-config.toml")]
        if self.variables_file:
            declared = tomllib.loads((REPO / "spin.toml").read_text())["variables"]
            lines = [f"{name} = {json.dumps(self.variables.get(name, ''))}" for name in declared]
            (self.dir / "variables.toml").write_text("\n".join(lines) + "\n")
            command += ["--variable", f"@{self.dir / 'variables.toml'}"]
        return command

    def __enter__(self):
        # Only our settings: no SPIN_VARIABLE_*, SPIN_ALWAYS_BUILD, SPIN_HTTP_LISTEN_ADDR... from outside.
        env = {k: v for k, v in os.environ.items() if not k.startswith(("SPIN_", "RUNTIME_CONFIG_FILE"))}
        if not self.variables_file:
            env.update({f"SPIN_VARIABLE_{k.upper()}": v if isinstance(v, str) else json.dumps(v)
                        for k, v in self.variables.items()})
        CLEANUPS.append(self.stop)
        for _ in range(3):  # another process may take the free port first
            self.port = free_port()
            with open(self.output, "ab") as output, signals_deferred():
                self.proc = subprocess.Popen(self.command(), cwd=self.dir, env=env, stdin=subprocess.DEVNULL,
                                             stdout=output, stderr=subprocess.STDOUT, start_new_session=True)
            deadline = time.monotonic() + 30
            while self.proc.poll() is None:
                with contextlib.suppress(OSError, http.client.HTTPException):
                    request(self.port, "GET", "/health", timeout=1)
                    return self
                if time.monotonic() > deadline:
                    self.fail_start("spin up did not answer /health within 30 s")
                time.sleep(0.02)  # it starts in about 0.1 s, and the suite starts about 50
            if "already in use" not in self.output.read_text(errors="replace"):
                break
        self.fail_start(f"spin up exited with status {self.proc.returncode}")

    def fail_start(self, why):
        self.failure(why)

    def get(self, path, headers=None):
        return request(self.port, "GET", path, headers=headers)

    def log_lines(self):
        """The component's JSON log lines so far (Spin's <state-dir>/logs/*_stdout.txt)."""
        lines = []
        for path in sorted((self.state_dir / "logs").glob("*stdout*")):
            for line in path.read_text(errors="replace").splitlines():
                with contextlib.suppress(ValueError):
                    if isinstance(parsed := json.loads(line), dict):
                        lines.append(parsed)
        return lines

    def log_line(self, after, event_id, timeout=1.0):
        """The first log line past the first `after` that names `event_id` (Spin may write it
        a moment after the answer), or None."""
        deadline = time.monotonic() + timeout
        while True:
            found = [line for line in self.log_lines()[after:] if line.get("event_id") == event_id]
            if found or time.monotonic() > deadline:
                return found[0] if found else None
            time.sleep(0.02)

    def post(self, body, key=None, header="x-api-key"):
        """POST / as EventBridge does; `key` None sends no credentials."""
        headers = {**EVENTBRIDGE_HEADERS, **({header: key} if key is not None else {})}
        return request(self.port, "POST", "/", body, headers)

    def send(self, fixture):
        """POST fixtures/FIXTURE with this instance's own credentials (api_key, api_key_header)."""
        key, header = self.variables.get("api_key"), self.variables.get("api_key_header") or "x-api-key"
        return self.post((FIXTURES / fixture).read_bytes(), key, header)

def stop_group(proc):
    """Stops a process started with start_new_session=True, and its children: `spin up` runs
    the trigger as a child process, and stopping the whole group takes milliseconds where
    signalling `spin up` alone takes over a second."""
    if proc and proc.poll() is None:
        for sig, wait in ((signal.SIGTERM, 5), (signal.SIGKILL, None)):
            with contextlib.suppress(ProcessLookupError):
                os.killpg(proc.pid, sig)
            with contextlib.suppress(subprocess.TimeoutExpired):
                proc.wait(wait)
                break


# --- Redis, for a key-value store that several instances share ---

class Redis(Managed):
    """A throwaway redis-server on a free loopback port, without persistence:
    `with Redis(server) as redis: Instance(..., runtime_config=redis.runtime_config)`."""

    def __init__(self, server):
        self.server, self.proc = server, None
        self.dir = Path(tempfile.mkdtemp(prefix="redis-", dir=Instance.ROOT))
        self.output = self.dir / "redis-output.txt"

    @property
    def runtime_config(self):
        """A Spin runtime config that puts the store `default` on this server."""
        return f'[key_value_store.default]\ntype = "redis"\nurl = "redis://127.0.0.1:{self.port}"\n'

    def __enter__(self):
        CLEANUPS.append(self.stop)
        for _ in range(3):  # another process may take the free port first
            self.port = free_port()
            command = [self.server, "--port", str(self.port), "--bind", "127.0.0.1", "--save", "",
                       "--appendonly", "no", "--daemonize", "no", "--dir", str(self.dir)]
            with open(self.output, "ab") as output, signals_deferred():
                self.proc = subprocess.Popen(command, cwd=self.dir, stdin=subprocess.DEVNULL, stdout=output,
                                             stderr=subprocess.STDOUT, start_new_session=True)
            deadline = time.monotonic() + 10
            while self.proc.poll() is None and time.monotonic() < deadline:
                with contextlib.suppress(OSError, Failure):
                    if self.command("PING") == "PONG":
                        return self
                time.sleep(0.02)
            if self.proc.poll() is None or "in use" not in self.output.read_text(errors="replace"):
                break
        exited = self.proc.poll() is not None
        why = f"exited with status {self.proc.returncode}" if exited else "did not answer PING within 10 s"
        self.failure(f"{self.server} {why}", tail=2000)

    def command(self, *args):
        """One Redis command over RESP: a str (status), int, bytes, None or a list."""
        message = b"".join([b"*%d\r\n" % len(args)] + [b"$%d\r\n%s\r\n" % (len(a), a)
                                                       for a in (str(a).encode() for a in args)])
        with socket.create_connection(("127.0.0.1", self.port), timeout=5) as sock:
            sock.sendall(message)
            return self.reply(sock.makefile("rb"))

    def reply(self, reader):
        line = reader.readline()
        kind, rest = line[:1], line[1:].rstrip(b"\r\n")
        if kind == b"+":
            return rest.decode()
        if kind == b"-":
            raise Failure(f"redis answered {rest.decode(errors='replace')}")
        if kind == b":":
            return int(rest)
        if kind == b"$":
            return None if int(rest) < 0 else reader.read(int(rest) + 2)[:-2]
        if kind == b"*":
            return None if int(rest) < 0 else [self.reply(reader) for _ in range(int(rest))]
        raise Failure(f"redis answered {line[:100]!r}")


# --- what the suites share ---

STOPPED, FAILED = "ecs-task-stopped-pull-error.json", "ecs-deployment-failed-checkout.json"
CAUSE = "CannotPullContainerError"  # in STOPPED, and so in the alert for FAILED when it was recorded

def scenarios():
    """(fixtures/scenarios/*.json, it parsed, its parsed fixtures/expected/scenarios/ file or None)."""
    for path in sorted(p for p in SCENARIOS.glob("*.json") if p.is_file()):
        expected = EXPECTED_SCENARIOS / path.name
        expected = json.loads(expected.read_text()) if expected.is_file() else None
        yield path, json.loads(path.read_text()), expected

