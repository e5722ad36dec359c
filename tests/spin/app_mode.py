"""App mode under the real Spin: the release component with a bot token and a channel, against
a stand-in for Slack's Web API (harness.SlackApi). Every scenario of fixtures/scenarios/ replayed
as fixtures/expected/app/ says, with the thread's rules checked on the real calls; each Web API
error's status; refused and failed rewrites of the thread's parent; late stopped tasks; routes,
/health and bad settings. tests/spin/run runs it (`app_suite`)."""
import json
import re

from harness import (CAUSE, EXPECTED, FAILED, FIXTURES, JSON_UTF8, REPO, SLACK_API_PREFIX, STOPPED,
                     Failure, Instance, SlackApi, check, report, scenarios, want, want_json)


APP_TOKEN = "xoxb-000000000000-0000000000000-SpinSuiteBotTokenSecret000"
APP_CHANNEL, PROD_CHANNEL = "C0ALERTS", "C0PROD1"  # the channel of fixtures/expected/app/
EXPECTED_APP = EXPECTED / "app"  # each scenario's Web API calls in app mode (tests/app_scenarios.rs)
STAGING_WEBHOOK_PATH = "/services/T0/B0/StagingWebhookSecret0000"  # a webhook route beside the app
BAD_TOKEN = "xoxp-1111-2222-SpinSuiteUserTokenSecret"  # a user token: refused, and never shown
STARTED, COMPLETED = "ecs-deployment-rollback-started.json", "ecs-deployment-rollback-completed.json"
ROLLBACK_FAILED = "ecs-deployment-rollback-failed.json"
# The parent's status line once each reply is told (case-insensitive).
STATUS_LINES = {STARTED: "rolling back to", COMPLETED: "rolled back", ROLLBACK_FAILED: "rollback failed"}
REJECTED_CODES = ("invalid_auth", "not_authed", "token_revoked", "token_expired", "account_inactive",
                  "missing_scope", "channel_not_found", "not_in_channel", "is_archived", "invalid_blocks",
                  "msg_too_long", "restricted_action")
FAILED_CODES = ("internal_error", "fatal_error", "an_error_slack_adds_later")
REFUSED_UPDATES = ("message_not_found", "cant_update_message", "edit_window_closed")
POST, UPDATE = "chat.postMessage", "chat.update"

def app_variables(api, config, settings=None):
    """`config` in app mode: the bot token, a channel and the Web API stand-in, no webhook."""
    base = {k: v for k, v in config.items() if k != "slack_webhook_url"}
    return {**base, "slack_bot_token": APP_TOKEN, "slack_channel": APP_CHANNEL,
            "slack_api_url": f"http://127.0.0.1:{api.port}{SLACK_API_PREFIX}", **(settings or {})}

def fixture_event_id(fixture):
    return json.loads((FIXTURES / fixture).read_text())["id"]

def is_alert(fixture):
    """Whether the fixture's message is an alert (a failure, an ERROR service action, a pause
    waiting for approval, a Lambda hook's failure, a hook's time-out): as a reply, it is also
    shown in the channel."""
    event = json.loads((FIXTURES / fixture).read_text())
    detail = event.get("detail") or {}
    if event.get("detail-type") == "ECS Hook State Change":
        name, pause = detail.get("eventName"), detail.get("hookType") == "PAUSE"
        return (name in ("HOOK_AWAITING_ACTION", "HOOK_TIMED_OUT")
                or (name == "HOOK_FAILED" and not pause))
    return (detail.get("eventName") == "SERVICE_DEPLOYMENT_FAILED"
            or (event.get("detail-type") == "ECS Service Action" and detail.get("eventType") == "ERROR"))

def context_event_ids(blocks):
    """The event ids in a message's context blocks ("Event `ID` · `time`")."""
    ids = []
    for block in blocks if isinstance(blocks, list) else []:
        if isinstance(block, dict) and block.get("type") == "context":
            for element in block.get("elements") or []:
                text = element.get("text", "") if isinstance(element, dict) else ""
                ids += re.findall(r"Event `([^`]+)`", text if isinstance(text, str) else "")
    return ids

