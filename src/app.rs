//! App mode: a deployment's story as one Slack thread, through the Web API with the app's bot
//! token. The first message of a deployment's story that posts is the thread's parent; the
//! rest are replies to it; and the parent is rewritten as the story moves (its header, a
//! status line, and its Why when a stopped task brings a cause it does not show yet).
//!
//! Events link to a thread by the deployments they name, for as long as the records live; an
//! event that names none with a thread joins its service's latest story when the story's
//! status and window say it belongs there. The parent is taken with a claim on the service's
//! parent key, like a delivery's on its event, so a story's racing first events start one
//! thread; its `ts` is kept before the event is marked delivered. The parent is always drawn
//! from the story as kept, never from the event at hand, so deliveries in any order draw it
//! forwards. Without a working store, messages post on their own (no thread).

use serde_json::value::RawValue;

use crate::answer::LogLine;
use crate::bot::ChannelId;
use crate::classify::{self, Deployment, Fact};
use crate::config::AlertConfig;
use crate::delivery;
use crate::error::{self, Error};
use crate::event;
use crate::host::{Host, SlackRequest, StoreError};
use crate::remembered::{Cause, Status, StoppedTask};
use crate::routing::App;
use crate::slack::{self, Address, Look, Parent};
use crate::state::claim::{self, Claim};
use crate::state::thread::{self as threads, Thread};
use crate::state::{self, keys, links};
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
    match find_thread(host, message, posting.context.now) {
        Ok(Some(found)) => reply(host, message, found, posting, log, store_failed),
        Ok(None) if message.tells_a_deployment() && !message.thread_keys().is_empty() => {
            start_thread(host, message, posting, log, store_failed)
        }
        Ok(None) => post_alone(host, message, posting, None, log, store_failed),
        Err(StoreError) => {
            *store_failed = true;
            post_alone(host, message, posting, None, log, store_failed)
        }
    }
}

/// A thread found for a message, and how.
struct Found {
    thread: Thread,
    /// The message's deployments that have no link to the thread yet: linked once the
    /// message is in it, so that their later events find it.
    unlinked: Vec<String>,
}

/// The thread `message` belongs to: its deployments' own (by ID, for as long as the records
/// live), else the one of its service's latest story, when the message joins it by the
/// story's status and window.
fn find_thread(
    host: &mut impl Host,
    message: &Message,
    now: u64,
) -> Result<Option<Found>, StoreError> {
    let keys = message.thread_keys();
    let owned = |keys: &[&str]| keys.iter().map(|key| (*key).to_owned()).collect();
    if let Some((at, thread)) = threads::first_thread(host, &keys, now)? {
        return Ok(Some(Found {
            thread,
            unlinked: owned(&keys[..at]),
        }));
    }
    let Some(thread) = threads::service_thread(host, &message.service().identity(), now)? else {
        return Ok(None);
    };
    Ok(joins(host, message, &thread, now)?.then(|| Found {
        thread,
        unlinked: owned(&keys),
    }))
}

/// Whether `message` joins `thread`, its service's latest story, which only the service and
/// the events' own times link. Within the story window:
/// - a deployment's failure or a rollback's news joins a story still going on, and an ended
///   one if it happened before the end (a late delivery);
/// - a completion joins if it happened after the story began (an earlier deployment's does
///   not), on the same terms;
/// - a deployment's start joins only a story that began after it (its failure or its
///   rollback's news came first): a later start is a new deployment's, and a new story;
/// - a service action joins a story still going on, not one whose deployment completed, even
///   if `notify` did not post the completion.
fn joins(
    host: &mut impl Host,
    message: &Message,
    thread: &Thread,
    now: u64,
) -> Result<bool, StoreError> {
    let (Some(since), Some(latest), Some(at)) = (thread.since, thread.at, message.at()) else {
        return Ok(false);
    };
    let window = links::WINDOW_SECS;
    if at + window < since || at > latest + window {
        return Ok(false);
    }
    let ended = thread.status.as_ref().is_some_and(Status::is_final);
    let going_on_or_before_its_end = !ended || at <= latest;
    Ok(match message {
        Message::DeploymentStarted(_) => at <= since,
        Message::DeploymentCompleted(_) => at >= since && going_on_or_before_its_end,
        Message::ServiceAction(_) if ended => false,
        Message::ServiceAction(_) => {
            let rollback = thread
                .rollback
                .as_ref()
                .and_then(|r| r.deployment.as_deref());
            let mut completed = false;
            for deployment in [Some(thread.deployment.as_str()), rollback]
                .into_iter()
                .flatten()
            {
                completed |= links::completed_since(host, deployment, latest, now)?;
            }
            !completed
        }
        _ => going_on_or_before_its_end,
    })
}

