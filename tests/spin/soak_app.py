"""The chaos soak's app mode (tests/spin/soak --mode app): the Web API stand-in under the soak's
dice, the deployment stories it delivers, and the verdict on the threads Slack ends up with.

Stories, each on a service of its own, all of a story's events sent at nearly the same time
(0-3 ms apart) to alternating instances, so they race for the story's thread:
- a fresh deployment's start (a plain SERVICE_DEPLOYMENT_IN_PROGRESS) and its failure;
- a failed deployment rolled back: its failure, the rollback's notice and the rollback's
  completion, in about half of them the notice first (EventBridge promises no order);
- an ERROR service action alone.
Per seed, besides LOST, DUPLICATE and LATE_DUPLICATE (chat.postMessage only): each story has
exactly one parent (a chat.postMessage without thread_ts), not counting parents whose accept was
late and that no reply or update names (LATE_PARENT, allowed); MULTIPLE_PARENTS, NO_PARENT,
ORPHAN_REPLY (a reply whose thread_ts is not an accepted parent of its story, or a service
action's reply), BAD_UPDATE (a chat.update of anything but an accepted parent of its story) and
WRONG_STATUS (the parent as Slack last took it does not say the story's end: "failed", or
"rolled back") fail it. A call maps to its story by the event id in its blocks, and must name
the story's service."""
import collections
import json
import random
import re
import threading
import time

from harness import FIXTURES, JSON_UTF8, SLACK_API_PREFIX, StandIn

EVENT_ID = re.compile(r"soak-\d+-\d+-[0-9a-f]{8}")
SERVICE = re.compile(r"soak-app-\d{4}")
CHANNEL = "C0SOAK1"
POST, UPDATE = "chat.postMessage", "chat.update"
LATE_ACCEPT_S = 4.8  # longer than the component's 4.5 s answer deadline
SLOW_OK_S = 2.0  # a 200 this late counts as late too: the component waits 2.5 s for a first byte


def header(fields):
    """A call's header text, lower-case."""
    blocks = fields.get("blocks") if isinstance(fields.get("blocks"), list) else [{}]
    text = ((blocks[0] if blocks and isinstance(blocks[0], dict) else {}).get("text") or {}).get("text", "")
    return text.lower() if isinstance(text, str) else ""