def shown(value, size=300):
    return json.dumps(value, ensure_ascii=False)[:size]

def want_call(call, method, event_id, channel):
    """A Web API call: its method and path, the bearer token and charset, a JSON body for
    `channel` with a text fallback and blocks whose context names `event_id`."""
    what = f"{method} for {event_id}"
    want(call["method"] == method and call["path"] == f"{SLACK_API_PREFIX}/{method}",
         f"{what}: called {call['path']}")
    authorization = call["headers"].get("authorization", "")
    want(authorization == f"Bearer {APP_TOKEN}",
         f"{what}: authorization is not `Bearer <slack_bot_token>` (starts {authorization[:12]!r})")
    content_type = call["headers"].get("content-type", "")
    want(content_type.replace(" ", "").lower() == JSON_UTF8.replace(" ", ""),
         f"{what}: content-type {content_type!r}, expected {JSON_UTF8!r}")
    body = call["body"]
    want(isinstance(body, dict), f"{what}: the body is not a JSON object: {shown(body)}")
    want(body.get("channel") == channel, f"{what}: channel {body.get('channel')!r}, expected {channel!r}")
    want(isinstance(body.get("text"), str) and body["text"].strip(), f"{what}: no text fallback")
    want(isinstance(body.get("blocks"), list) and body["blocks"], f"{what}: no blocks")
    want(event_id in context_event_ids(body["blocks"]),
         f"{what}: its context blocks name {context_event_ids(body['blocks'])}, not {event_id}")
    if method == POST:
        want(body.get("unfurl_links") is False and body.get("unfurl_media") is False,
             f"{what}: unfurl_links {body.get('unfurl_links')!r}, unfurl_media {body.get('unfurl_media')!r}")

def words_of(body):
    """A message's text and blocks, lower-case, for looking up words."""
    return json.dumps([body.get("text"), body.get("blocks")], ensure_ascii=False).lower()

def why_section(body):
    """The text of a message's Why: the section that starts `*Why*` and the sections after it
    (one per cause), or None."""
    texts = None
    for block in body.get("blocks") or []:
        text = (block.get("text") or {}).get("text", "") if isinstance(block, dict) else ""
        text = text if isinstance(text, str) else ""
        if texts is None and text.startswith("*Why*"):
            texts = [text]
        elif texts is not None:
            if block.get("type") != "section" or text.startswith("*"):
                break
            texts.append(text)
    return None if texts is None else "\n".join(texts)


