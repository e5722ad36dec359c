"""Acting from Slack under the real Spin: signed button presses on `POST /slack/interactions`.

The release component runs under `spin up` (tests/spin/harness.py) in app mode, against one
stand-in server that plays Slack's Web API (`/api/`), a press's `response_url` (`/actions/`)
and ECS's API (`/ecs/`). The stand-in ECS checks each ContinueServiceDeployment's SigV4
signature with botocore, an implementation independent of the component's: it signs the same
request at the request's own X-Amz-Date and wants the very same Authorization header.

Without the Spin CLI or the built component the tests are skipped; with CI=true they fail.
"""

import datetime
import hashlib
import hmac
import json
import os
import shutil
import sys
import tempfile
import threading
import time
import urllib.parse
from pathlib import Path
from unittest import mock

import botocore.auth
import botocore.awsrequest
import botocore.credentials
import pytest

REPO = Path(__file__).resolve().parents[2]
sys.dont_write_bytecode = True  # no __pycache__ in tests/spin
sys.path.insert(0, str(REPO / "tests/spin"))
from app_mode import APP_TOKEN, app_variables  # noqa: E402
from harness import EXPECTED, WASM, Answer, Instance, SlackApi, request  # noqa: E402

SIGNING_SECRET = "8f742231b10e8888abcd99yyyzzz85a5"
KEY_ID, AWS_SECRET = "AKIAIOSFODNN7EXAMPLE", "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"
INTERACTIVE = {"slack_signing_secret": SIGNING_SECRET, "slack_approvers": "production=U0APPROVER U0SECOND",
               "aws_access_key_id": KEY_ID, "aws_secret_access_key": AWS_SECRET}
PAUSE, CONTINUED = "ecs-hook-pause-step-1-awaiting.json", "ecs-hook-pause-step-1-continued.json"
FAILED = "ecs-deployment-failed-checkout.json"
HOOK_ID = "ecs-pause-Xq8m2NvT5rKcW9pL3yHb7dFj1sZg6aUe4oIk0nMt2Qw"
DEPLOYMENT_ARN = ("arn:aws:ecs:us-east-1:111122223333:service-deployment/prod-cluster/checkout-api/"
                  "Qm3kT9vZx2LpR8wYc4NbE")
ECS_PATH, ACTIONS_PATH = "/ecs/", "/actions/T1/1/x"
ECS_JSON = "application/x-amz-json-1.1"
ECS_TARGET = "AmazonEC2ContainerServiceV20141113.ContinueServiceDeployment"
APPROVER, STRANGER = "U0APPROVER", "U0STRANGER"
PAUSE_BUTTONS = {"hook_continue", "hook_rollback"}
CONFIG = json.loads((EXPECTED / "config.json").read_text())  # what tests/spin/run configures
SIGNER = threading.Lock()  # botocore's clock is patched while it signs


def botocore_authorization(url, body, headers, secret=AWS_SECRET):
    """The Authorization header botocore's SigV4Auth gives this request (its content-type,
    x-amz-target and host) at the time of its X-Amz-Date, or None without a valid date."""
    try:
        at = datetime.datetime.strptime(headers.get("x-amz-date", ""), "%Y%m%dT%H%M%SZ")
    except ValueError:
        return None
    signed = {name: headers[name] for name in ("content-type", "x-amz-target", "host") if name in headers}
    unsigned = botocore.awsrequest.AWSRequest(method="POST", url=url, data=body, headers=signed)
    auth = botocore.auth.SigV4Auth(botocore.credentials.Credentials(KEY_ID, secret), "ecs", "us-east-1")
    # botocore >= 1.33 reads the time through botocore.auth.get_current_datetime (naive UTC).
    with SIGNER, mock.patch.object(botocore.auth, "get_current_datetime", lambda *_, **__: at):
        auth.add_auth(unsigned)
    return unsigned.headers["Authorization"]


