//! The request pipeline, in order: route, authenticate, read the body, parse the event,
//! classify it, claim it, decide the story's message, post it, answer; and what waits until
//! the answer has left.

use crate::answer::{
    Handled, LogLine, MAX_ECHO_CHARS, Outcome, answer_outcome, capped, error_reply,
};
use crate::app;
use crate::auth::AuthPolicy;
use crate::classify::{self, Fact};
use crate::config::{AlertConfig, Delivery};
use crate::delivery;
use crate::error::Error;
use crate::event;
use crate::health;
use crate::host::{Host, OutboundRequest, Reply, RequestHead, StoreError, read_request_body};
use crate::interactions;
use crate::routing::Route;
use crate::settings::{
    ACTION_KEYS, ALERT_KEYS, API_KEY_KEYS, APP_KEYS, OTHER_AUTH_KEYS, SLACK_SIGNING_SECRET,
    Settings,
};
use crate::slack::{self, Address, Look};
use crate::state::claim::{self, Claim};
use crate::state::{self, keys, prune};
use crate::story;

/// The work that waits until the answer has left: a press of one of our buttons (Slack wants
/// its answer within 3 s), and the housekeeping: one ECS event in [`prune::PRUNE_EVERY`]
/// prunes the store, so that no answer waits for it. A prune that fails is only housekeeping:
/// the next one tries again.
pub fn after_answer(host: &mut impl Host, handled: &mut Handled) {
    if let Some(press) = handled.press.take() {
        interactions::act(host, &press, &mut handled.log);
    }
    if handled.prune {
        let now = host.now();
        let _ = prune::prune(host, now);
    }
}

/// Handles one request: routing, authentication, parsing, rendering and delivery.
pub fn handle(head: &RequestHead, host: &mut impl Host) -> Handled {
    let path = head.path.split('?').next().unwrap_or_default();
    let is_health = matches!(path, "/health" | "/health/");
    if path == interactions::PATH {
        return press(head, host);
    }
    let mut log = LogLine::default();
    let mut prune = false;
    let result = match (is_health, head.method) {
        (true, "GET") => return health::health(head, host),
        (true, _) => Err(Error::MethodNotAllowed { allow: "GET" }),
        (false, "POST") => process_event(head, host, &mut log, &mut prune),
        (false, _) => Err(Error::MethodNotAllowed { allow: "POST" }),
    };
    let reply = match result {
        Ok(outcome) => answer_outcome(outcome, &mut log),
        Err(error) => {
            log.outcome = error.code();
            error_reply(&error, log.event_id.as_deref())
        }
    };
    log.status = reply.status;
    Handled {
        reply,
        log,
        prune,
        press: None,
    }
}

/// A request to the interactions path: an empty 200 at once for what Slack signed, the press
/// acted on after the answer.
fn press(head: &RequestHead, host: &mut impl Host) -> Handled {
    let mut log = LogLine::default();
    let received = match head.method {
        "POST" => interactions::receive(head, host),
        _ => Err(Error::MethodNotAllowed { allow: "POST" }),
    };
    let (reply, press) = match received {
        Ok(press) => {
            log.outcome = if press.is_some() { "press" } else { "ignored" };
            let reply = Reply {
                status: 200,
                headers: Vec::new(),
                body: Vec::new(),
            };
            (reply, press.map(Box::new))
        }
        Err(error) => {
            log.outcome = error.code();
            (error_reply(&error, None), None)
        }
    };
    log.status = reply.status;
    Handled {
        reply,
        log,
        prune: false,
        press,
    }
}