class AppThread:
    """One instance telling stories through the Web API stand-in: each step sends a fixture and
    checks what the component called against the thread so far (`parent`: the parent's call)."""

    def __init__(self, spin, api, channel=APP_CHANNEL):
        self.spin, self.api, self.channel, self.parent = spin, api, channel, None

    @property
    def parent_ts(self):
        return self.parent["answer"]["ts"]

    def send(self, fixture, expected_calls, post=(), update=()):
        """Sends `fixture` with the stand-in answering chat.postMessage per `post` and
        chat.update per `update` (then ok); (answer, calls, log line)."""
        self.api.reset("ok", post, update)
        logged = len(self.spin.log_lines())
        answer = self.spin.send(fixture)
        calls = self.api.wait_calls(expected_calls)
        return answer, calls, self.spin.log_line(logged, fixture_event_id(fixture))

    def deliver(self, fixture, update=(), rewrite="updated"):
        """`fixture` told in the thread: the parent when there is none yet, else a reply and
        the parent rewritten (chat.update; `update` scripts its answers). `rewrite`: how the
        rewrite ends, the log line's parent_update (`replied`: Slack refused the edit, and the
        rewritten parent went as a reply). Returns the calls."""
        event_id = fixture_event_id(fixture)
        thread = "parent" if self.parent is None else "reply"
        expected_calls = 1 if thread == "parent" else (3 if rewrite == "replied" else 2)
        answer, calls, log = self.send(fixture, expected_calls, update=update)
        expected = {"event_id": event_id, "outcome": "delivered", "slack_status": 200, "thread": thread}
        want(answer.status == 200, f"{fixture}: {answer.status} {answer.body[:300]!r}, expected 200 delivered")
        want_json(f"{fixture}: the answer", answer.json, expected)
        sequence = [(c["method"], (c["body"] or {}).get("thread_ts") if isinstance(c["body"], dict) else None)
                    for c in calls]
        want(len(calls) == expected_calls,
             f"{fixture}: {len(calls)} Web API calls {sequence}, expected {expected_calls}")
        post = calls[0]
        want(post["method"] == POST, f"{fixture}: the first call is {post['method']}, expected {POST}")
        want_call(post, POST, event_id, self.channel)
        body = post["body"]
        broadcast = is_alert(fixture)
        if thread == "parent":
            want(not body.get("thread_ts"), f"{fixture}: the thread's first message has thread_ts {body.get('thread_ts')!r}")
            want(not body.get("reply_broadcast"), f"{fixture}: the parent has reply_broadcast")
            self.parent = post
        else:
            want(body.get("thread_ts") == self.parent_ts,
                 f"{fixture}: thread_ts {body.get('thread_ts')!r}, expected the parent's {self.parent_ts!r}")
            want(body.get("reply_broadcast") is True if broadcast else not body.get("reply_broadcast"),
                 f"{fixture}: reply_broadcast {body.get('reply_broadcast')!r}, "
                 f"expected {'true (an alert)' if broadcast else 'none'}")
            self.want_rewrite(fixture, calls[1], calls[2:], rewrite)
        want(log is not None, f"{fixture}: no log line names {event_id}")
        want(log.get("thread") == thread, f"{fixture}: the log line's thread is {log.get('thread')!r}, expected {thread!r}")
        if thread == "parent":
            want("parent_update" not in log, f"{fixture}: the parent's log line has parent_update {log.get('parent_update')!r}")
        else:
            want(log.get("parent_update") == rewrite,
                 f"{fixture}: the log line's parent_update is {log.get('parent_update')!r}, expected {rewrite!r}")
        return calls

    def replay(self, step, result):
        """A scenario step against its expected result: {status, response, log, calls}."""
        fixture, scripts = step["post"], step_scripts(step)
        event_id = fixture_event_id(fixture)
        answer, calls, log = self.send(fixture, len(result["calls"]), scripts[POST], scripts[UPDATE])
        want(answer.status == result["status"], f"status {answer.status}, expected {result['status']}: "
                                                f"{answer.body[:300]!r}")
        want_json("the answer", answer.json, result["response"])
        methods, expected_methods = [c["method"] for c in calls], [c["method"] for c in result["calls"]]
        want(methods == expected_methods, f"Web API calls {methods}, expected {expected_methods}")
        for number, (call, expected) in enumerate(zip(calls, result["calls"]), 1):
            what = f"call {number} ({call['method']})"
            named = context_event_ids((call["body"] or {}).get("blocks") if isinstance(call["body"], dict) else None)
            want_call(call, call["method"], named[0] if named else event_id, APP_CHANNEL)
            want_json(f"{what}'s body", without_ts(call["body"]), without_ts(expected["body"]))
            body = call["body"]
            if call["method"] == UPDATE:
                want(self.parent is not None and body.get("ts") == self.parent_ts,
                     f"{what}: ts {body.get('ts')!r}, not the parent's ({self.parent_ts if self.parent else None!r})")
            elif body.get("thread_ts"):
                want(self.parent is not None and body["thread_ts"] == self.parent_ts,
                     f"{what}: thread_ts {body['thread_ts']!r}, not the parent's "
                     f"({self.parent_ts if self.parent else None!r})")
                broadcast = is_alert(fixture) and named[:1] == [event_id]
                want(body.get("reply_broadcast") is True if broadcast else not body.get("reply_broadcast"),
                     f"{what}: reply_broadcast {body.get('reply_broadcast')!r}")
            else:
                want(not body.get("reply_broadcast"), f"{what}: reply_broadcast without thread_ts")
                if (call["answer"] or {}).get("ok"):
                    want(self.parent is None, f"{what}: a second parent (the first: "
                                              f"{self.parent and self.parent['answer']['ts']})")
                    self.parent = call
        if result.get("log"):
            want(log is not None, f"no log line names {event_id}")
            for key in ("thread", "parent_update"):
                want(log.get(key) == result["log"].get(key),
                     f"the log line's {key} is {log.get(key)!r}, expected {result['log'].get(key)!r}")

    def want_rewrite(self, fixture, update, rest, rewrite):
        """The parent rewritten after a reply: chat.update of the parent's channel and ts, its
        original event id kept, a status line; when Slack refused the edit, the rewrite posted
        into the thread instead."""
        parent_event = context_event_ids(self.parent["body"]["blocks"])[0]
        want(update["method"] == UPDATE, f"{fixture}: after the reply came {update['method']}, expected {UPDATE}")
        want_call(update, UPDATE, parent_event, self.parent["body"]["channel"])
        want(update["body"].get("ts") == self.parent_ts,
             f"{fixture}: chat.update of ts {update['body'].get('ts')!r}, expected the parent's {self.parent_ts!r}")
        status_line = STATUS_LINES.get(fixture)
        if status_line:
            want(status_line in words_of(update["body"]),
                 f"{fixture}: the rewritten parent does not say {status_line!r}: {shown(update['body']['blocks'], 600)}")
        if rewrite != "replied":
            want(not rest, f"{fixture}: more calls after the rewrite: {[c['method'] for c in rest]}")
            return
        want(len(rest) == 1 and rest[0]["method"] == POST,
             f"{fixture}: Slack refused the edit ({update['script']}), then {[c['method'] for c in rest]}, "
             f"expected one {POST}")
        fallback = rest[0]
        want_call(fallback, POST, parent_event, self.parent["body"]["channel"])
        want(fallback["body"].get("thread_ts") == self.parent_ts,
             f"{fixture}: the rewrite as a reply has thread_ts {fallback['body'].get('thread_ts')!r}, "
             f"expected {self.parent_ts!r}")
        want(not fallback["body"].get("reply_broadcast"), f"{fixture}: the rewrite as a reply has reply_broadcast")
        if status_line:
            want(status_line in words_of(fallback["body"]), f"{fixture}: the rewrite as a reply does not say {status_line!r}")

    def quiet(self, fixture, result, post=()):
        """A step that posts nothing new (recorded, ignored, duplicate) or fails at Slack: the
        answer as `result` says, and no Web API call but the failed one."""
        failed = result["status"] != 200 and "error" in result["response"]
        answer, calls, _ = self.send(fixture, 1 if failed else 0, post=post)
        if failed:
            want(answer.status == result["status"] and answer.json.get("error") == result["response"]["error"],
                 f"{fixture}: {answer.status} {answer.body[:300]!r}, expected {result['status']} "
                 f"{result['response']['error']}")
            want(len(calls) == 1 and calls[0]["method"] == POST,
                 f"{fixture}: calls {[c['method'] for c in calls]}, expected one failed {POST}")
            want_call(calls[0], POST, fixture_event_id(fixture), self.channel)
            return
        want(answer.status == result["status"], f"{fixture}: {answer.status} {answer.body[:300]!r}, expected {result['status']}")
        want_json(f"{fixture}: the answer", answer.json, result["response"])
        want(not calls, f"{fixture}: Web API calls {[(c['method'], shown(c['body'], 200)) for c in calls]}, expected none")