class StandIn(SlackApi):
    """The Web API stand-in (SlackApi: `calls`; response_url posts in `webhook_posts`) that
    also plays ECS under ECS_PATH: every call is kept in `ecs_calls` with whether botocore
    signs it alike (`verified`). A valid call gets the next of `ecs_answers` (200 `{}` when
    there is none), another 403 InvalidSignatureException."""

    def __init__(self):
        self.ecs_calls, self.ecs_answers = [], []
        super().__init__()

    def reset(self, script="ok", post=(), update=(), ecs=()):
        """SlackApi.reset, and ECS answers (status, JSON body) per `ecs`, then 200 `{}`."""
        super().reset(script, post, update)
        with self.lock:
            self.ecs_calls.clear()
            self.ecs_answers[:] = ecs

    def on_post(self, handler, body):
        if not handler.path.startswith(ECS_PATH):
            super().on_post(handler, body)
            return
        headers = {k.lower(): v for k, v in handler.headers.items()}
        url = f"http://127.0.0.1:{self.port}{handler.path}"
        verified = headers.get("authorization") == botocore_authorization(url, body, headers)
        valid = (verified and headers.get("content-type") == ECS_JSON
                 and headers.get("x-amz-target") == ECS_TARGET)
        try:
            parsed = json.loads(body)
        except ValueError:
            parsed = body.decode(errors="replace")
        with self.lock:
            status, reply = ((self.ecs_answers.pop(0) if self.ecs_answers else (200, {})) if valid
                             else (403, {"__type": "InvalidSignatureException"}))
            self.ecs_calls.append({"url": url, "headers": headers, "raw": body, "body": parsed,
                                   "verified": verified, "status": status})
            self.arrived.notify_all()
        self.answer(handler, status, json.dumps(reply).encode(), {"content-type": ECS_JSON})

    def wait_for(self, done, timeout=5.0, grace=0.1):
        """Waits until `done(self)` holds (or `timeout` passed), then `grace` more seconds.
        `done` runs under the lock: it reads the lists, and takes no lock."""
        deadline = time.monotonic() + timeout
        with self.lock:
            while not done(self) and (left := deadline - time.monotonic()) > 0:
                self.arrived.wait(left)
        time.sleep(grace)

    def methods(self, method):
        """The Web API calls of `method` (no lock: see wait_for)."""
        return [call for call in self.calls if call["method"] == method]

    def notes(self):
        """The posts to the press's response_url (no lock: see wait_for)."""
        return [post for post in self.webhook_posts if post["path"] == ACTIONS_PATH]


# --- fixtures and helpers ---

def spin_cli():
    """$SPIN, else `spin` on PATH, else ../shared/bin/spin (as tests/spin/run), or None."""
    if os.environ.get("SPIN"):
        return shutil.which(os.environ["SPIN"])
    return shutil.which("spin") or shutil.which(str(REPO.parent / "shared" / "bin" / "spin"))


@pytest.fixture(scope="module")
def stand_in():
    """The Spin CLI and the component (missing: skipped, or failed with CI=true), a temp dir
    for the instances, and the stand-in server."""
    spin = spin_cli()
    missing = [what for what, there in (("the Spin CLI ($SPIN, spin on PATH, ../shared/bin/spin)", spin),
                                        (f"the component {WASM} (this test never builds)", WASM.is_file()))
               if not there]
    if missing:
        why = f"missing {' and '.join(missing)}"
        if os.environ.get("CI") == "true":
            pytest.fail(f"{why}, and CI=true")
        pytest.skip(why)
    Instance.SPIN, Instance.ROOT = spin, tempfile.mkdtemp(prefix="ecs-alerts-interactions-")
    server = StandIn()
    yield server
    server.close()
    shutil.rmtree(Instance.ROOT, ignore_errors=True)


@pytest.fixture
def api(stand_in):
    stand_in.reset()
    return stand_in


def variables(api, interactive=INTERACTIVE):
    """App mode on the stand-in, with `interactive` and ECS on the stand-in."""
    return app_variables(api, CONFIG, {**interactive, "ecs_api_url": f"http://127.0.0.1:{api.port}{ECS_PATH}"})


def buttons(body):
    """The buttons of a message's actions blocks."""
    return [element for block in body.get("blocks") or [] if block.get("type") == "actions"
            for element in block.get("elements") or []]


def text_of(body):
    return json.dumps(body, ensure_ascii=False)


def post_parent(spin, api, fixture):
    """Sends `fixture`, which starts a thread: the parent's chat.postMessage call."""
    api.reset()
    answer = spin.send(fixture)
    assert answer.status == 200, answer.body
    api.wait_for(lambda s: s.calls)
    (parent,) = api.calls
    assert parent["method"] == "chat.postMessage" and parent["answer"]["ok"], parent
    return parent


