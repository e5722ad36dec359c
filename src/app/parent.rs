//! The thread's parent drawn again as its story is kept: rewrites owed and done, the retries
//! that finish them, a stopped task's cause, and what the parent shows for a reply.

use serde_json::value::RawValue;

use crate::answer::LogLine;
use crate::classify::{self, Deployment, Fact};
use crate::error::{self, Error};
use crate::event;
use crate::host::{Host, StoreError};
use crate::remembered::{Cause, StoppedTask};
use crate::slack::{self, Address, Look};
use crate::state;
use crate::state::thread::{self as threads, Thread};
use crate::story::causes::{Why, group_causes};
use crate::story::thread::parent_message;
use crate::web_api::{Failure, POST_MESSAGE, UPDATE};

use super::buttons;
use super::calls::{Context, call, shown_causes};

/// A redelivery of an event Slack took in `deployment`'s thread: the parent's rewrite it left
/// owed, if any, is done now.
pub fn finish(
    host: &mut impl Host,
    deployment: &str,
    context: &Context,
    log: &mut LogLine,
) -> Result<(), Error> {
    let thread = threads::thread_of(host, deployment, context.now);
    rewrite_kept(host, thread, context, log)
}

/// Rewrites what the thread as kept (`kept`, as the store answered) owes; a store that failed
/// is noted in the log, and the event's answer stands.
pub(super) fn rewrite_kept(
    host: &mut impl Host,
    kept: Result<Option<Thread>, StoreError>,
    context: &Context,
    log: &mut LogLine,
) -> Result<(), Error> {
    let mut store_failed = false;
    let result = match kept {
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
    if thread.editable || !news {
        let kept = threads::update(host, &thread, news, context.now).map(Some);
        return rewrite_kept(host, kept, context, log);
    }
    if let Some(Ok(causes)) = redraw(host, &thread, context, Redraw::Reply) {
        log.parent_update = Some("replied");
        thread.causes = causes;
        if threads::update(host, &thread, false, context.now).is_err() {
            log.store = Some("unavailable");
        }
    } else {
        log.parent_update = Some("failed");
    }
    Ok(())
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
pub(super) fn rewrite_owed(
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
    let parent = parent_message(&fact, thread.rollback.clone(), why, thread.hook_outcome)?;
    let mention = config.mention(&parent).filter(|_| thread.failure.is_none());
    let mut look = Look::new(mention, &config.log_groups);
    look.status = thread.status.as_ref();
    let mut pause_id = None;
    look.controls = buttons::redrawn(
        host,
        &parent,
        thread,
        config.interactivity.as_ref(),
        context.now,
        &mut pause_id,
    );
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
    let result = call(host, context, method, &payload).0;
    let causes = parent.why().map(shown_causes).unwrap_or_default();
    Some(result.map(|_| causes))
}

/// The fact the thread's parent is drawn from: its failure's, else its first event's; `None`
/// when none is kept, or it no longer reads.
fn parent_fact<'t>(thread: &'t Thread, context: &Context<'t>) -> Option<Fact<'t>> {
    kept_fact(
        thread.failure.as_deref().or(thread.event.as_deref())?,
        context,
    )
}

/// The fact of an event kept in the store (`None` when it no longer reads).
pub(super) fn kept_fact<'k>(kept: &'k RawValue, context: &Context<'k>) -> Option<Fact<'k>> {
    let event = event::parse_envelope(kept.get().as_bytes()).ok()?;
    classify::classify(event, &context.config.environments, context.now).ok()
}

/// What the thread's parent shows of its deployment: its id and ECS's reason.
pub(super) fn parent_shows(
    thread: &Thread,
    context: &Context,
) -> Option<(Option<String>, Option<String>)> {
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