def without_ts(body):
    """A call's body with its `ts` and `thread_ts` (Slack's, which differ by host) as placeholders."""
    if not isinstance(body, dict):
        return body
    return {k: "<ts>" if k in ("ts", "thread_ts") else v for k, v in body.items()}

def step_scripts(step):
    """How the Web API answers a scenario step: `slack` (chat.postMessage's HTTP status) and
    `web_api` (a method -> the error code it answers once, or a list of them)."""
    scripts = {POST: [step["slack"]] if step.get("slack", 200) != 200 else [], UPDATE: []}
    for method, codes in (step.get("web_api") or {}).items():
        scripts[method if method in scripts else POST] += codes if isinstance(codes, list) else [codes]
    return scripts

def app_scenario_suite(api, config):
    """Every scenario in app mode, each step against fixtures/expected/app/ (the answer, the log
    line's thread and parent_update, each Web API call's method and body but Slack's ts), and
    the thread's rules on what was called: one parent, each reply's thread_ts and each
    chat.update's ts the parent's, reply_broadcast only on an alert's own reply."""
    for path, scenario, _ in scenarios():
        steps = scenario["steps"]
        expected_path = EXPECTED_APP / path.name
        with (Instance(app_variables(api, config, scenario.get("settings")), api, name=f"app-{path.stem}") as spin,
              check(f"app: scenario {path.name}: {len(steps)} steps as fixtures/expected/app/ says, one thread")):
            want(expected_path.is_file(), f"no {expected_path.relative_to(REPO)}")
            expected = json.loads(expected_path.read_text())
            want(len(expected) == len(steps), f"{len(steps)} steps, but {len(expected)} expected results")
            thread = AppThread(spin, api)
            for number, (step, result) in enumerate(zip(steps, expected), 1):
                try:
                    want(result.get("post") == step["post"], f"its expected result is for {result.get('post')!r}")
                    thread.replay(step, result)
                except Failure as error:
                    raise Failure(f"step {number} ({step['post']}): {error}") from None
    api.reset()

