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

mod actions;
mod buttons;
mod calls;
mod find;
mod parent;

use crate::answer::LogLine;
use crate::error::Error;
use crate::host::{Host, StoreError};
use crate::slack::{Address, Parent};
use crate::state::claim::{self, Claim};
use crate::state::keys;
use crate::state::thread::{self as threads, Thread};
use crate::story::{About, Message};
use crate::web_api::Failure;
use calls::{kept_event, own_post, shown_causes};
use find::{Found, find_thread};
use parent::{parent_shows, rewrite_owed};

pub use actions::{keep_and_redraw, redraw_pause, say};
pub use calls::{Context, Posting};
pub use parent::{after_task, finish};

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
        // A story's own message starts its thread; a service action names no deployment.
        Ok(None) if !message.thread_keys().is_empty() => {
            start_thread(host, message, posting, log, store_failed)
        }
        Ok(None) => post_alone(host, message, posting, None, log, store_failed),
        Err(StoreError) => {
            *store_failed = true;
            post_alone(host, message, posting, None, log, store_failed)
        }
    }
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
    own_post(host, message, (&address, thread), None, posting, log).map_err(Failure::into_error)?;
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
    let story = message.thread_keys()[0];
    let posted = own_post(host, message, (&address, Some(story)), None, posting, log)
        .map_err(Failure::into_error)?;
    let mut thread = Thread {
        event: kept_event(posting.event),
        rollback: message.rollback().cloned(),
        why_of: message.why_of().map(str::to_owned),
        status: message.status(),
        causes: message.why().map(shown_causes).unwrap_or_default(),
        since: message.at(),
        at: message.at(),
        hook: message.hook().map(|(hook, _)| hook.to_owned()),
        hook_outcome: message.hook().and_then(|(_, outcome)| outcome),
        service_deployment: message.service_deployment().map(str::to_owned),
        ..Thread::new(
            message.thread_keys()[0].to_owned(),
            posted.channel,
            posted.ts,
        )
    };
    hold_open(&mut thread, message, now);
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
    // A pause that waits keeps the thread, its links and its place as the service's latest
    // story for as long as it waits.
    if hold_open(&mut thread, message, now) {
        *store_failed |= make_latest(host, message, &thread, now).is_err();
    }
    let placed = if thread.replies {
        let address = Address::reply(&thread.channel, &thread.ts, message.broadcast());
        let shows = parent_shows(&thread, &posting.context);
        let parent = Parent {
            deployment: shows
                .as_ref()
                .and_then(|(deployment, _)| deployment.as_deref()),
            reason: shows.as_ref().and_then(|(_, reason)| reason.as_deref()),
        };
        let story = (&address, Some(owner.as_str()));
        match own_post(host, message, story, Some(parent), posting, log) {
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

/// Keeps `thread`'s story open, and kept, while `message`'s pause waits; whether it waits.
fn hold_open(thread: &mut Thread, message: &Message, now: u64) -> bool {
    let Some(wait) = message.waits_for() else {
        return false;
    };
    thread.open_until = thread.open_until.max(message.at().map(|at| at + wait));
    thread.kept_until = thread.kept_until.max(Some(now + wait));
    true
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
    // The story's times are its deployments' and hooks' events': a service action only joins
    // it.
    if !matches!(message.about(), About::Action(_)) {
        change.at = change.at.max(message.at());
        change.since = [change.since, message.at()].into_iter().flatten().min();
    }
    change.status = message.status().or(change.status);
    // How the parent's own hook ended, when the parent is a hook's.
    if let Some((hook, Some(outcome))) = message.hook()
        && change.hook.as_deref() == Some(hook)
    {
        change.hook_outcome = Some(outcome);
    }
    if change.service_deployment.is_none() {
        change.service_deployment = message.service_deployment().map(str::to_owned);
    }
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
    let kept = match threads::update(host, &change, false, now) {
        Ok(kept) => kept,
        // Not kept: the parent is drawn from the story as this delivery knows it.
        Err(StoreError) => {
            *store_failed = true;
            change.revision += 1;
            change
        }
    };
    rewrite_owed(host, kept, &posting.context, log, store_failed)
}