class ChaosSlackApi(StandIn):
    """The Web API under the soak's dice: records every chat.postMessage Slack accepted (event,
    service named, thread_ts, its ts, header, late?) and every chat.update (event, ts, header,
    answer), each with its place in the order Slack took them. A call's dice are seeded by the
    seed, method, event id (a chat.update carries its parent's) and the how-manieth such call
    it is."""

    def __init__(self):
        super().__init__()
        self.lock = threading.Lock()
        self.issued = 0
        self.start_seed(0, {}, 0.0)

    def start_seed(self, seed, chaos, ok_latency):
        with self.lock:
            self.seed, self.chaos, self.ok_latency = seed, chaos, ok_latency
            self.posts, self.updates = [], []  # accepted posts; every update, with its answer
            self.seen = collections.Counter()  # (method, event id) -> calls
            self.answers, self.unmapped = collections.Counter(), []

    def on_post(self, handler, body):
        text = body.decode(errors="replace")
        try:
            fields = json.loads(text)
        except ValueError:
            fields = None
        fields = fields if isinstance(fields, dict) else {}
        method = handler.path[len(SLACK_API_PREFIX) + 1:].split("?")[0]
        event_id = match[0] if (match := EVENT_ID.search(text)) else None
        service = match[0] if (match := SERVICE.search(text)) else None
        with self.lock:
            if event_id is None or method not in (POST, UPDATE) or not handler.path.startswith(SLACK_API_PREFIX):
                self.unmapped.append(f"{handler.path}: {text[:300]}")
                choice, latency = "ok", 0.0
            else:
                self.seen[method, event_id] += 1
                dice = random.Random(f"{self.seed}/slack/{method}/{event_id}/{self.seen[method, event_id]}")
                roll, choice = dice.random(), "ok"
                for name, probability in self.chaos.items():
                    if roll < probability:
                        choice = name
                        break
                    roll -= probability
                latency = dice.uniform(0, self.ok_latency)
            self.answers[f"{method} {choice}"] += 1
            ts = fields.get("ts")
            if method == POST and choice in ("ok", "late"):
                self.issued += 1
                ts = f"{1700000000 + self.issued // 1000000}.{self.issued % 1000000:06d}"
            entry = {"event": event_id, "service": service, "channel": fields.get("channel"),
                     "thread_ts": fields.get("thread_ts"), "ts": ts, "header": header(fields),
                     "late": choice == "late", "answer": choice, "order": len(self.posts) + len(self.updates)}
            if method == UPDATE:
                self.updates.append(entry)
            elif choice in ("ok", "late") and event_id is not None:
                self.posts.append(entry)  # Slack has it, whatever happens next
        taken = time.monotonic()
        ok = json.dumps({"ok": True, "channel": fields.get("channel"), "ts": ts}).encode()
        if choice == "drop":
            handler.close_connection = True  # closes the socket without a word
        elif choice == "late":
            self.release.wait(LATE_ACCEPT_S)
            self.answer(handler, 200, ok, {"content-type": JSON_UTF8})
        elif choice == "ok":
            time.sleep(latency)  # a real Slack takes a while too: the window for a second post
            self.answer(handler, 200, ok, {"content-type": JSON_UTF8})
            if time.monotonic() - taken > SLOW_OK_S and event_id is not None:
                with self.lock:  # so slow (a starved machine) that the component may have given up
                    entry["late"] = True
        elif choice == "500":
            self.answer(handler, 500, b"upstream error")
        else:
            self.answer(handler, 429, b'{"ok":false,"error":"ratelimited"}',
                        {"content-type": JSON_UTF8, "Retry-After": "1"})


def fixture(name):
    return json.loads((FIXTURES / name).read_text())


def make_stories(seed, count):
    """About `count` events as stories, each on a service of its own: (service, kind, the
    status its parent must end on or None, [(event id, body)]), and the events that need not
    post (a rollback's completion). Kinds: "race" (a start and its
    failure), "rollback" (a failure, its rollback's notice and completion), "notice-first" (the
    same, the notice listed first), "action" (an ERROR service action alone), "pause" (a pause
    waiting for approval and its outcome, racing: the waiting event need not post when its
    outcome came first)."""
    plan = random.Random(f"{seed}/stories")
    started, failed = fixture("ecs-deployment-in-progress.json"), fixture("ecs-deployment-failed.json")
    action = fixture("ecs-service-action-placement-failure.json")
    rollback = [fixture(f"ecs-deployment-{name}.json") for name in
                ("failed-checkout", "rollback-started", "rollback-completed")]
    pause = [fixture(f"ecs-hook-pause-step-1-{name}.json") for name in ("awaiting", "continued")]
    stories, untold, number = [], set(), 0
    while number < count:
        service = f"soak-app-{len(stories):04d}"
        ids = [f"ecs-svc/{seed}{len(stories):05d}{n}{plan.randrange(10**7):07d}" for n in range(3)]
        roll = plan.random()
        if roll < 0.15:
            kind, templates, ends = "action", [action], None
        elif roll > 0.85:
            kind, templates, ends = "pause", pause, "continued"
        elif roll < 0.45:
            kind, ends = ("notice-first" if plan.random() < 0.5 else "rollback"), "rolled back"
            templates = rollback if kind == "rollback" else [rollback[1], rollback[0], rollback[2]]
        else:
            kind, templates, ends = "race", [started, failed], "failed"
        events = []
        for template in templates:
            text = json.dumps(template)
            # The checkout story's own ids: the failure, the rollback, and where it returns.
            for old, new in zip(("ecs-svc/4829135026487120563", "ecs-svc/7726348810925539781",
                                 "ecs-svc/3917652044385617209"), ids):
                text = text.replace(old, new)
            event = json.loads(text)
            event_id = f"soak-{seed}-{number:04d}-{plan.getrandbits(32):08x}"
            number += 1
            event["id"] = event_id
            if kind == "pause":
                # The service and its service deployment: `.../checkout-api[/ID]`.
                detail = event["detail"]
                for field in ("serviceArn", "serviceDeploymentArn"):
                    detail[field] = detail[field].replace("/checkout-api", "/" + service)
                detail["hookId"] = f"ecs-pause-{seed}x{len(stories):05d}"
                event["resources"] = [detail["serviceDeploymentArn"]]
            else:
                event["resources"] = [event["resources"][0].rsplit("/", 1)[0] + "/" + service]
            if kind == "race":
                event["detail"]["deploymentId"] = ids[0]
            events.append((event_id, json.dumps(event).encode()))
        stories.append((service, kind, ends, events))
        if kind == "pause":
            untold.add(events[0][0])
        if kind in ("rollback", "notice-first"):
            # The rollback's completion posts only if its notice came first; else the notice
            # tells the end: the parent's status says whether it was told.
            untold.add(events[-1][0])
    return stories, untold