def app_errors_suite(api, config):
    """What each Web API answer to the event's own message becomes. A failed post marks nothing,
    so the same event goes again each time, on one instance; the rate limits each on an instance
    of its own (a component may hold back while Slack asked it to wait)."""
    table = ([(code, f"ok:false {code}", 424, "slack_rejected") for code in REJECTED_CODES]
             + [(code, f"ok:false {code}", 502, "slack_failed") for code in FAILED_CODES]
             + [(500, "HTTP 500", 502, "slack_failed"), (503, "HTTP 503", 502, "slack_failed")])
    rate_limits = [(429, f"HTTP 429 + Retry-After {SlackApi.RETRY_AFTER}", 429, "slack_rate_limited"),
                   ("ratelimited", "HTTP 200 ok:false ratelimited", 429, "slack_rate_limited")]
    event_id = fixture_event_id(FAILED)

    def want_answered(spin, script, status, error):
        api.reset("ok", post=[script])
        answer = spin.send(FAILED)
        calls = api.wait_calls(1)
        want(answer.status == status and answer.json.get("error") == error,
             f"{answer.status} {answer.body[:300]!r}, expected {status} {error}")
        want(answer.json.get("event_id") == event_id, f"event_id {answer.json.get('event_id')!r}")
        if error == "slack_rejected":
            message = answer.json.get("message", "")
            want(script in message, f"the message does not name {script}: {message!r}")
        if status == 429:
            retry_after = answer.headers.get("retry-after", "")
            if script == 429:
                want(retry_after == SlackApi.RETRY_AFTER,
                     f"Retry-After {retry_after!r}, expected Slack's {SlackApi.RETRY_AFTER!r}")
            else:
                want(retry_after.isdigit() and int(retry_after) >= 1, f"Retry-After {retry_after!r}")
        want(len(calls) == 1 and calls[0]["method"] == POST,
             f"calls {[c['method'] for c in calls]}, expected one {POST}")
        want_call(calls[0], POST, event_id, APP_CHANNEL)

    with Instance(app_variables(api, config), api, name="app-errors") as spin:
        for script, label, status, error in table:
            with check(f"app: chat.postMessage answering {label} -> {status} {error}"):
                want_answered(spin, script, status, error)
        with check(f"app: after those failures, {FAILED} -> delivered as the thread's parent; again -> "
                   f"200 duplicate, nothing posted"):
            thread = AppThread(spin, api)
            thread.deliver(FAILED)
            answer, calls, _ = thread.send(FAILED, 0)
            want(answer.status == 200 and answer.json.get("outcome") == "duplicate"
                 and answer.json.get("event_id") == event_id, f"{answer.status} {answer.body[:300]!r}")
            want(not calls, f"Web API calls {[c['method'] for c in calls]}")
    for script, label, status, error in rate_limits:
        with (Instance(app_variables(api, config), api, name=f"app-{script}") as spin,
              check(f"app: chat.postMessage answering {label} -> {status} {error} + Retry-After")):
            want_answered(spin, script, status, error)
    api.reset()