/// An event: who sent it, what it is, what to tell. Sets `prune` when the request is the one
/// in [`prune::PRUNE_EVERY`] that prunes after its answer.
fn process_event(
    head: &RequestHead,
    host: &mut impl Host,
    log: &mut LogLine,
    prune: &mut bool,
) -> Result<Outcome, Error> {
    // Who may call first, from the authentication keys alone: a refused caller costs the
    // host no other lookups, and EventBridge's API key admits after two.
    let mut settings = Settings::default();
    settings.fetch(&API_KEY_KEYS, |key| host.config(key))?;
    if !AuthPolicy::admits_by_api_key(&settings, head) {
        settings.fetch(&OTHER_AUTH_KEYS, |key| host.config(key))?;
        AuthPolicy::parse(&settings)?.authenticate(head)?;
    }

    let body = read_request_body(head, host)?;

    let event = event::parse_envelope(&body)?;
    log.event_id = Some(capped(&event.id, MAX_ECHO_CHARS));
    log.event_name = Some(capped(&event.detail_type, MAX_ECHO_CHARS));
    if let Some(Fact::Ignored { why, .. }) = classify::not_for_us(&event) {
        return Ok(Outcome::Ignored {
            why: why.into_owned(),
        });
    }
    // An ECS event: now the rest of the configuration, every key of it checked.
    settings.fetch(&ALERT_KEYS, |key| host.config(key))?;
    if settings.may_use_app() {
        settings.fetch(&APP_KEYS, |key| host.config(key))?;
        if settings.get(SLACK_SIGNING_SECRET).is_some() {
            settings.fetch(&ACTION_KEYS, |key| host.config(key))?;
        }
    }
    let config = AlertConfig::parse(&settings)?;
    let event_id = event.id.clone();
    let now = host.now();
    let fact = classify::classify(event, &config.environments, now)?;
    if let Some(name) = fact.event_name() {
        log.event_name = Some(capped(name, MAX_ECHO_CHARS));
    }
    *prune =
        !matches!(fact, Fact::Ignored { .. } | Fact::Covered { .. }) && prune::prune_due(&event_id);
    match &fact {
        Fact::Ignored { why, .. } => {
            return Ok(Outcome::Ignored {
                why: why.to_string(),
            });
        }
        Fact::Covered { why, .. } => return Ok(Outcome::Covered { why }),
        // Recorded whatever `notify` says, also in dry run: a failure alert reads it.
        Fact::StoppedTask(task) => {
            state::record_task(host, task, now).map_err(|StoreError| Error::StoreUnavailable)?;
            // App mode: a cause the thread's parent does not show yet is drawn into it, and a
            // rewrite the story owes is done.
            if let Delivery::Slack(routes) = &config.delivery
                && let Some(app) = &routes.app
            {
                let context = app::Context {
                    app,
                    config: &config,
                    now,
                    deadline: delivery::ANSWER_DEADLINE,
                };
                app::after_task(host, task, &context, log)?;
            }
            return Ok(Outcome::Recorded);
        }
        _ => {}
    }
    // The event's claim, before the story remembers anything again: a redelivery of an event
    // Slack already took stops here, and so does one that overlaps a delivery at work. A dry
    // run never claims nor marks.
    let mut store_failed = false;
    // Whether this delivery wrote a claim that is still its own, or may be.
    let mut claimed = false;
    let claim_key = keys::sent(&event_id);
    if matches!(config.delivery, Delivery::Slack(_))
        && story::may_post(&fact, config.notify, host, now)
    {
        match claim::take(host, &claim_key, now, &mut claimed) {
            Ok(Claim::Ours) => {}
            Ok(Claim::Delivered(thread)) => {
                // The message posted; a rewrite of its thread's parent may still be owed.
                if let (Some(thread), Delivery::Slack(routes)) = (thread, &config.delivery)
                    && let Some(app) = &routes.app
                {
                    let context = app::Context {
                        app,
                        config: &config,
                        now,
                        deadline: delivery::ANSWER_DEADLINE,
                    };
                    app::finish(host, &thread, &context, log)?;
                }
                return Ok(Outcome::Duplicate);
            }
            Ok(Claim::InFlight) => return Err(Error::InFlight),
            // Without a store, post anyway: a duplicate beats a lost alert.
            Err(StoreError) => store_failed = true,
        }
    }
    let event = Event {
        body: &body,
        claim: &claim_key,
        now,
    };
    let outcome = decide_and_deliver(host, &fact, &config, &event, log, &mut store_failed);
    // Whatever kept the event from Slack, a retry must be free to post it at once; a message
    // that posted keeps its mark, also when its parent's rewrite is still owed.
    let posted = matches!(
        outcome,
        Ok(Outcome::Delivered { .. }) | Err(Error::ParentUpdateFailed(_))
    );
    if claimed && !posted {
        store_failed |= claim::release(host, &claim_key).is_err();
    }
    log.store = store_failed.then_some("unavailable");
    outcome
}

/// The event being delivered, as delivery needs it.
struct Event<'e> {
    /// Its body (app mode keeps it with a thread's parent).
    body: &'e [u8],
    /// Its claim key, marked delivered once Slack took the message.
    claim: &'e str,
    /// The request's time.
    now: u64,
}

/// Decides the story's message for `fact` and posts it; notes in `store_failed` whether the
/// store failed on the way.
fn decide_and_deliver(
    host: &mut impl Host,
    fact: &Fact,
    config: &AlertConfig,
    event: &Event,
    log: &mut LogLine,
    store_failed: &mut bool,
) -> Result<Outcome, Error> {
    let now = event.now;
    let decision = story::decide(fact, host, config.notify, now);
    *store_failed |= decision.store_failed;
    let message = match decision.message {
        Ok(message) => message,
        Err(why) => return Ok(Outcome::Ignored { why }),
    };
    let service = message.service();
    log.cluster.clone_from(&service.cluster);
    log.service = Some(service.name.clone());
    log.environment = Some(service.environment.to_owned());
    let look = Look::new(config.mention(&message), &config.log_groups);
    let routes = match &config.delivery {
        // Our own JSON, so it always reads back.
        Delivery::DryRun => {
            let payload = slack::render(&message, &look, &Address::default());
            return Ok(Outcome::DryRun { payload });
        }
        Delivery::Slack(routes) => routes,
    };
    let route = routes
        .route_for(service.environment)
        .ok_or_else(|| Error::NoRoute(service.environment.to_owned()))?;
    let (slack_status, thread) = match route {
        Route::Webhook(webhook) => {
            let payload = slack::render(&message, &look, &Address::default());
            // Slack gets what is left of the answer deadline, less the time to answer.
            let timeouts = delivery::slack_share(host.elapsed()).ok_or(Error::OutOfTime)?;
            let request = OutboundRequest::webhook(webhook, payload.get().as_bytes());
            let answer = host.post(&request, timeouts);
            log.slack_status = answer.as_ref().ok().map(|r| r.status);
            let slack_status = delivery::outcome(answer, host.now())?;
            // Only once Slack took it: a retry after a failed post must still post.
            *store_failed |= claim::mark_delivered(host, event.claim, None, now).is_err();
            (slack_status, None)
        }
        Route::App { channel, app } => {
            let posting = app::Posting {
                context: app::Context {
                    app,
                    config,
                    now,
                    deadline: delivery::ANSWER_DEADLINE,
                },
                channel,
                event: event.body,
                claim: event.claim,
            };
            let placed = app::deliver(host, &message, &posting, log, store_failed)?;
            (200, Some(placed.name()))
        }
    };
    Ok(Outcome::Delivered {
        slack_status,
        thread,
    })
}