/// Posts a message in no thread (its story's, when `thread` names one Slack would not let it
/// reply in), and marks the event delivered.
fn post_alone(
    host: &mut impl Host,
    message: &Message,
    posting: &Posting,
    thread: Option<&str>,
    log: &mut LogLine,
    store_failed: &mut bool,
) -> Result<Placed, Error> {
    let address = Address::channel(posting.channel.as_str());
    own_post(host, message, &address, None, posting, log).map_err(Failure::into_error)?;
    *store_failed |=
        claim::mark_delivered(host, posting.claim, thread, posting.context.now).is_err();
    Ok(Placed::Standalone)
}

/// Starts a thread for `message`'s story under its service's claim (so that two first events
/// of a story, racing, start one thread), unless another delivery started it meanwhile.
fn start_thread(
    host: &mut impl Host,
    message: &Message,
    posting: &Posting,
    log: &mut LogLine,
    store_failed: &mut bool,
) -> Result<Placed, Error> {
    let now = posting.context.now;
    let key = keys::parent(&message.service().identity());
    let mut wrote = false;
    match claim::take(host, &key, now, &mut wrote) {
        Ok(Claim::Ours) => {}
        // A parent's claim is released once its thread is kept, never marked.
        Ok(Claim::InFlight | Claim::Delivered(_)) => return Err(Error::InFlight),
        Err(StoreError) => {
            *store_failed = true;
            if wrote {
                let _ = claim::release(host, &key);
            }
            return post_alone(host, message, posting, None, log, store_failed);
        }
    }
    // Another delivery may have started the thread between this one's look and its claim.
    let placed = match find_thread(host, message, now) {
        Ok(Some(found)) => Err(found),
        Ok(None) => Ok(post_parent(host, message, posting, log, store_failed)),
        Err(StoreError) => {
            *store_failed = true;
            Ok(post_alone(host, message, posting, None, log, store_failed))
        }
    };
    // Released once the thread is kept (or not started): the next event finds the thread.
    *store_failed |= claim::release(host, &key).is_err();
    match placed {
        Ok(placed) => placed,
        Err(found) => reply(host, message, found, posting, log, store_failed),
    }
}

/// Posts `message` as its story's parent, keeps the thread, makes it its service's latest
/// story, and marks the event delivered.
fn post_parent(
    host: &mut impl Host,
    message: &Message,
    posting: &Posting,
    log: &mut LogLine,
    store_failed: &mut bool,
) -> Result<Placed, Error> {
    let now = posting.context.now;
    let address = Address::channel(posting.channel.as_str());
    let posted =
        own_post(host, message, &address, None, posting, log).map_err(Failure::into_error)?;
    let thread = Thread {
        deployment: message.thread_keys()[0].to_owned(),
        channel: posted.channel,
        ts: posted.ts,
        event: kept_event(posting.event),
        failure: None,
        rollback: message.rollback().cloned(),
        why_of: message.why_of().map(str::to_owned),
        status: message.status(),
        causes: message.why().map(shown_causes).unwrap_or_default(),
        editable: true,
        replies: true,
        since: message.at(),
        at: message.at(),
        revision: 0,
        shown: 0,
    };
    let kept = threads::save(host, &thread, now)
        .and_then(|()| make_latest(host, message, &thread, now))
        .and_then(|()| link(host, message.thread_aliases(), &thread, now));
    *store_failed |= kept.is_err();
    let delivered = claim::mark_delivered(host, posting.claim, Some(&thread.deployment), now);
    *store_failed |= delivered.is_err();
    Ok(Placed::Parent)
}