def app_rewrite_suite(api, config):
    """chat.update refused (the parent is gone or too old to edit): the rewritten parent goes
    into the thread as a reply. (A rewrite that fails otherwise: app_story.py.)"""
    for script in REFUSED_UPDATES:
        with (Instance(app_variables(api, config), api, name=f"app-rewrite-{script}") as spin,
              check(f"app: chat.update answering {script} -> the rewritten parent posted as a reply "
                    f"(parent_update replied)")):
            thread = AppThread(spin, api)
            thread.deliver(FAILED)
            thread.deliver(STARTED, update=[script], rewrite="replied")
    api.reset()

def app_late_task_suite(api, config):
    """A stopped task that arrives after its deployment's failure: recorded, and the failure's
    parent rewritten to list its cause, once per cause."""
    other_deployment = "ecs-task-stopped-other-deployment.json"
    with Instance(app_variables(api, config), api, name="app-late-task") as spin:
        thread = AppThread(spin, api)
        parent_event = fixture_event_id(FAILED)
        recorded = lambda fixture: {"status": 202, "response": {"event_id": fixture_event_id(fixture),  # noqa: E731
                                                                 "outcome": "recorded"}}
        with check(f"app: {FAILED} -> the parent, its Why without causes"):
            thread.deliver(FAILED)
            want(CAUSE.lower() not in words_of(thread.parent["body"]), f"the parent already names {CAUSE}")

        def late(fixture, cause, others=()):
            answer, calls, log = thread.send(fixture, 1)
            want(answer.status == 202 and answer.json.get("outcome") == "recorded",
                 f"{fixture}: {answer.status} {answer.body[:300]!r}, expected 202 recorded")
            want(len(calls) == 1 and calls[0]["method"] == UPDATE,
                 f"{fixture}: calls {[c['method'] for c in calls]}, expected one {UPDATE} of the parent")
            update = calls[0]
            want_call(update, UPDATE, parent_event, APP_CHANNEL)
            want(update["body"].get("ts") == thread.parent_ts,
                 f"chat.update of ts {update['body'].get('ts')!r}, expected the parent's {thread.parent_ts!r}")
            why = why_section(update["body"]) or ""
            for name in (cause, *others):
                want(name in why, f"{fixture}: the rewritten Why does not name {name!r}: {why[:600]!r}")
            want(log is not None and log.get("parent_update") == "updated",
                 f"{fixture}: the log line {log}, expected parent_update updated")

        with check(f"app: a late {STOPPED} -> 202 recorded, and chat.update of the parent whose Why now "
                   f"names {CAUSE}"):
            late(STOPPED, CAUSE)
        with check("app: a late task with a cause the parent shows already (ecs-task-stopped-pull-error-2.json) "
                   "-> 202 recorded, no call"):
            thread.quiet("ecs-task-stopped-pull-error-2.json", recorded("ecs-task-stopped-pull-error-2.json"))
        with check(f"app: {STOPPED} again -> 202 recorded, no call"):
            thread.quiet(STOPPED, recorded(STOPPED))
        with check(f"app: another deployment's stopped task ({other_deployment}) -> 202 recorded, no call"):
            thread.quiet(other_deployment, recorded(other_deployment))
        with check("app: a late task with a new cause (ecs-task-stopped-out-of-memory.json) -> chat.update "
                   f"naming it and still {CAUSE}"):
            late("ecs-task-stopped-out-of-memory.json", "OutOfMemoryError", [CAUSE])
    api.reset()