def post_pause(spin, api):
    """The waiting pause posted: (its parent's ts, its pause buttons' id)."""
    parent = post_parent(spin, api, PAUSE)
    shown = {button["action_id"]: button for button in buttons(parent["body"])}
    assert set(shown) == PAUSE_BUTTONS | {"ack", "open_console"}, shown
    pause_id = shown["hook_continue"]["value"]
    assert len(pause_id) == 32 and all(c in "0123456789abcdef" for c in pause_id), pause_id
    assert shown["hook_rollback"]["value"] == pause_id and shown["ack"]["value"] == DEPLOYMENT_ARN
    assert shown["hook_continue"]["style"] == "primary" and shown["hook_continue"].get("confirm")
    assert "value" not in shown["open_console"] and shown["open_console"].get("url")
    return parent["answer"]["ts"], pause_id


def press_body(port, action_id, value, user, ts):
    """Slack's form body for a press of `action_id` (`value`) by `user` on the message `ts`."""
    payload = {"type": "block_actions", "user": {"id": user},
               "container": {"type": "message", "message_ts": ts, "channel_id": "C0ALERTS"},
               "channel": {"id": "C0ALERTS"}, "response_url": f"http://127.0.0.1:{port}{ACTIONS_PATH}",
               "actions": [{"action_id": action_id, "value": value, "type": "button"}]}
    return urllib.parse.urlencode({"payload": json.dumps(payload)}).encode()


def signed(body, at=None, secret=SIGNING_SECRET):
    """Slack's headers for `body` (bytes), signed at `at` (now by default)."""
    at = str(int(time.time()) if at is None else at)
    tag = hmac.new(secret.encode(), f"v0:{at}:".encode() + body, hashlib.sha256).hexdigest()
    return {"x-slack-request-timestamp": at, "x-slack-signature": f"v0={tag}"}


def press(spin, api, action_id, value, user, ts, headers=None):
    """A press, signed now unless `headers(body)` gives other headers: (the answer, the
    press's log line or None)."""
    body = press_body(api.port, action_id, value, user, ts)
    headers = signed(body) if headers is None else headers(body)
    logged = len(spin.log_lines())
    answer = request(spin.port, "POST", "/slack/interactions", body,
                     {"content-type": "application/x-www-form-urlencoded", **headers})
    return answer, press_line(spin, logged) if answer.status == 200 else None


def press_line(spin, after, timeout=10.0):
    """The first press's log line past the first `after` (written once the work is done)."""
    deadline = time.monotonic() + timeout
    while True:
        found = [line for line in spin.log_lines()[after:] if line.get("outcome") == "press"]
        if found or time.monotonic() > deadline:
            return found[0] if found else None
        time.sleep(0.02)


def want_press(answer, line, outcome, user):
    assert (answer.status, answer.body) == (200, b""), (answer.status, answer.body)
    assert line is not None, "no log line for the press"
    assert (line.get("press"), line.get("user")) == (outcome, user), line


# --- the tests ---