/// Makes `thread` its service's latest story, unless the service has a later one (this story's
/// first event came late).
fn make_latest(
    host: &mut impl Host,
    message: &Message,
    thread: &Thread,
    now: u64,
) -> Result<(), StoreError> {
    let service = message.service().identity();
    let latest = threads::service_thread(host, &service, now)?;
    if latest.is_some_and(|latest| latest.at > thread.at) {
        return Ok(());
    }
    threads::set_service_thread(host, &service, thread, now)
}

/// Replies in the thread found (or posts on its own when Slack takes no replies in it), marks
/// the event delivered, and moves the story on: the parent is rewritten when what it must show
/// changed. A rewrite that fails in a way a retry may pass answers the event with that
/// failure's status, though the message posted.
fn reply(
    host: &mut impl Host,
    message: &Message,
    found: Found,
    posting: &Posting,
    log: &mut LogLine,
    store_failed: &mut bool,
) -> Result<Placed, Error> {
    let Found {
        mut thread,
        unlinked,
    } = found;
    let now = posting.context.now;
    let owner = thread.deployment.clone();
    let placed = if thread.replies {
        let address = Address::reply(&thread.channel, &thread.ts, message.broadcast());
        let shows = parent_shows(&thread, &posting.context);
        let parent = Parent {
            deployment: shows
                .as_ref()
                .and_then(|(deployment, _)| deployment.as_deref()),
            reason: shows.as_ref().and_then(|(_, reason)| reason.as_deref()),
        };
        match own_post(host, message, &address, Some(parent), posting, log) {
            Ok(_) => {
                *store_failed |=
                    claim::mark_delivered(host, posting.claim, Some(&owner), now).is_err();
                Placed::Reply
            }
            // The channel takes what the thread will not; the story stops replying.
            Err(Failure::ReplyRefused(_)) => {
                thread.replies = false;
                post_alone(host, message, posting, Some(&owner), log, store_failed)?
            }
            Err(failure) => return Err(failure.into_error()),
        }
    } else {
        post_alone(host, message, posting, Some(&owner), log, store_failed)?
    };
    let aliases = message.thread_aliases().into_iter().map(str::to_owned);
    let to_link: Vec<String> = unlinked.into_iter().chain(aliases).collect();
    *store_failed |= link(host, to_link.iter().map(String::as_str), &thread, now).is_err();
    move_story(host, message, thread, posting, log, store_failed)?;
    Ok(placed)
}

/// Links `deployments` to `thread`.
fn link<'d>(
    host: &mut impl Host,
    deployments: impl IntoIterator<Item = &'d str>,
    thread: &Thread,
    now: u64,
) -> Result<(), StoreError> {
    for deployment in deployments {
        threads::link(host, deployment, thread, now)?;
    }
    Ok(())
}

/// Keeps what `message` adds to its thread's story (where it stands, its rollback, a failure
/// that came after another event drew the parent, its time) and, when that changes what the
/// parent must show, rewrites the parent from the story as kept.
fn move_story(
    host: &mut impl Host,
    message: &Message,
    thread: Thread,
    posting: &Posting,
    log: &mut LogLine,
    store_failed: &mut bool,
) -> Result<(), Error> {
    let now = posting.context.now;
    let mut change = thread;
    change.at = change.at.max(message.at());
    change.since = [change.since, message.at()].into_iter().flatten().min();
    change.status = message.status().or(change.status);
    if let Some(rollback) = message.rollback() {
        change.rollback = Some(rollback.clone());
    }
    // The story's failure, come after a start, a notice or an outcome drew the parent: from
    // now on the parent is drawn from it, with its Why.
    if let Message::DeploymentFailed { deployment, .. } = message
        && change.why_of.is_none()
        && change.failure.is_none()
    {
        change.failure = kept_event(posting.event);
        change.why_of = deployment.deployment_id.as_deref().map(str::to_owned);
    }
    match threads::update(host, &change, false, now) {
        Ok(kept) => rewrite_owed(host, kept, &posting.context, log, store_failed),
        Err(StoreError) => {
            *store_failed = true;
            Ok(())
        }
    }
}

