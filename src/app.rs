//! App mode: a deployment's story as one Slack thread, through the Web API with the app's bot
//! token. The first message of a deployment's story that posts is the thread's parent; the
//! rest are replies to it; and the parent is rewritten as the story moves (its header, a
//! status line, and its Why when a stopped task brings a cause it does not show yet).
//!
//! The parent is taken with a claim on the deployment's parent key, like a delivery's on its
//! event, so a deployment's racing first events start one thread; its `ts` is kept before the
//! event is marked delivered. Without a working store, messages post on their own (no thread).

use serde_json::value::RawValue;

use crate::answer::LogLine;
use crate::bot::ChannelId;
use crate::classify::{self, Fact};
use crate::config::AlertConfig;
use crate::delivery;
use crate::error::Error;
use crate::event;
use crate::host::{Host, SlackRequest, StoreError};
use crate::remembered::{Cause, StoppedTask};
use crate::routing::App;
use crate::slack::{self, Address, Look};
use crate::state::claim::{self, Claim};
use crate::state::thread::{self as threads, Thread};
use crate::state::{self, keys};
use crate::story::Message;
use crate::story::causes::{Why, group_causes};
use crate::story::thread::parent_message;
use crate::web_api::{self, Failure, POST_MESSAGE, Posted, UPDATE};

/// The largest event kept with a parent to draw it again (deployment events are about 1 KB):
/// a larger one starts a thread whose parent is never rewritten.
const MAX_KEPT_EVENT: usize = 16 * 1024;

/// Where a message went in its thread.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Placed {
    /// It started its deployment's thread.
    Parent,
    /// It replied in the thread.
    Reply,
    /// It posted on its own: no story to join, or no store to keep one.
    Standalone,
}

impl Placed {
    /// The name the answer and the log use.
    pub fn name(self) -> &'static str {
        match self {
            Placed::Parent => "parent",
            Placed::Reply => "reply",
            Placed::Standalone => "standalone",
        }
    }
}

/// What every Web API call of an event needs: the app, the configuration, the time.
#[derive(Clone, Copy)]
pub struct Context<'c> {
    /// The app: its token and Web API.
    pub app: &'c App,
    /// The configuration (mentions, log groups, environments: a parent drawn again).
    pub config: &'c AlertConfig,
    /// The request's time.
    pub now: u64,
}

/// One event's message in app mode: what posting it needs besides the message.
pub struct Posting<'c> {
    /// The app, the configuration, the time.
    pub context: Context<'c>,
    /// The channel of the message's environment.
    pub channel: &'c ChannelId,
    /// The event's body, kept with a parent it starts.
    pub event: &'c [u8],
    /// The event's claim key: marked delivered once Slack took the message.
    pub claim: &'c str,
}

/// Posts `message` where it belongs: a reply in its story's thread, the parent of a new
/// thread, or on its own; marks the event delivered; and rewrites the parent when the story
/// moved on. Returns where it went.
pub fn deliver(
    host: &mut impl Host,
    message: &Message,
    posting: &Posting,
    log: &mut LogLine,
    store_failed: &mut bool,
) -> Result<Placed, Error> {
    let now = posting.context.now;
    let keys = message.thread_keys();
    let found = if keys.is_empty() {
        threads::service_thread(host, &message.service().identity(), now)
    } else {
        threads::first_thread(host, &keys, now)
    };
    let thread = match found {
        Ok(None) if keys.is_empty() => {
            return post_alone(host, message, posting, log, store_failed);
        }
        Ok(None) => match start_thread(host, message, keys[0], posting, log, store_failed)? {
            Some(placed) => return Ok(placed),
            // Another delivery started the thread while this one waited: reply in it.
            None => threads::first_thread(host, &keys, now),
        },
        found => found,
    };
    match thread {
        Ok(Some(thread)) => reply(host, message, thread, posting, log, store_failed),
        // The store failed, or lost the thread another delivery started.
        Ok(None) | Err(StoreError) => {
            *store_failed = true;
            post_alone(host, message, posting, log, store_failed)
        }
    }
}

/// Posts a message in no thread, and marks the event delivered.
fn post_alone(
    host: &mut impl Host,
    message: &Message,
    posting: &Posting,
    log: &mut LogLine,
    store_failed: &mut bool,
) -> Result<Placed, Error> {
    own_post(
        host,
        message,
        &Address::channel(posting.channel.as_str()),
        posting,
        log,
    )?;
    *store_failed |= claim::mark_delivered(host, posting.claim, posting.context.now).is_err();
    Ok(Placed::Standalone)
}