def plan(seed, args):
    """A story's events at nearly the same time, their first attempts on alternating instances;
    each event delivered twice (at once, or later) as in webhook mode."""
    seed.stories, seed.may_stay_untold = make_stories(seed.seed, args.events)
    seed.events = [event for *_, events in seed.stories for event in events]
    seed.story_of = {event_id: service for service, _, _, events in seed.stories for event_id, _ in events}
    dice = random.Random(f"{seed.seed}/plan")
    sent = 0
    for *_, events in seed.stories:
        at = sent / args.rate + dice.uniform(0, 0.01)
        sent += len(events)
        first = dice.randrange(len(seed.instances))
        together = []  # (delay, event id, body, delivery number, first instance)
        for index, (event_id, body) in enumerate(events):
            instance = (first + index) % len(seed.instances)
            together.append((0 if index == 0 else dice.uniform(0, 0.003), event_id, body, 0, instance))
            if dice.random() >= args.twice:
                continue
            if dice.random() < args.overlap:
                seed.overlapping += 1
                together.append((dice.uniform(0, 0.003), event_id, body, 1, (instance + 1) % len(seed.instances)))
            else:
                seed.later += 1
                seed.schedule.append((at + dice.uniform(0.05, 3.0), len(seed.schedule),
                                      (seed.deliver, event_id, body, 1, None)))
        seed.schedule.append((at, len(seed.schedule), (seed.together, together)))
    seed.schedule.sort()


def describe(seed):
    kinds = collections.Counter(kind for _, kind, _, _ in seed.stories)
    return ", ".join(f"{kinds[kind]} {kind}" for kind in ("race", "rollback", "notice-first", "action", "pause"))


