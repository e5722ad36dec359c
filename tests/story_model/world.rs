//! The world the deliveries run in: EventBridge (a queue that delivers in any order, again on
//! a retryable answer), two instances on one store, and Slack (messages and threads, with
//! faults on any call and other deliveries run while a call is in flight).

use std::cell::RefCell;
use std::rc::Rc;

use ecs_deploy_alerts::host::{HttpResponse, TransportFailure};
use ecs_deploy_alerts::memory::{MemoryHost, MemoryStore, Post, SlackHook};
use serde_json::{Value, json};

use super::Rng;
use super::stories::START;

pub const KEY: &str = "model-key";
const CHANNEL: &str = "C0ALERTS";

/// A message in the channel, as it stands at the end.
#[derive(Debug, Clone)]
pub struct Message {
    pub ts: String,
    pub thread_ts: Option<String>,
    pub broadcast: bool,
    /// The event whose delivery posted it (its context line names it).
    pub event: String,
    pub header: String,
    pub text: String,
    /// Slack took it after the delivery gave up waiting: the retry may post it again.
    pub late: bool,
}

/// What a Slack call meets.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Fault {
    None,
    ServerError,
    RateLimited,
    /// The connection drops before Slack reads the call.
    Dropped,
    /// Slack takes the call after the deadline: the delivery sees a timeout.
    LateAccept,
}

/// One delivery EventBridge still owes.
#[derive(Debug, Clone)]
pub struct Delivery {
    pub event: usize,
    pub attempt: u32,
}

/// Everything that happened, for the checks.
#[derive(Debug, Default)]
pub struct Log {
    /// `(event, status, code)` of every answer, in order.
    pub answers: Vec<(usize, u16, String)>,
    /// Deliveries EventBridge gave up on (a final answer that was not 2xx).
    pub dead_letters: Vec<(usize, u16, String)>,
    /// `(event, code)` when each delivery began (code empty) and answered, in order: what one
    /// delivery could know of another.
    pub timeline: Vec<(usize, String)>,
}

pub struct World {
    pub rng: Rng,
    pub bodies: Vec<String>,
    pub queue: Vec<Delivery>,
    pub messages: Vec<Message>,
    pub log: Log,
    settings: Vec<(String, String)>,
    store: MemoryStore,
    clock: u64,
    fault_rate: usize,
    overlap_rate: usize,
    /// Events delivered first, in order, each at its time: earlier stories.
    early: Vec<(usize, u64)>,
    depth: u32,
    next_ts: u64,
}

impl World {
    pub fn new(rng: Rng, notify: &str, events: &[super::stories::Event], end: u64) -> Self {
        let mut world = Self {
            rng,
            bodies: events.iter().map(|e| e.body.clone()).collect(),
            queue: Vec::new(),
            messages: Vec::new(),
            log: Log::default(),
            settings: [
                ("api_key", KEY),
                ("slack_bot_token", "xoxb-1-2-model"),
                ("slack_channel", CHANNEL),
                ("notify", notify),
            ]
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect(),
            store: MemoryStore::default(),
            clock: end,
            fault_rate: 0,
            overlap_rate: 0,
            early: Vec::new(),
            depth: 0,
            next_ts: 0,
        };
        world.fault_rate = world.rng.below(30);
        world.overlap_rate = world.rng.below(50);
        for (event, at) in events
            .iter()
            .enumerate()
            .filter_map(|(n, e)| Some((n, e.early?)))
        {
            world.early.push((event, at));
        }
        for event in (0..events.len()).filter(|n| events[*n].early.is_none()) {
            let copies = if world.rng.below(5) == 0 { 2 } else { 1 };
            for _ in 0..copies {
                world.queue.push(Delivery { event, attempt: 0 });
            }
        }
        world
    }
}

/// Runs the earlier stories' deliveries, then today's in a random order until EventBridge owes
/// none (or gives up).
pub fn run(world: &Rc<RefCell<World>>) {
    let (early, today, rates) = {
        let mut w = world.borrow_mut();
        let rates = (w.fault_rate, w.overlap_rate);
        (w.fault_rate, w.overlap_rate) = (0, 0);
        (std::mem::take(&mut w.early), w.clock, rates)
    };
    for (event, at) in early {
        world.borrow_mut().clock = at;
        deliver(world, Delivery { event, attempt: 0 });
    }
    {
        let mut w = world.borrow_mut();
        w.clock = today;
        (w.fault_rate, w.overlap_rate) = rates;
    }
    for _ in 0..5_000 {
        let next = {
            let mut w = world.borrow_mut();
            if w.queue.is_empty() {
                return;
            }
            let pending = w.queue.len();
            let at = w.rng.below(pending);
            w.clock += 1 + w.rng.below(20) as u64;
            w.queue.swap_remove(at)
        };
        deliver(world, next);
    }
    panic!("EventBridge still owes deliveries after 5,000");
}

