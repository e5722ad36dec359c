"""App mode under the real Spin, when EventBridge reorders and retries and Slack fails halfway:
a story told from its rollback's notice that its failure joins later, a final rewrite that
fails and is drawn by the event's retry, a thread Slack locks, and tokens that cannot work
(expired, rotating). tests/spin/run runs it (`app_story_suite`) after app_mode's suites."""
from harness import FAILED, Instance, SlackApi, check, report, want
from app_mode import (APP_CHANNEL, COMPLETED, POST, STARTED, UPDATE, AppThread, app_variables,
                      context_event_ids, fixture_event_id, shown, want_call, why_section, words_of)


def header(body):
    """A message's header text."""
    blocks = body.get("blocks") or [{}]
    return ((blocks[0] or {}).get("text") or {}).get("text", "")


def app_reordered_suite(api, config):
    """The rollback's notice before its failure: the notice starts the thread; the failure
    joins it as a broadcast reply with its Why, and the parent is drawn from the failure (no
    mention) with the story's status; the outcome moves it on."""
    failed_event = fixture_event_id(FAILED)
    with Instance(app_variables(api, config), api, name="app-reordered") as spin:
        thread = AppThread(spin, api)
        with check(f"app: {STARTED} before its failure -> the thread's parent"):
            answer, calls, _ = thread.send(STARTED, 1)
            want(answer.status == 200 and answer.json.get("thread") == "parent", f"{answer.status} {answer.body[:300]!r}")
            thread.parent = calls[0]
        with check(f"app: then {FAILED} -> a broadcast reply in that thread, and the parent drawn from the "
                   f"failure, rolling back"):
            answer, calls, _ = thread.send(FAILED, 2)
            want(answer.status == 200 and answer.json.get("thread") == "reply", f"{answer.status} {answer.body[:300]!r}")
            want([c["method"] for c in calls] == [POST, UPDATE], f"calls {[c['method'] for c in calls]}")
            reply, update = calls
            want_call(reply, POST, failed_event, APP_CHANNEL)
            want(reply["body"].get("thread_ts") == thread.parent_ts and reply["body"].get("reply_broadcast") is True,
                 f"thread_ts {reply['body'].get('thread_ts')!r}, reply_broadcast {reply['body'].get('reply_broadcast')!r}")
            want(update["body"].get("ts") == thread.parent_ts, f"chat.update of {update['body'].get('ts')!r}")
            want(context_event_ids(update["body"]["blocks"]) == [failed_event],
                 f"the parent now names {context_event_ids(update['body']['blocks'])}, expected the failure's")
            want(why_section(update["body"]) is not None, "the parent drawn from the failure has no Why")
            title = header(update["body"]).lower()
            want("deployment failed" in title and "rolling back" in title, f"the parent's header {title!r}")
            want("<!" not in shown(update["body"], 100_000), "the redrawn parent carries a mention")
        with check(f"app: then {COMPLETED} -> a reply, and the parent says rolled back"):
            answer, calls, _ = thread.send(COMPLETED, 2)
            want(answer.status == 200 and [c["method"] for c in calls] == [POST, UPDATE],
                 f"{answer.status} {answer.body[:200]!r}, calls {[c['method'] for c in calls]}")
            want("rolled back" in header(calls[1]["body"]).lower(), f"header {header(calls[1]['body'])!r}")
            want(calls[0]["body"].get("thread_ts") == thread.parent_ts and not calls[0]["body"].get("reply_broadcast"),
                 f"the outcome's reply: {shown(calls[0]['body'], 200)}")
    api.reset()