def test_an_approver_continues_once_through_a_botocore_verified_call(api):
    """Continue by an approver: one signed ECS call, the parent redrawn, the thread told;
    a second press is told the pause is over; the hook's own event then posts nothing."""
    with Instance(variables(api), api, name="continue") as spin:
        ts, pause_id = post_pause(spin, api)
        api.reset()
        want_press(*press(spin, api, "hook_continue", pause_id, APPROVER, ts), "continued", APPROVER)
        api.wait_for(lambda s: len(s.calls) >= 2)
        (call,) = api.ecs_calls
        assert call["verified"], (call["headers"].get("authorization"), call["headers"].get("x-amz-date"))
        assert call["url"] == f"http://127.0.0.1:{api.port}{ECS_PATH}"
        assert (call["headers"]["content-type"], call["headers"]["x-amz-target"]) == (ECS_JSON, ECS_TARGET)
        assert call["body"] == {"serviceDeploymentArn": DEPLOYMENT_ARN, "hookId": HOOK_ID, "action": "CONTINUE"}
        # The check can fail: another secret, body or X-Amz-Date (botocore signs at the
        # header's time, not its own clock's) signs otherwise.
        url, raw, headers, sent = call["url"], call["raw"], call["headers"], call["headers"]["authorization"]
        assert botocore_authorization(url, raw, headers, AWS_SECRET[:-1] + "X") != sent
        assert botocore_authorization(url, raw.replace(b"CONTINUE", b"ROLLBACK"), headers) != sent
        later = datetime.datetime.strptime(headers["x-amz-date"], "%Y%m%dT%H%M%SZ") + datetime.timedelta(seconds=1)
        assert botocore_authorization(url, raw, {**headers, "x-amz-date": f"{later:%Y%m%dT%H%M%SZ}"}) != sent
        (update,) = api.methods("chat.update")
        assert update["body"]["ts"] == ts and "Continued by <@U0APPROVER>" in text_of(update["body"])
        assert not PAUSE_BUTTONS & {b.get("action_id") for b in buttons(update["body"])}, update["body"]
        (reply,) = api.methods("chat.postMessage")
        assert reply["body"].get("thread_ts") == ts, reply["body"]
        assert not api.notes()

        api.reset()
        want_press(*press(spin, api, "hook_continue", pause_id, APPROVER, ts), "pause_over", APPROVER)
        api.wait_for(lambda s: s.notes())
        assert not api.ecs_calls
        (note,) = api.notes()
        assert note["body"]["response_type"] == "ephemeral" and note["body"]["replace_original"] is False
        assert "This pause is over" in note["body"]["text"], note["body"]

        api.reset()
        answer = spin.send(CONTINUED)
        assert answer.status == 202 and answer.json.get("outcome") == "ignored", answer.body
        api.wait_for(lambda s: False, timeout=0.5)
        assert not api.methods("chat.postMessage") and not api.ecs_calls


def test_a_strangers_press_calls_nothing(api):
    """Someone who is not an approver of `production`: told so, and neither ECS nor the
    Web API is called."""
    with Instance(variables(api), api, name="stranger") as spin:
        ts, pause_id = post_pause(spin, api)
        api.reset()
        want_press(*press(spin, api, "hook_continue", pause_id, STRANGER, ts), "refused", STRANGER)
        api.wait_for(lambda s: s.notes())
        assert not api.ecs_calls and not api.calls
        (note,) = api.notes()
        assert "Only the approvers" in note["body"]["text"], note["body"]


def test_unsigned_stale_or_forged_presses_are_401_and_call_nothing(api):
    """A wrong signature, a timestamp 301 s old (signed for it), none, and EventBridge's API
    key alone: each 401, and nothing reaches Slack or ECS."""
    with Instance(variables(api), api, name="signatures") as spin:
        ts, pause_id = post_pause(spin, api)
        api.reset()
        forged = {"wrong signature": lambda body: signed(body, secret=SIGNING_SECRET[::-1]),
                  "stale timestamp": lambda body: signed(body, at=int(time.time()) - 301),
                  "no signature": lambda body: {},
                  "api key alone": lambda body: {"x-api-key": CONFIG["api_key"]}}
        for what, headers in forged.items():
            answer, _ = press(spin, api, "hook_continue", pause_id, APPROVER, ts, headers)
            assert answer.status == 401, (what, answer.status, answer.body)
        api.wait_for(lambda s: False, timeout=0.5)
        assert not api.calls and not api.webhook_posts and not api.ecs_calls
        assert not [line for line in spin.log_lines() if line.get("outcome") == "press"]


def test_ecs_refusals_are_told_to_the_presser(api):
    """A throttle keeps the buttons (ecs_failed); a refusal for good takes them away."""
    with Instance(variables(api), api, name="refusals") as spin:
        ts, pause_id = post_pause(spin, api)
        api.reset(ecs=[(400, {"__type": "ThrottlingException"})])
        answer, line = press(spin, api, "hook_rollback", pause_id, APPROVER, ts)
        want_press(answer, line, "ecs_failed", APPROVER)
        assert line.get("ecs_error") == "ThrottlingException", line
        api.wait_for(lambda s: s.notes())
        assert [(c["verified"], c["body"]["action"]) for c in api.ecs_calls] == [(True, "ROLLBACK")]
        assert "ThrottlingException" in api.notes()[0]["body"]["text"]
        assert not api.methods("chat.update")

        api.reset(ecs=[(400, {"__type": "InvalidParameterException"})])
        answer, line = press(spin, api, "hook_rollback", pause_id, APPROVER, ts)
        want_press(answer, line, "ecs_refused", APPROVER)
        assert line.get("ecs_error") == "InvalidParameterException", line
        api.wait_for(lambda s: s.methods("chat.update") and s.notes())
        assert len(api.ecs_calls) == 1
        (update,) = api.methods("chat.update")
        assert update["body"]["ts"] == ts
        assert not PAUSE_BUTTONS & {b.get("action_id") for b in buttons(update["body"])}, update["body"]


