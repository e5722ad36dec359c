//! What every Web API call of an event needs, and the calls: the event's own message, and
//! what a parent drawn again keeps of it.

use std::time::Duration;

use serde_json::value::RawValue;

use crate::answer::LogLine;
use crate::bot::ChannelId;
use crate::config::AlertConfig;
use crate::delivery;
use crate::error::Error;
use crate::host::{Host, OutboundRequest};
use crate::remembered::Cause;
use crate::routing::App;
use crate::slack::{self, Address, Look, Parent};
use crate::story::Message;
use crate::story::causes::Why;
use crate::web_api::{self, Failure, POST_MESSAGE, Posted};

use super::buttons;

/// The largest event kept with a parent to draw it again (deployment events are about 1 KB):
/// a larger one starts a thread whose parent is never rewritten.
const MAX_KEPT_EVENT: usize = 16 * 1024;

/// What every Web API call of a request needs: the app, the configuration, the time, and
/// when its work must be done.
#[derive(Clone, Copy)]
pub struct Context<'c> {
    /// The app: its token and Web API.
    pub app: &'c App,
    /// The configuration (mentions, log groups, environments: a parent drawn again).
    pub config: &'c AlertConfig,
    /// The request's time.
    pub now: u64,
    /// By when, from the request's start, its calls must be done: an event's answer
    /// deadline, or a press's budget.
    pub deadline: Duration,
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

/// Posts the event's own message at `address` (a reply leaves out what its parent shows), in
/// `story`'s thread or on its own: its answer is the event's.
pub(super) fn own_post(
    host: &mut impl Host,
    message: &Message,
    (address, story): (&Address, Option<&str>),
    reply_to: Option<Parent>,
    posting: &Posting,
    log: &mut LogLine,
) -> Result<Posted, Failure> {
    let config = posting.context.config;
    let mut look = Look::new(config.mention(message), &config.log_groups);
    look.reply_to = reply_to;
    let mut pause_id = None;
    look.controls = buttons::fresh(
        host,
        message,
        story,
        posting.event,
        config.interactivity.as_ref(),
        posting.context.now,
        &mut pause_id,
    );
    let payload = slack::render(message, &look, address);
    let (answer, status) = call(host, &posting.context, POST_MESSAGE, &payload);
    log.slack_status = status;
    answer
}

/// Calls the Web API `method` with `payload` within what is left of the answer deadline;
/// also returns Slack's HTTP status, when it answered.
pub(super) fn call(
    host: &mut impl Host,
    context: &Context,
    method: &str,
    payload: &RawValue,
) -> (Result<Posted, Failure>, Option<u16>) {
    let app = context.app;
    let Some(timeouts) = delivery::share_within(context.deadline, host.elapsed()) else {
        return (Err(Failure::Failed(Error::OutOfTime)), None);
    };
    let url = app.api.method(method);
    let request = OutboundRequest::web_api(&url, &app.token, payload.get().as_bytes());
    let answer = host.post(&request, timeouts);
    let status = answer.as_ref().ok().map(|response| response.status);
    (web_api::answer(answer, host.now()), status)
}

/// The causes a Why shows.
pub(super) fn shown_causes(why: &Why) -> Vec<Cause> {
    match why {
        Why::Causes { groups, .. } => groups.iter().map(|group| group.cause.clone()).collect(),
        Why::NothingRecorded | Why::StoreUnavailable => Vec::new(),
    }
}

/// The event's body as kept with a parent, unless it is too large to keep.
pub(super) fn kept_event(body: &[u8]) -> Option<Box<RawValue>> {
    if body.len() > MAX_KEPT_EVENT {
        return None;
    }
    serde_json::from_slice::<&RawValue>(body)
        .ok()
        .map(|raw| raw.to_owned())
}