def verdict(seed, counts):
    """(passed, numbers, lines) for one seed in app mode."""
    with seed.slack.lock:
        posts = [dict(post) for post in seed.slack.posts]
        updates = [dict(update) for update in seed.slack.updates]
        slack_answers, unmapped = dict(seed.slack.answers), list(seed.slack.unmapped)
    story_of = seed.story_of
    unmapped += [f"{call['event']} names {call['service']}" for call in posts + updates
                 if call["event"] not in story_of or call["service"] != story_of.get(call["event"])]
    by_event = collections.defaultdict(list)
    for post in posts:
        by_event[post["event"]].append(post)
    never = [event_id for event_id, _ in seed.events
             if not by_event.get(event_id) and event_id not in seed.may_stay_untold]
    lost = sorted(set(never) | set(seed.gave_up))
    twice = {event_id: found for event_id, found in by_event.items() if len(found) >= 2}
    duplicate = sorted(event_id for event_id, found in twice.items() if not any(p["late"] for p in found))
    late_duplicate = sorted(event_id for event_id, found in twice.items() if any(p["late"] for p in found))
    # Threads: the parents of each story, the ts a reply or update names.
    told = {service: ends for service, _, ends, _ in seed.stories if ends}
    parents = collections.defaultdict(list)
    for post in posts:
        if not post["thread_ts"] and story_of.get(post["event"]) in told:
            parents[story_of[post["event"]]].append(post)
    named = {call["thread_ts"] for call in posts if call["thread_ts"]} | {u["ts"] for u in updates}
    multiple, missing, wrong, late_parents = [], [], [], 0
    for service, ends in sorted(told.items()):
        real = [p for p in parents[service] if not p["late"] or p["ts"] in named]
        late_parents += len(parents[service]) - len(real)
        if len(real) > 1:
            multiple.append(f"{service} ({len(real)} parents)")
        elif not real:
            missing.append(service)
        else:
            taken = [real[0]] + [u for u in updates if u["ts"] == real[0]["ts"] and u["answer"] in ("ok", "late")]
            last = max(taken, key=lambda call: call["order"])["header"]
            if ends not in last.split(" · ")[-1] and ends not in last.split(":")[0]:
                wrong.append(f"{service} says {last!r}, not {ends!r}")
    parent_ts = {service: {p["ts"] for p in found} for service, found in parents.items()}
    orphans = [f"{p['event']} thread_ts {p['thread_ts']}" for p in posts
               if p["thread_ts"] and p["thread_ts"] not in parent_ts.get(story_of.get(p["event"]), set())]
    bad_updates = [f"{u['event']} ts {u['ts']}" for u in updates
                   if u["ts"] not in parent_ts.get(story_of.get(u["event"]), set()) or u["channel"] != CHANNEL]
    replies = sum(1 for post in posts if post["thread_ts"])
    numbers = {"LOST": len(lost), "DUPLICATE": len(duplicate), "LATE_DUPLICATE": len(late_duplicate),
               "MULTIPLE_PARENTS": len(multiple), "NO_PARENT": len(missing), "LATE_PARENT": late_parents,
               "ORPHAN_REPLY": len(orphans), "BAD_UPDATE": len(bad_updates), "WRONG_STATUS": len(wrong),
               "stories": len(told), "replies": replies, "updates": len(updates),
               "updates ok": sum(1 for u in updates if u["answer"] == "ok")}
    passed = not (lost or duplicate or multiple or missing or orphans or bad_updates or wrong or unmapped)
    update_answers = collections.Counter(u["answer"] for u in updates)
    lines = [f"LOST {len(lost)} ({len(never)} events never posted, {len(seed.gave_up)} deliveries gave up "
             f"before any post), DUPLICATE {len(duplicate)}, LATE_DUPLICATE {len(late_duplicate)}; "
             f"{len(told)} stories: MULTIPLE_PARENTS {len(multiple)}, NO_PARENT {len(missing)}, "
             f"LATE_PARENT {late_parents}, ORPHAN_REPLY {len(orphans)}, WRONG_STATUS {len(wrong)}; "
             f"{replies} replies; {len(updates)} chat.update ({counts(update_answers) or 'none'}), "
             f"BAD_UPDATE {len(bad_updates)}",
             "  answers: " + counts(seed.answers),
             "  final: " + counts(seed.finals),
             "  Slack: " + counts(slack_answers) + f"; {len(posts)} posts accepted"]
    for name, found in (("lost", [f"{i} ({len(by_event.get(i, []))} posts)" for i in lost]),
                        ("duplicate", [f"{i} ({len(by_event[i])} posts)" for i in duplicate]),
                        ("multiple parents", multiple), ("no parent", missing), ("wrong status", wrong),
                        ("orphan replies", orphans), ("bad updates", bad_updates)):
        if found:
            lines.append(f"  {name}: {', '.join(found[:8])}{' ...' if len(found) > 8 else ''}")
    if unmapped:
        lines.append(f"  {len(unmapped)} calls named no event of the run or the wrong service, "
                     f"the first: {unmapped[0]!r}")
    return passed, numbers, lines


def counts(counter):
    return ", ".join(f"{label} {n}" for label, n in sorted(counter.items(), key=lambda kv: (-kv[1], kv[0])))