def app_routes_suite(api, config):
    """Routes by channel and by webhook side by side, and /health's modes."""
    routes = f"production={PROD_CHANNEL};staging=http://127.0.0.1:{api.port}{STAGING_WEBHOOK_PATH}"
    variables = app_variables(api, config, {"slack_routes": routes})
    with Instance(variables, api, name="app-routes") as spin:
        with check("app: /health with credentials -> modes production app, staging webhook, * app; no token"):
            answer = spin.get("/health", {"x-api-key": config["api_key"]})
            want(answer.status == 200 and answer.json.get("ready") is True, f"{answer.status} {answer.body[:400]!r}")
            modes = answer.json.get("modes")
            want(isinstance(modes, dict), f"no modes: {answer.body[:400]!r}")
            for environment, mode in (("production", "app"), ("staging", "webhook"), ("*", "app")):
                want(modes.get(environment) == mode, f"modes {modes}: {environment} is not {mode}")
            want(set(modes.values()) <= {"app", "webhook"}, f"modes {modes}")
            want(APP_TOKEN not in answer.body.decode(errors="replace"), "/health shows the bot token")

        fixture = "ecs-service-action-placement-failure.json"
        with check(f"app: a service action ({fixture}) -> thread standalone, to slack_channel {APP_CHANNEL}"):
            thread = AppThread(spin, api)
            answer, calls, log = thread.send(fixture, 1)
            event_id = fixture_event_id(fixture)
            want(answer.status == 200, f"{answer.status} {answer.body[:300]!r}")
            want_json("the answer", answer.json, {"event_id": event_id, "outcome": "delivered", "slack_status": 200,
                                                  "thread": "standalone"})
            want(len(calls) == 1, f"calls {[c['method'] for c in calls]}, expected one {POST}")
            want_call(calls[0], POST, event_id, APP_CHANNEL)
            want(not calls[0]["body"].get("thread_ts"), f"thread_ts {calls[0]['body'].get('thread_ts')!r}")
            want(log is not None and log.get("thread") == "standalone", f"the log line {log}")

        with check(f"app: slack_routes production={PROD_CHANNEL}: {FAILED} -> a parent in {PROD_CHANNEL}"):
            AppThread(spin, api, PROD_CHANNEL).deliver(FAILED)

        with check("app: the unknown environment (ecs-deployment-failed.json) -> a parent in slack_channel "
                   f"{APP_CHANNEL}"):
            AppThread(spin, api, APP_CHANNEL).deliver("ecs-deployment-failed.json")

        with check("app: slack_routes staging=<webhook> (ecs-deployment-failed-short-arn-staging.json) -> "
                   "its webhook, no Web API call"):
            fixture = "ecs-deployment-failed-short-arn-staging.json"
            api.reset()
            answer = spin.send(fixture)
            want(answer.status == 200 and answer.json.get("outcome") == "delivered",
                 f"{answer.status} {answer.body[:300]!r}")
            want(not api.calls, f"Web API calls {[c['method'] for c in api.calls]}")
            paths = [post["path"] for post in api.webhook_posts]
            want(paths == [STAGING_WEBHOOK_PATH], f"webhook posts to {paths}")
            want("authorization" not in api.webhook_posts[0]["headers"], "the webhook got an authorization header")
    api.reset()

def app_config_suite(api, config):
    """App settings that cannot work: 500 config_invalid naming the setting, never the token."""
    for key, value in (("slack_bot_token", BAD_TOKEN), ("slack_channel", "#deploys"),
                       ("slack_api_url", "http://slack.example.com/api")):
        variables = app_variables(api, config, {key: value})
        with (Instance(variables, api, name=f"app-config-{key}") as spin,
              check(f"app: {key} {'<a user token>' if key == 'slack_bot_token' else value!r} -> 500 config_invalid "
                    f"naming {key}, nothing posted")):
            api.reset()
            answer = spin.send(FAILED)
            want(answer.status == 500 and answer.json.get("error") == "config_invalid",
                 f"{answer.status} {answer.body[:300]!r}")
            want(key in answer.json.get("message", ""), f"the message does not name {key}: {answer.body[:300]!r}")
            want(not api.calls and not api.webhook_posts, "called Slack")
    api.reset()

def app_suite(config):
    """App mode, against the Web API stand-in."""
    api = SlackApi()
    for name, suite in (("app scenario instances", app_scenario_suite), ("app error instance", app_errors_suite),
                        ("app rewrite instances", app_rewrite_suite), ("app late-task instance", app_late_task_suite),
                        ("app routes instance", app_routes_suite), ("app config instances", app_config_suite)):
        try:
            suite(api, config)
        except Exception as error:  # Spin did not start, or a check broke outside `check`
            report(name, error)

