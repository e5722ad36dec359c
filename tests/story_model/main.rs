//! A model test of shuffled deliveries (app mode): for generated cases of 1–3 services, each
//! with a true story (a failure, maybe rolled back; a success; a canary deployment that
//! pauses for approval, continued or rolled back), EventBridge delivers the events in a random order, some twice, again
//! after every retryable answer, to two instances on one store, while Slack fails any call
//! (500, 429, a dropped connection, an accept after the deadline) and other deliveries run while
//! a call is in flight. Once nothing is owed, the channel must tell each story once and truly.
//!
//! `MODEL_CASES` sets how many cases (10,000 by default), `MODEL_SEED` the first seed; a
//! failure prints its seed, the stories, every answer and the channel.

mod stories;
mod world;

use std::cell::RefCell;
use std::rc::Rc;

use stories::{Story, is_alert, must_post};
use world::{Message, World};

#[path = "../common/mod.rs"]
mod common;
use common::Rng;

/// The `notify` lists the cases draw from.
const NOTIFY: [&str; 4] = [
    "deployment_failed,rollback,service_action",
    "deployment_failed,rollback,service_action,hook_waiting,hook_failed",
    "deployment_failed,rollback,service_action,deployment_started,hook_waiting",
    "deployment_failed,rollback,service_action,deployment_started,deployment_completed",
];