/// Starts `deployment`'s thread with `message` as its parent, under the parent's claim, and
/// marks the event delivered; `None` when another delivery started it meanwhile.
fn start_thread(
    host: &mut impl Host,
    message: &Message,
    deployment: &str,
    posting: &Posting,
    log: &mut LogLine,
    store_failed: &mut bool,
) -> Result<Option<Placed>, Error> {
    let now = posting.context.now;
    let key = keys::parent(deployment);
    let mut wrote = false;
    match claim::take(host, &key, now, &mut wrote) {
        Ok(Claim::Ours) => {}
        Ok(Claim::Delivered) => return Ok(None),
        Ok(Claim::InFlight) => return Err(Error::InFlight),
        Err(StoreError) => {
            *store_failed = true;
            if wrote {
                let _ = claim::release(host, &key);
            }
            return post_alone(host, message, posting, log, store_failed).map(Some);
        }
    }
    let address = Address::channel(posting.channel.as_str());
    let posted = match own_post(host, message, &address, posting, log) {
        Ok(posted) => posted,
        Err(error) => {
            *store_failed |= claim::release(host, &key).is_err();
            return Err(error);
        }
    };
    let thread = Thread {
        deployment: deployment.to_owned(),
        channel: posted.channel,
        ts: posted.ts,
        event: kept_event(posting.event),
        rollback: message.rollback().cloned(),
        why_of: message.why_of().map(str::to_owned),
        status: message.status(),
        causes: message.why().map(shown_causes).unwrap_or_default(),
        editable: true,
    };
    // The parent's ts first: only a kept thread marks the parent taken; else its claim goes,
    // and the next message of the story starts a thread of its own rather than waiting.
    let kept = threads::save(host, &thread, now)
        .and_then(|()| claim::mark_delivered(host, &key, now))
        .and_then(|()| link_story(host, message, &thread, true, now));
    if kept.is_err() {
        *store_failed = true;
        let _ = claim::release(host, &key);
    }
    *store_failed |= claim::mark_delivered(host, posting.claim, now).is_err();
    Ok(Some(Placed::Parent))
}

/// Replies in `thread`, marks the event delivered, and rewrites the parent if the story moved
/// on.
fn reply(
    host: &mut impl Host,
    message: &Message,
    mut thread: Thread,
    posting: &Posting,
    log: &mut LogLine,
    store_failed: &mut bool,
) -> Result<Placed, Error> {
    let now = posting.context.now;
    let address = Address::reply(&thread.channel, &thread.ts, message.broadcast());
    own_post(host, message, &address, posting, log)?;
    *store_failed |= claim::mark_delivered(host, posting.claim, now).is_err();
    *store_failed |= link_story(host, message, &thread, false, now).is_err();
    let moved = message
        .status()
        .filter(|status| status.moves(thread.status.as_ref()));
    // A parent Slack would not edit stays as it is: the replies tell the story.
    if let Some(status) = moved.filter(|_| thread.editable) {
        thread.status = Some(status);
        // Kept only once shown: else the next move tries again.
        if rewrite(host, &mut thread, &posting.context, log) {
            *store_failed |= threads::update(host, &thread, now).is_err();
        }
    }
    Ok(Placed::Reply)
}

/// Links the deployments a rollback names to `thread`, and opens (a new thread whose story
/// goes on) or closes (its outcome) the service's story, so that what comes next finds it.
fn link_story(
    host: &mut impl Host,
    message: &Message,
    thread: &Thread,
    opens: bool,
    now: u64,
) -> Result<(), StoreError> {
    for deployment in message.thread_aliases() {
        threads::link(host, deployment, thread, now)?;
    }
    let service = message.service().identity();
    if message.ends_story() {
        threads::close_for_service(host, &service)
    } else if opens {
        threads::open_for_service(host, &service, thread, now)
    } else {
        Ok(())
    }
}

/// After a stopped task is recorded: if the thread's parent shows the Why of the task's
/// deployment and not the task's cause yet, the parent is drawn again (or, when Slack will not
/// edit it, the news goes as a reply). Never fails the task's event: the log says what
/// happened.
pub fn after_task(host: &mut impl Host, task: &StoppedTask, context: &Context, log: &mut LogLine) {
    let Ok(Some(mut thread)) = threads::thread_of(host, &task.deployment, context.now) else {
        return;
    };
    if thread.why_of.as_deref() != Some(task.deployment.as_str())
        || thread.causes.contains(&task.cause)
    {
        return;
    }
    let shown = if thread.editable {
        rewrite(host, &mut thread, context, log)
    } else {
        reply_with_parent(host, &mut thread, context, log)
    };
    if shown && threads::update(host, &thread, context.now).is_err() {
        log.store = Some("unavailable");
    }
}

/// Rewrites the parent with `chat.update` as the story now stands; when Slack refuses to edit
/// it, the parent drawn again goes as a reply instead (without its mention), and the thread
/// stops trying to edit. Whether it was shown, one way or the other.
fn rewrite(
    host: &mut impl Host,
    thread: &mut Thread,
    context: &Context,
    log: &mut LogLine,
) -> bool {
    let result = redraw(host, thread, context, Redraw::Edit);
    log.parent_update = match result {
        None => return false,
        Some(Ok(())) => Some("updated"),
        Some(Err(Failure::EditRefused(_))) => {
            thread.editable = false;
            return reply_with_parent(host, thread, context, log);
        }
        Some(Err(Failure::Failed(_))) => Some("failed"),
    };
    log.parent_update == Some("updated")
}