def app_final_rewrite_suite(api, config):
    """The rewrite after a reply fails in a way a retry may pass: the event answers that
    failure (parent_update_failed), and its retry rewrites the parent without posting again."""
    for script, status in (("internal_error", 502), (500, 502), (429, 429)):
        with (Instance(app_variables(api, config), api, name=f"app-final-{script}") as spin,
              check(f"app: chat.update answering {script} -> {status} parent_update_failed; the retry -> "
                    f"200 duplicate and one chat.update, rolling back")):
            thread = AppThread(spin, api)
            thread.deliver(FAILED)
            answer, calls, log = thread.send(STARTED, 2, update=[script])
            want(answer.status == status and answer.json.get("error") == "parent_update_failed",
                 f"{answer.status} {answer.body[:300]!r}")
            want([c["method"] for c in calls] == [POST, UPDATE], f"calls {[c['method'] for c in calls]}")
            want(log is not None and log.get("parent_update") == "failed", f"the log line {log}")
            answer, calls, _ = thread.send(STARTED, 1)
            want(answer.status == 200 and answer.json.get("outcome") == "duplicate", f"{answer.status} {answer.body[:300]!r}")
            want([c["method"] for c in calls] == [UPDATE], f"the retry called {[c['method'] for c in calls]}")
            want(calls[0]["body"].get("ts") == thread.parent_ts, f"chat.update of {calls[0]['body'].get('ts')!r}")
            want("rolling back" in words_of(calls[0]["body"]), "the redrawn parent does not say rolling back")
            answer, calls, _ = thread.send(STARTED, 0)
            want(answer.json.get("outcome") == "duplicate" and not calls, "a further retry called Slack")
    api.reset()


def app_locked_thread_suite(api, config):
    """A reply Slack refuses for its thread goes to the channel on its own; the story's next
    messages post on their own too, and the parent still follows the story."""
    with (Instance(app_variables(api, config), api, name="app-locked") as spin,
          check("app: a reply refused restricted_action_thread_locked -> posted on its own, and the next "
                "message too")):
        thread = AppThread(spin, api)
        thread.deliver(FAILED)
        answer, calls, _ = thread.send(STARTED, 3, post=["restricted_action_thread_locked"])
        want(answer.status == 200 and answer.json.get("thread") == "standalone", f"{answer.status} {answer.body[:300]!r}")
        want([c["method"] for c in calls] == [POST, POST, UPDATE], f"calls {[c['method'] for c in calls]}")
        want(calls[0]["body"].get("thread_ts") == thread.parent_ts and not calls[1]["body"].get("thread_ts"),
             f"thread_ts {calls[0]['body'].get('thread_ts')!r} then {calls[1]['body'].get('thread_ts')!r}")
        answer, calls, _ = thread.send(COMPLETED, 2)
        want(answer.json.get("thread") == "standalone" and calls and not calls[0]["body"].get("thread_ts"),
             f"{answer.body[:200]!r}, calls {[shown(c['body'], 120) for c in calls]}")
    api.reset()


def app_token_suite(api, config):
    """Tokens that cannot work: an expired one is a refusal no retry fixes (424); a rotating one
    is refused at once, saying why."""
    with (Instance(app_variables(api, config), api, name="app-token-expired") as spin,
          check("app: chat.postMessage answering token_expired -> 424 slack_rejected")):
        api.reset("ok", ["token_expired"])
        answer = spin.send(FAILED)
        want(answer.status == 424 and answer.json.get("error") == "slack_rejected", f"{answer.status} {answer.body[:300]!r}")
    rotating = "xoxe.xoxb-1-SpinSuiteRotatingTokenSecret"
    with (Instance(app_variables(api, config, {"slack_bot_token": rotating}), api, name="app-token-rotating") as spin,
          check("app: a rotating xoxe.xoxb- token -> 500 config_invalid saying it expires in 12 hours")):
        api.reset()
        answer = spin.send(FAILED)
        message = answer.json.get("message", "")
        want(answer.status == 500 and answer.json.get("error") == "config_invalid", f"{answer.status} {answer.body[:300]!r}")
        want("12 hours" in message and "slack_bot_token" in message, f"message {message!r}")
        want("SpinSuiteRotatingTokenSecret" not in answer.body.decode(errors="replace"), "the answer shows the token")
        want(not api.calls, "called Slack")
    api.reset()


def app_story_suite(config):
    """The story under reordering, retries and refusals, against the Web API stand-in."""
    api = SlackApi()
    for name, suite in (("app reordered instance", app_reordered_suite),
                        ("app final-rewrite instances", app_final_rewrite_suite),
                        ("app locked-thread instance", app_locked_thread_suite),
                        ("app token instances", app_token_suite)):
        try:
            suite(api, config)
        except Exception as error:  # Spin did not start, or a check broke outside `check`
            report(name, error)