fn env_number(name: &str, default: u64) -> u64 {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

#[test]
fn shuffled_deliveries_tell_each_story_once_and_truly() {
    let cases = env_number("MODEL_CASES", 10_000);
    let first = env_number("MODEL_SEED", 1);
    let mut conflicts = 0;
    let mut failures = Vec::new();
    for seed in first..first + cases {
        let (world, problems) = run_case(seed);
        conflicts += world
            .log
            .answers
            .iter()
            .filter(|(_, s, _)| *s == 409)
            .count();
        if !problems.is_empty() {
            failures.push((seed, problems));
        }
    }
    println!(
        "{cases} cases, {conflicts} answers of 409, {} failed",
        failures.len()
    );
    if let Some((seed, _)) = failures.first() {
        let (world, problems) = run_case(*seed);
        let kinds: std::collections::BTreeMap<&str, usize> = failures
            .iter()
            .flat_map(|(_, p)| p.iter().map(|p| p.0))
            .fold(Default::default(), |mut counts, kind| {
                *counts.entry(kind).or_default() += 1;
                counts
            });
        panic!(
            "{} of {cases} cases failed; by check: {kinds:?}\nfirst: MODEL_SEED={seed} MODEL_CASES=1\n{}",
            failures.len(),
            report(&world, &problems)
        );
    }
    assert!(
        conflicts > 0,
        "no delivery overlapped another: the claim went untested"
    );
}

/// One case's world after every delivery settled, and what is wrong with the channel.
fn run_case(seed: u64) -> (Case, Vec<(&'static str, String)>) {
    let mut rng = Rng(seed.wrapping_mul(0x9e37_79b9_7f4a_7c15) | 1);
    let notify = NOTIFY[rng.below(NOTIFY.len())];
    let mut events = Vec::new();
    let mut stories: Vec<Story> = (0..1 + rng.below(3))
        .map(|index| stories::generate(&mut rng, index, &mut events))
        .collect();
    if rng.below(4) == 0 {
        let of = rng.below(stories.len());
        stories.push(stories::yesterday(stories.len(), of, &mut events));
    }
    let end = stories::START + 3600;
    let world = Rc::new(RefCell::new(World::new(rng, notify, &events, end)));
    world::run(&world);
    let world = Rc::try_unwrap(world)
        .ok()
        .expect("no delivery left")
        .into_inner();
    let case = Case {
        seed,
        notify,
        stories,
        events,
        log: world.log,
        messages: world.messages,
    };
    let problems = check(&case);
    (case, problems)
}

struct Case {
    seed: u64,
    notify: &'static str,
    stories: Vec<Story>,
    events: Vec<stories::Event>,
    log: world::Log,
    messages: Vec<Message>,
}

/// What is wrong with the channel: `(check, detail)`.
fn check(case: &Case) -> Vec<(&'static str, String)> {
    let notify: Vec<&str> = case.notify.split(',').collect();
    let mut problems = Vec::new();
    let mut problem = |check: &'static str, detail: String| problems.push((check, detail));
    let story_of = |message: &Message| case.events.iter().find(|e| e.id == message.event);
    for (event, status, code) in &case.log.dead_letters {
        problem(
            "dead letter",
            format!("{}: {status} {code}", case.events[*event].id),
        );
    }
    // Slack's late accepts are counted apart: the delivery could not know.
    let told: Vec<&Message> = case.messages.iter().filter(|m| !m.late).collect();
    for (index, story) in case.stories.iter().enumerate() {
        let of_story: Vec<&Message> = told
            .iter()
            .copied()
            .filter(|m| story_of(m).is_some_and(|e| e.story == index))
            .collect();
        let is_action = |m: &Message| {
            story_of(m).is_some_and(|e| matches!(e.role, stories::Role::Action { .. }))
        };
        // (a) one parent: the top-level messages of its deployments' events.
        let parents: Vec<&Message> = of_story
            .iter()
            .copied()
            .filter(|m| m.thread_ts.is_none() && !is_action(m))
            .collect();
        let expected = story.drawn_statuses(&notify);
        match (parents.as_slice(), expected) {
            ([], []) => {}
            ([parent], [_, ..]) => {
                // (c) the parent's last drawn status is the story's outcome.
                let drawn = drawn_status(&parent.header);
                if !expected.contains(&drawn) {
                    problem(
                        "parent status",
                        format!(
                            "{}: drew {drawn:?}, not {expected:?} ({})",
                            story.service, parent.header
                        ),
                    );
                }
            }
            (parents, _) => problem(
                "one parent",
                format!(
                    "{}: {} parents, expected {}",
                    story.service,
                    parents.len(),
                    usize::from(!expected.is_empty())
                ),
            ),
        }
        // (b) every other message is a reply to the parent (a service action may stand alone).
        if let [parent] = parents.as_slice() {
            for m in &of_story {
                let alone = m.thread_ts.is_none() && is_action(m);
                if m.ts != parent.ts && !alone && m.thread_ts.as_deref() != Some(&parent.ts) {
                    problem(
                        "in the thread",
                        format!(
                            "{}: {} is not in the parent's thread",
                            story.service, m.event
                        ),
                    );
                }
            }
        }
    }
    // (g) a pause's waiting alert is never told once its outcome was (messages that cross in
    // flight may land either way), and one of the two is told.
    for (at, pair) in case.events.windows(2).enumerate() {
        let [waiting, ended] = pair else { continue };
        if (waiting.role, ended.role) != (stories::Role::Waiting, stories::Role::PauseEnded) {
            continue;
        }
        if told_after(&case.log.timeline, at, at + 1) {
            problem(
                "waiting after its outcome",
                format!(
                    "{} posted by a delivery that began after {} was told",
                    waiting.id, ended.id
                ),
            );
        }
        let posted = |event: &stories::Event| told.iter().any(|m| m.event == event.id);
        if notify.contains(&"hook_waiting") && !posted(waiting) && !posted(ended) {
            problem(
                "lost",
                format!("neither {} nor {} posted", waiting.id, ended.id),
            );
        }
    }
    for event in &case.events {
        let posted: Vec<&&Message> = told.iter().filter(|m| m.event == event.id).collect();
        // (e) nothing twice; (f) nothing lost.
        if posted.len() > 1 {
            problem(
                "posted twice",
                format!(
                    "{} ({:?}) posted {} times",
                    event.id,
                    event.role,
                    posted.len()
                ),
            );
        }
        if posted.is_empty() && must_post(event.role, &notify) {
            problem(
                "lost",
                format!("{} ({:?}) never posted", event.id, event.role),
            );
        }
        // (d) an alert reaches the channel: it is a parent or a broadcast reply.
        if is_alert(event.role)
            && !posted.is_empty()
            && !posted.iter().any(|m| m.thread_ts.is_none() || m.broadcast)
        {
            problem(
                "silent alert",
                format!(
                    "{} ({:?}) is a reply only the thread sees",
                    event.id, event.role
                ),
            );
        }
    }
    problems
}

/// Whether the delivery of event `waiting` that posted began after a delivery of event `ended`
/// had answered `delivered`.
fn told_after(timeline: &[(usize, String)], waiting: usize, ended: usize) -> bool {
    let answered = |of: usize| {
        timeline
            .iter()
            .position(|(event, code)| *event == of && code == "delivered")
    };
    let (Some(outcome), Some(posted)) = (answered(ended), answered(waiting)) else {
        return false;
    };
    timeline[..posted]
        .iter()
        .rposition(|(event, code)| *event == waiting && code.is_empty())
        .is_some_and(|began| began > outcome)
}

/// The status a parent's header shows: the words after ` · `, else its title's.
fn drawn_status(header: &str) -> &'static str {
    let words = match header.split_once(" · ") {
        Some((_, rest)) => rest.split(':').next().unwrap_or(rest),
        None => header,
    };
    for (found, status) in [
        ("rollback failed", "rollback failed"),
        ("Rollback failed", "rollback failed"),
        ("rolled back", "rolled back"),
        ("Rolled back", "rolled back"),
        ("rolling back", "rolling back"),
        ("Rolling back", "rolling back"),
        ("failed", "failed"),
        ("completed", "completed"),
        ("started", "started"),
        ("Continued", "continued"),
        ("Waiting for approval", "waiting"),
    ] {
        if words.contains(found) {
            return status;
        }
    }
    "unknown"
}

fn report(case: &Case, problems: &[(&str, String)]) -> String {
    let mut out = format!("seed {} notify {}\nproblems:\n", case.seed, case.notify);
    for (check, detail) in problems {
        out += &format!("  [{check}] {detail}\n");
    }
    out += "stories:\n";
    for story in &case.stories {
        out += &format!("  {} {:?}\n", story.service, story.truth);
    }
    out += "answers (in order):\n";
    for (event, status, code) in &case.log.answers {
        let e = &case.events[*event];
        out += &format!("  {} {:?} → {status} {code}\n", e.id, e.role);
    }
    out += "channel:\n";
    for m in &case.messages {
        let place = match (&m.thread_ts, m.broadcast) {
            (None, _) => "top".to_owned(),
            (Some(ts), b) => format!("reply to {ts}{}", if b { " +channel" } else { "" }),
        };
        out += &format!(
            "  {} {place}{} [{}] {}\n",
            m.ts,
            if m.late { " LATE" } else { "" },
            m.event,
            m.header
        );
    }
    out
}
