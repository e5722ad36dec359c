//! Which thread a message belongs to: its deployments' own, else its service's latest story's
//! when the story's status and window take it.

use crate::host::{Host, StoreError};
use crate::remembered::Status;
use crate::state::links;
use crate::state::thread::{self as threads, Thread};
use crate::story::Message;

/// A thread found for a message, and how.
pub(super) struct Found {
    pub(super) thread: Thread,
    /// The message's deployments that have no link to the thread yet: linked once the
    /// message is in it, so that their later events find it.
    pub(super) unlinked: Vec<String>,
}

/// The thread `message` belongs to: its deployments' own (by ID, for as long as the records
/// live), else the one of its service's latest story, when the message joins it by the
/// story's status and window.
pub(super) fn find_thread(
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
/// - a service action joins a story still going on, not one whose deployment (or rollback)
///   completed after it began, even if `notify` did not post the completion;
/// - a hook joins a story going on when it happened, whose deployment had not completed by
///   then, and only a story of no other service deployment (a hook of its own deployment finds
///   the thread by its ARN).
///
/// A waiting pause keeps its story open until it gives up, past the window.
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
    let open_until = latest.max(thread.open_until.unwrap_or(0));
    if at + window < since || at > open_until + window {
        return Ok(false);
    }
    let ended = thread.status.as_ref().is_some_and(Status::is_final);
    let going_on_or_before_its_end = !ended || at <= latest;
    Ok(match message {
        Message::DeploymentStarted(_) => at <= since,
        Message::DeploymentCompleted(_) => at >= since && going_on_or_before_its_end,
        Message::Hook { .. }
            if thread
                .service_deployment
                .as_deref()
                .is_some_and(|arn| Some(arn) != message.service_deployment()) =>
        {
            false
        }
        Message::ServiceAction(_) if ended => false,
        Message::ServiceAction(_) => {
            let mut completed = false;
            for deployment in story_deployments(thread) {
                completed |= links::completed_since(host, deployment, since, now)?;
            }
            !completed
        }
        // A hook is of a deployment still going on when it happened: not one that had ended
        // or completed by then (a completion `notify` left out is still remembered).
        Message::Hook { .. } => {
            let mut completed_before = false;
            for deployment in story_deployments(thread) {
                let completion = links::completed_at(host, deployment, now)?;
                completed_before |= completion.is_some_and(|done| done >= since && done < at);
            }
            going_on_or_before_its_end && !completed_before
        }
        _ => going_on_or_before_its_end,
    })
}

/// The deployments of a thread's story: its own, and its rollback's.
fn story_deployments(thread: &Thread) -> impl Iterator<Item = &str> {
    let rollback = thread
        .rollback
        .as_ref()
        .and_then(|r| r.deployment.as_deref());
    [Some(thread.deployment.as_str()), rollback]
        .into_iter()
        .flatten()
}