/// One delivery: a request to one of the instances, and what EventBridge does with its answer.
fn deliver(world: &Rc<RefCell<World>>, delivery: Delivery) {
    let mut host = {
        let mut w = world.borrow_mut();
        w.log.timeline.push((delivery.event, String::new()));
        let settings: Vec<(&str, &str)> = w
            .settings
            .iter()
            .map(|(k, v)| (k.as_str(), v.as_str()))
            .collect();
        let mut host = MemoryHost::new(&settings, w.bodies[delivery.event].clone());
        host.store = Some(w.store.clone());
        host.now = w.clock;
        // Claim tokens must differ between deliveries, as random numbers do.
        host.random = w.rng.next() >> 16;
        host
    };
    let hook_world = Rc::clone(world);
    let by = delivery.event;
    host.slack_hook = Some(SlackHook(Rc::new(move |post| slack(&hook_world, post, by))));
    let handled = host.handle("POST", "/", &[("x-api-key", KEY)]);
    let status = handled.reply.status;
    let body: Value = serde_json::from_slice(&handled.reply.body).unwrap_or_default();
    let code = body["error"]
        .as_str()
        .or(body["outcome"].as_str())
        .unwrap_or("")
        .to_owned();
    let mut w = world.borrow_mut();
    w.log.answers.push((delivery.event, status, code.clone()));
    w.log.timeline.push((delivery.event, code.clone()));
    let retried = matches!(status, 401 | 407 | 409 | 429) || status >= 500;
    if retried && delivery.attempt < 40 {
        w.queue.push(Delivery {
            attempt: delivery.attempt + 1,
            ..delivery
        });
    } else if !(200..300).contains(&status) {
        w.log.dead_letters.push((delivery.event, status, code));
    }
}

/// Slack: a fault, maybe another delivery while the call is in flight, and the call's effect.
fn slack(
    world: &Rc<RefCell<World>>,
    post: &Post,
    by: usize,
) -> Result<HttpResponse, TransportFailure> {
    let (fault, overlap) = {
        let mut w = world.borrow_mut();
        let fault = if w.rng.below(100) < w.fault_rate {
            [
                Fault::ServerError,
                Fault::RateLimited,
                Fault::Dropped,
                Fault::LateAccept,
            ][w.rng.below(4)]
        } else {
            Fault::None
        };
        let overlap = (w.depth < 2 && !w.queue.is_empty() && w.rng.below(100) < w.overlap_rate)
            .then(|| {
                let pending = w.queue.len();
                let at = w.rng.below(pending);
                w.queue.swap_remove(at)
            });
        (fault, overlap)
    };
    let effect_first = world.borrow_mut().rng.below(2) == 0;
    let mut answer = None;
    if effect_first {
        answer = Some(apply(world, post, fault, by));
    }
    if let Some(other) = overlap {
        world.borrow_mut().depth += 1;
        deliver(world, other);
        world.borrow_mut().depth -= 1;
    }
    let answer = answer.unwrap_or_else(|| apply(world, post, fault, by));
    match fault {
        Fault::None => Ok(answer),
        Fault::ServerError => Ok(response(500, None, json!({}))),
        Fault::RateLimited => Ok(response(
            429,
            Some("1"),
            json!({"ok": false, "error": "ratelimited"}),
        )),
        Fault::Dropped => Err(TransportFailure::Unreachable("connection_reset")),
        Fault::LateAccept => Err(TransportFailure::Timeout),
    }
}

fn response(status: u16, retry_after: Option<&str>, body: Value) -> HttpResponse {
    HttpResponse {
        status,
        retry_after: retry_after.map(str::to_owned),
        body: body.to_string().into_bytes(),
    }
}

/// The call's effect on the channel, unless the fault kept Slack from reading it; Slack's `ok`.
fn apply(world: &Rc<RefCell<World>>, post: &Post, fault: Fault, by: usize) -> HttpResponse {
    let mut w = world.borrow_mut();
    let call: Value = serde_json::from_slice(&post.payload).expect("a call is JSON");
    let header = call["blocks"][0]["text"]["text"]
        .as_str()
        .unwrap_or("")
        .to_owned();
    let event = call["blocks"]
        .as_array()
        .and_then(|blocks| blocks.iter().find(|b| b["type"] == "context"))
        .and_then(|b| b["elements"][0]["text"].as_str())
        .and_then(|text| text.split('`').nth(1))
        .unwrap_or("")
        .to_owned();
    let text = call["text"].as_str().unwrap_or("").to_owned();
    let takes_effect = matches!(fault, Fault::None | Fault::LateAccept);
    if std::env::var("MODEL_TRACE").is_ok() {
        println!(
            "by {by} {:?} {fault:?} [{event}] {header} ts={:?} thread={:?}",
            post.method(),
            call["ts"],
            call["thread_ts"]
        );
    }
    match post.method() {
        Some("chat.update") => {
            let ts = call["ts"].as_str().expect("an update names its message");
            if takes_effect {
                let message = w
                    .messages
                    .iter_mut()
                    .find(|m| m.ts == ts)
                    .expect("updates a message");
                (message.header, message.text) = (header, text);
            }
            response(200, None, json!({"ok": true, "channel": CHANNEL, "ts": ts}))
        }
        Some("chat.postMessage") => {
            w.next_ts += 1;
            let ts = format!("{START}.{:06}", w.next_ts);
            if takes_effect {
                let message = Message {
                    ts: ts.clone(),
                    thread_ts: call["thread_ts"].as_str().map(str::to_owned),
                    broadcast: call["reply_broadcast"] == true,
                    event,
                    header,
                    text,
                    late: fault == Fault::LateAccept,
                };
                w.messages.push(message);
            }
            response(200, None, json!({"ok": true, "channel": CHANNEL, "ts": ts}))
        }
        other => panic!("unexpected call {other:?}"),
    }
}
