//! `POST /slack/interactions`: Slack's request URL for the buttons. A press is admitted only
//! with a valid, fresh signature ([`crate::signing`]), answered at once with an empty 200
//! (Slack wants it within 3 seconds), and acted on after the answer has left, within
//! [`PRESS_DEADLINE`] of its arrival: "I'm on it" ([`ack`]), or a pause's "Continue" or "Roll
//! back" ([`approve`]). What the presser alone must read goes to the press's `response_url`.

mod ack;
mod approve;
mod payload;

use std::time::Duration;

use serde::Serialize;

use crate::answer::LogLine;
use crate::app;
use crate::config::{AlertConfig, Delivery, SLACK_API};
use crate::delivery;
use crate::endpoint::Endpoint;
use crate::error::Error;
use crate::host::{Host, OutboundRequest, RequestHead, read_request_body};
use crate::press::{Press, Pressed};
use crate::settings::{SLACK_SIGNING_SECRET, Settings};
use crate::signing::SigningSecret;

/// The path Slack's interactivity request URL points at.
pub const PATH: &str = "/slack/interactions";

/// How long, from its arrival, a press's work may take: below a claim's stale age
/// ([`crate::state::claim::STALE_SECS`]), so that no second press takes over a claim whose
/// work is still going.
pub const PRESS_DEADLINE: Duration = Duration::from_secs(8);

const _: () = assert!(PRESS_DEADLINE.as_secs() < crate::state::claim::STALE_SECS);

/// Reads and checks a request to [`PATH`]: `Ok(Some(press))` for a press of one of our
/// buttons, `Ok(None)` for what is Slack's but not ours to act on. Refused: 404 while the
/// signing secret is unset, 401 (no detail) for a wrong, stale or missing signature.
pub fn receive(head: &RequestHead, host: &mut impl Host) -> Result<Option<Press>, Error> {
    let mut settings = Settings::default();
    settings.fetch(&[SLACK_SIGNING_SECRET], |key| host.config(key))?;
    let Some(secret) = settings.get(SLACK_SIGNING_SECRET) else {
        return Err(Error::NotFound);
    };
    let secret = SigningSecret::parse(secret).map_err(|reason| Error::ConfigInvalid {
        key: SLACK_SIGNING_SECRET,
        reason: reason.into(),
    })?;
    let body = read_request_body(head, host)?;
    let now = host.now();
    let signed = secret.verifies(
        head.header("x-slack-request-timestamp"),
        head.header("x-slack-signature"),
        &body,
        now,
    );
    if !signed {
        return Err(Error::Unauthorized {
            basic_challenge: false,
        });
    }
    payload::parse(&body)
}

/// Acts on `press`, after its answer has left: what it asks, with the whole configuration.
/// Whatever happens is told to the presser or in the thread, and logged; nothing is answered.
pub fn act(host: &mut impl Host, press: &Press, log: &mut LogLine) {
    log.user = Some(press.user.as_str().to_owned());
    let config = Settings::read(|key| host.config(key)).and_then(|s| AlertConfig::parse(&s));
    let ready = config.as_ref().ok().and_then(|config| {
        let app = match &config.delivery {
            Delivery::Slack(routes) => routes.app.as_ref(),
            Delivery::DryRun => None,
        };
        Some((config, app?, config.interactivity.as_ref()?))
    });
    let Some((config, app, interactivity)) = ready else {
        // The settings broke after the buttons were drawn: say so rather than nothing.
        log.press = Some("failed");
        let slack = Endpoint::parse(SLACK_API).expect("Slack's own URL parses");
        tell_presser(host, press, UNSET, &slack, log);
        return;
    };
    let context = app::Context {
        app,
        config,
        now: host.now(),
        deadline: PRESS_DEADLINE,
    };
    let said = match &press.button {
        Pressed::Ack(story) => ack::ack(host, press, story, &context, log),
        Pressed::Pause(id, action) => {
            approve::decide(host, press, (id, *action), interactivity, &context, log)
        }
    };
    if let Some(note) = said {
        tell_presser(host, press, &note, &app.api, log);
    }
}

/// The note when the settings no longer hold what a press needs.
const UNSET: &str = "This alerts component's settings are invalid or no longer include the Slack \
                     app (its `/health` says what is wrong). Nothing was done.";

/// A note for the presser alone (ephemeral), through the press's `response_url` when that is
/// Slack's own (`https://hooks.slack.com/`, or for tests the loopback host of the Web API's
/// `api`).
fn tell_presser(
    host: &mut impl Host,
    press: &Press,
    note: &str,
    api: &Endpoint,
    log: &mut LogLine,
) {
    #[derive(Serialize)]
    struct Ephemeral<'a> {
        response_type: &'static str,
        replace_original: bool,
        text: &'a str,
    }
    let Some(url) = press
        .response_url
        .as_deref()
        .and_then(|url| Endpoint::parse(url).ok())
        .filter(|url| is_slacks(url, api))
    else {
        return;
    };
    let body = serde_json::to_vec(&Ephemeral {
        response_type: "ephemeral",
        replace_original: false,
        text: note,
    })
    .expect("strings always serialize");
    let Some(timeouts) = delivery::share_within(PRESS_DEADLINE, host.elapsed()) else {
        return;
    };
    let answer = host.post(&OutboundRequest::webhook(&url, &body), timeouts);
    log.slack_status = answer.ok().map(|response| response.status);
}

/// Whether `url` is where Slack takes responses: `https://hooks.slack.com/`, or the loopback
/// host of a test's Web API.
fn is_slacks(url: &Endpoint, api: &Endpoint) -> bool {
    let hooks = url.is_https() && url.authority() == "hooks.slack.com";
    let test = !api.is_https() && url.authority() == api.authority();
    hooks || test
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn notes_go_only_to_slacks_own_hosts() {
        let slack = Endpoint::parse("https://slack.com/api").unwrap();
        let stand_in = Endpoint::parse("http://127.0.0.1:8081/api").unwrap();
        let url = |text: &str| Endpoint::parse(text).unwrap();
        assert!(is_slacks(
            &url("https://hooks.slack.com/actions/T/1/x"),
            &slack
        ));
        assert!(!is_slacks(
            &url("https://hooks.slack.com.evil.example/x"),
            &slack
        ));
        assert!(!is_slacks(
            &url("https://evil.example/hooks.slack.com/"),
            &slack
        ));
        assert!(!is_slacks(&url("http://127.0.0.1:8081/actions"), &slack));
        assert!(is_slacks(&url("http://127.0.0.1:8081/actions"), &stand_in));
        assert!(!is_slacks(&url("http://127.0.0.1:9999/actions"), &stand_in));
    }
}