/// A redelivery of an event Slack took in `deployment`'s thread: the parent's rewrite it left
/// owed, if any, is done now.
pub fn finish(
    host: &mut impl Host,
    deployment: &str,
    context: &Context,
    log: &mut LogLine,
) -> Result<(), Error> {
    let mut store_failed = false;
    let result = match threads::thread_of(host, deployment, context.now) {
        Ok(Some(thread)) => rewrite_owed(host, thread, context, log, &mut store_failed),
        Ok(None) => Ok(()),
        Err(StoreError) => {
            store_failed = true;
            Ok(())
        }
    };
    if store_failed {
        log.store = Some("unavailable");
    }
    result
}

/// After a stopped task is recorded: if the thread's parent shows the Why of the task's
/// deployment and not the task's cause yet, the parent is drawn again (or, when Slack will not
/// edit it, the news goes as a reply); a rewrite the story still owes is done too. A rewrite
/// that fails in a way a retry may pass is the task's answer: its retry draws the parent.
pub fn after_task(
    host: &mut impl Host,
    task: &StoppedTask,
    context: &Context,
    log: &mut LogLine,
) -> Result<(), Error> {
    let Ok(Some(mut thread)) = threads::thread_of(host, &task.deployment, context.now) else {
        return Ok(());
    };
    let news = thread.why_of.as_deref() == Some(task.deployment.as_str())
        && !thread.causes.contains(&task.cause);
    let mut store_failed = false;
    let result = if !thread.editable && news {
        if let Some(Ok(causes)) = redraw(host, &thread, context, Redraw::Reply) {
            log.parent_update = Some("replied");
            thread.causes = causes;
            store_failed |= threads::update(host, &thread, false, context.now).is_err();
        } else {
            log.parent_update = Some("failed");
        }
        Ok(())
    } else {
        match threads::update(host, &thread, news, context.now) {
            Ok(kept) => rewrite_owed(host, kept, context, log, &mut store_failed),
            Err(StoreError) => {
                store_failed = true;
                Ok(())
            }
        }
    };
    if store_failed {
        log.store = Some("unavailable");
    }
    result
}

/// How many times one delivery draws the parent when the story moves on while Slack is called
/// (each time it finds the store ahead of what it drew); past that, the event's retry does.
const MAX_REDRAWS: usize = 3;