def test_without_the_signing_secret_there_is_no_path_and_no_buttons(api):
    """Approvers and an AWS key but no signing secret: no button with a value, and a 404 on
    the interactions path even for a signed request."""
    settings = {k: v for k, v in INTERACTIVE.items() if k != "slack_signing_secret"}
    with Instance(variables(api, settings), api, name="no-secret") as spin:
        parent = post_parent(spin, api, PAUSE)
        assert not [b for b in buttons(parent["body"]) if "value" in b], parent["body"]
        body = urllib.parse.urlencode({"payload": "{}"}).encode()
        answer = request(spin.port, "POST", "/slack/interactions", body, signed(body))
        assert answer.status == 404, (answer.status, answer.body)


def test_people_on_it_are_added_not_swapped(api):
    """"I'm on it" on a failure's alert: the parent shows who, a second person is added, and
    the thread hears each."""
    with Instance(variables(api), api, name="ack") as spin:
        parent = post_parent(spin, api, FAILED)
        ts = parent["answer"]["ts"]
        (ack,) = [b for b in buttons(parent["body"]) if b.get("action_id") == "ack"]
        shown = {"U0FIRST": "👀 <@U0FIRST> is on it", "U0SECOND": "<@U0FIRST> and <@U0SECOND> are on it"}
        for user, line in shown.items():
            api.reset()
            want_press(*press(spin, api, "ack", ack["value"], user, ts), "acknowledged", user)
            api.wait_for(lambda s: len(s.calls) >= 2)
            (update,) = api.methods("chat.update")
            assert update["body"]["ts"] == ts and line in text_of(update["body"]), update["body"]
            (reply,) = api.methods("chat.postMessage")
            assert reply["body"].get("thread_ts") == ts and f"<@{user}> is on it" in reply["body"]["text"]


def test_health_tells_interactivity_and_no_secret_leaks(api):
    """/health shows whether buttons and approvals are on, and settings as booleans only; no
    answer, Spin log or call to the stand-ins holds a secret (of every instance of this run)."""
    with Instance(variables(api), api, name="health") as spin:
        health = spin.get("/health", {"x-api-key": CONFIG["api_key"]})
        assert health.status == 200, health.body
        assert health.json.get("interactivity") == {"buttons": True, "approvals": True}, health.json
        settings = health.json.get("settings") or {}
        assert all(isinstance(value, bool) for value in settings.values()), settings
        assert all(settings.get(name) is True for name in (*INTERACTIVE, "ecs_api_url")), settings
        ts, pause_id = post_pause(spin, api)
        api.reset()
        want_press(*press(spin, api, "hook_continue", pause_id, APPROVER, ts), "continued", APPROVER)
    secrets = {"the signing secret": SIGNING_SECRET, "the AWS secret key": AWS_SECRET, "the bot token": APP_TOKEN}
    logs = [p for instance in Instance.ALL for p in (instance.state_dir / "logs").glob("*") if p.is_file()]
    assert any(p.stat().st_size for p in logs), "Spin wrote no component logs under <state-dir>/logs/"
    outputs = [instance.output for instance in Instance.ALL if instance.output.exists()]
    places = [(f"the answer to {a.what}", a.text()) for a in Answer.ALL]
    places += [(str(p), p.read_text(errors="replace")) for p in [*logs, *outputs]]
    sent = [*api.calls, *api.webhook_posts, *api.ecs_calls]
    places += [(f"a call to {c['path'] if 'path' in c else c['url']}", json.dumps(c["body"])) for c in sent]
    leaks = [f"{name} in {place}" for place, text in places for name, value in secrets.items() if value in text]
    assert not leaks, leaks