/// Posts the parent, drawn again as the story now stands, as a reply in its thread; whether
/// Slack took it.
fn reply_with_parent(
    host: &mut impl Host,
    thread: &mut Thread,
    context: &Context,
    log: &mut LogLine,
) -> bool {
    let Some(result) = redraw(host, thread, context, Redraw::Reply) else {
        return false;
    };
    log.parent_update = Some(if result.is_ok() { "replied" } else { "failed" });
    result.is_ok()
}

/// Where a parent drawn again goes.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Redraw {
    /// Over the parent itself (`chat.update`).
    Edit,
    /// As a reply in its thread, without its mention (a reply notifies; the parent's mention
    /// paged once already).
    Reply,
}

/// Draws the thread's parent again, its causes as they are now, and sends it as `how` says;
/// once Slack took it, `thread` keeps the causes it shows. `None` when it cannot be drawn: no
/// event kept, the event no longer reads, or the causes cannot be read now.
fn redraw(
    host: &mut impl Host,
    thread: &mut Thread,
    context: &Context,
    how: Redraw,
) -> Option<Result<(), Failure>> {
    let config = context.config;
    let kept = thread.event.as_deref()?;
    let event = event::parse_envelope(kept.get().as_bytes()).ok()?;
    let fact = classify::classify(event, &config.environments, context.now).ok()?;
    let why = match (&fact, thread.why_of.as_deref()) {
        (Fact::DeploymentFailed(_), Some(deployment)) => {
            group_causes(&state::tasks_of(host, deployment, context.now).ok()?)
        }
        _ => Why::NothingRecorded,
    };
    let parent = parent_message(&fact, thread.rollback.clone(), why)?;
    let mut look = Look::new(config.mention(&parent), &config.log_groups);
    look.status = thread.status.as_ref();
    let (method, address) = match how {
        Redraw::Edit => (UPDATE, Address::update(&thread.channel, &thread.ts)),
        Redraw::Reply => {
            look.mention = None;
            (
                POST_MESSAGE,
                Address::reply(&thread.channel, &thread.ts, false),
            )
        }
    };
    let payload = slack::render(&parent, &look, &address);
    let result = call(host, context.app, method, &payload).0;
    let causes = parent.why().map(shown_causes);
    if let (Ok(_), Some(causes)) = (&result, causes) {
        thread.causes = causes;
    }
    Some(result.map(|_| ()))
}

/// Posts the event's own message at `address`: its answer is the event's.
fn own_post(
    host: &mut impl Host,
    message: &Message,
    address: &Address,
    posting: &Posting,
    log: &mut LogLine,
) -> Result<Posted, Error> {
    let config = posting.context.config;
    let look = Look::new(config.mention(message), &config.log_groups);
    let payload = slack::render(message, &look, address);
    let (answer, status) = call(host, posting.context.app, POST_MESSAGE, &payload);
    log.slack_status = status;
    answer.map_err(|failure| match failure {
        Failure::Failed(error) => error,
        // Only `chat.update` refuses edits; from `chat.postMessage` it is an error like others.
        Failure::EditRefused(code) => Error::SlackFailed {
            code: Some(code),
            status: 200,
            retry_after_secs: None,
        },
    })
}

/// Calls the Web API `method` with `payload` within what is left of the answer deadline;
/// also returns Slack's HTTP status, when it answered.
fn call(
    host: &mut impl Host,
    app: &App,
    method: &str,
    payload: &RawValue,
) -> (Result<Posted, Failure>, Option<u16>) {
    let Some(timeouts) = delivery::slack_share(host.elapsed()) else {
        return (Err(Failure::Failed(Error::OutOfTime)), None);
    };
    let url = app.api.method(method);
    let request = SlackRequest {
        url: &url,
        token: Some(&app.token),
        payload: payload.get().as_bytes(),
    };
    let answer = host.post(&request, timeouts);
    let status = answer.as_ref().ok().map(|response| response.status);
    (web_api::answer(answer, host.now()), status)
}

/// The causes a Why shows.
fn shown_causes(why: &Why) -> Vec<Cause> {
    match why {
        Why::Causes { groups, .. } => groups.iter().map(|group| group.cause.clone()).collect(),
        Why::NothingRecorded | Why::StoreUnavailable => Vec::new(),
    }
}

/// The event's body as kept with a parent, unless it is too large to keep.
fn kept_event(body: &[u8]) -> Option<Box<RawValue>> {
    if body.len() > MAX_KEPT_EVENT {
        return None;
    }
    serde_json::from_slice::<&RawValue>(body)
        .ok()
        .map(|raw| raw.to_owned())
}