/// Rewrites the parent with `chat.update` until Slack took what the story as kept says: a
/// rewrite always draws the story as the store has it, and when the store moved ahead while
/// Slack was called (another delivery's move, whose own rewrite may land first), it draws once
/// more, so the parent is never left drawn backwards. When Slack refuses to edit the parent,
/// it is posted as a reply instead (without its mention), and the thread stops editing. A
/// failure a retry may pass is the event's answer; one it cannot is only logged.
fn rewrite_owed(
    host: &mut impl Host,
    mut thread: Thread,
    context: &Context,
    log: &mut LogLine,
    store_failed: &mut bool,
) -> Result<(), Error> {
    if !thread.pending() {
        return Ok(());
    }
    for _ in 0..MAX_REDRAWS {
        let drawn = thread.revision;
        match redraw(host, &thread, context, Redraw::Edit) {
            // Nothing to draw it from: nothing can be done for it.
            None => return Ok(()),
            Some(Ok(causes)) => {
                log.parent_update = Some("updated");
                thread.causes = causes;
                thread.shown = drawn;
            }
            Some(Err(Failure::EditRefused(_) | Failure::ReplyRefused(_))) => {
                thread.editable = false;
                let replied = redraw(host, &thread, context, Redraw::Reply);
                log.parent_update = Some(match replied {
                    Some(Ok(_)) => "replied",
                    _ => "failed",
                });
            }
            Some(Err(Failure::Failed(error))) => {
                log.parent_update = Some("failed");
                if !error::eventbridge_retries(error.status()) {
                    return Ok(());
                }
                // Slack may still take it, after rewrites of a story further on: whatever
                // another delivery showed meanwhile, the retry draws the parent again.
                *store_failed |= threads::update(host, &thread, true, context.now).is_err();
                return Err(Error::ParentUpdateFailed(Box::new(error)));
            }
        }
        match threads::update(host, &thread, false, context.now) {
            // Whatever another delivery showed meanwhile, this rewrite may have landed last:
            // only a story no further than what it drew is done.
            Ok(kept) if kept.editable && kept.revision > drawn => thread = kept,
            Ok(_) => return Ok(()),
            Err(StoreError) => {
                *store_failed = true;
                return Ok(());
            }
        }
    }
    // Other deliveries keep moving the story, and this one's last rewrite may land after
    // theirs: the parent is owed a rewrite, which this event's retry draws.
    *store_failed |= threads::update(host, &thread, true, context.now).is_err();
    Err(Error::ParentUpdateFailed(Box::new(Error::InFlight)))
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

/// Draws the thread's parent again as its story is kept, its causes as they are now, and
/// sends it as `how` says; once Slack took it, the causes it shows. `None` when it cannot be
/// drawn: no event kept, the event no longer reads, or the causes cannot be read now. Drawn
/// from the failure that came after another event drew it, the parent carries no mention: it
/// was a reply's to make.
fn redraw(
    host: &mut impl Host,
    thread: &Thread,
    context: &Context,
    how: Redraw,
) -> Option<Result<Vec<Cause>, Failure>> {
    let config = context.config;
    let fact = parent_fact(thread, context)?;
    let why = match (&fact, thread.why_of.as_deref()) {
        (Fact::DeploymentFailed(_), Some(deployment)) => {
            group_causes(&state::tasks_of(host, deployment, context.now).ok()?)
        }
        _ => Why::NothingRecorded,
    };
    let parent = parent_message(&fact, thread.rollback.clone(), why)?;
    let mention = config.mention(&parent).filter(|_| thread.failure.is_none());
    let mut look = Look::new(mention, &config.log_groups);
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
    let causes = parent.why().map(shown_causes).unwrap_or_default();
    Some(result.map(|_| causes))
}

/// Posts the event's own message at `address` (a reply leaves out what its parent shows):
/// its answer is the event's.
fn own_post(
    host: &mut impl Host,
    message: &Message,
    address: &Address,
    reply_to: Option<Parent>,
    posting: &Posting,
    log: &mut LogLine,
) -> Result<Posted, Failure> {
    let config = posting.context.config;
    let mut look = Look::new(config.mention(message), &config.log_groups);
    look.reply_to = reply_to;
    let payload = slack::render(message, &look, address);
    let (answer, status) = call(host, posting.context.app, POST_MESSAGE, &payload);
    log.slack_status = status;
    answer
}

/// The fact the thread's parent is drawn from: its failure's, else its first event's; `None`
/// when none is kept, or it no longer reads.
fn parent_fact<'t>(thread: &'t Thread, context: &Context<'t>) -> Option<Fact<'t>> {
    let kept = thread.failure.as_deref().or(thread.event.as_deref())?;
    let event = event::parse_envelope(kept.get().as_bytes()).ok()?;
    classify::classify(event, &context.config.environments, context.now).ok()
}

/// What the thread's parent shows of its deployment: its id and ECS's reason.
fn parent_shows(thread: &Thread, context: &Context) -> Option<(Option<String>, Option<String>)> {
    let owned = |deployment: &Deployment| {
        let id = deployment.deployment_id.as_deref().map(str::to_owned);
        (id, deployment.reason.as_deref().map(str::to_owned))
    };
    match parent_fact(thread, context)? {
        Fact::DeploymentFailed(deployment)
        | Fact::DeploymentStarted(deployment)
        | Fact::RollbackStarted { deployment, .. } => Some(owned(&deployment)),
        // A rollback's end shows no reason: it only repeats that it completed.
        Fact::DeploymentCompleted(deployment) => Some((owned(&deployment).0, None)),
        _ => None,
    }
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
