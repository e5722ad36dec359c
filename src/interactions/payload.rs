//! What Slack sends when a button is pressed: an `application/x-www-form-urlencoded` body whose
//! `payload` field holds JSON (`block_actions`), read into a [`Press`] of one of our buttons.
//! Only the user, the button and where its message is are read; the message's text is never.

use serde::Deserialize;

use crate::bot::{ChannelId, UserId};
use crate::ecs_api::HookAction;
use crate::error::Error;
use crate::press::{ACK, HOOK_CONTINUE, HOOK_ROLLBACK, Press, Pressed};

/// The longest button value we read: ours are short ids (a thread key, 32 hex digits).
const MAX_VALUE: usize = 256;

/// The press in `body`, or `None` for what is not a press of ours (another interaction type,
/// a link button, a button we do not know): those are answered 200 and left alone. A body
/// that is not Slack's shape is a 400.
pub fn parse(body: &[u8]) -> Result<Option<Press>, Error> {
    let payload = url::form_urlencoded::parse(body)
        .find(|(name, _)| name == "payload")
        .map(|(_, value)| value)
        .ok_or(Error::MissingField("payload".into()))?;
    let interaction: Interaction =
        serde_json::from_str(&payload).map_err(|error| Error::InvalidField {
            path: "payload".into(),
            reason: error.to_string(),
        })?;
    let Interaction::BlockActions(actions) = interaction else {
        return Ok(None);
    };
    let Some(button) = actions.actions.iter().find_map(|action| {
        let value = action.value.as_deref().unwrap_or_default();
        if value.len() > MAX_VALUE {
            return None;
        }
        match action.action_id.as_str() {
            ACK => Some(Pressed::Ack(value.to_owned())),
            HOOK_CONTINUE => Some(Pressed::Pause(value.to_owned(), HookAction::Continue)),
            HOOK_ROLLBACK => Some(Pressed::Pause(value.to_owned(), HookAction::Rollback)),
            _ => None,
        }
    }) else {
        return Ok(None);
    };
    let user = UserId::parse(&actions.user.id).map_err(|reason| Error::InvalidField {
        path: "payload.user.id".into(),
        reason: reason.into(),
    })?;
    let channel = actions
        .channel
        .map(|channel| channel.id)
        .or_else(|| actions.container.as_ref()?.channel_id.clone())
        .and_then(|id| ChannelId::parse(&id).ok());
    let ts = actions
        .container
        .and_then(|container| container.message_ts)
        .filter(|ts| is_ts(ts));
    Ok(Some(Press {
        user,
        button,
        message: channel.zip(ts),
        response_url: actions.response_url,
    }))
}

/// Whether `ts` is a Slack message timestamp (`1503435956.000247`).
fn is_ts(ts: &str) -> bool {
    (3..=32).contains(&ts.len()) && ts.bytes().all(|b| b.is_ascii_digit() || b == b'.')
}

/// The interaction types; only `block_actions` is read.
#[derive(Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
enum Interaction {
    BlockActions(BlockActions),
    #[serde(other)]
    Other,
}

#[derive(Deserialize)]
struct BlockActions {
    user: User,
    #[serde(default)]
    channel: Option<Channel>,
    #[serde(default)]
    container: Option<Container>,
    #[serde(default)]
    response_url: Option<String>,
    #[serde(default)]
    actions: Vec<Action>,
}

#[derive(Deserialize)]
struct User {
    id: String,
}

#[derive(Deserialize)]
struct Channel {
    id: String,
}

#[derive(Deserialize)]
struct Container {
    #[serde(default)]
    message_ts: Option<String>,
    #[serde(default)]
    channel_id: Option<String>,
}

#[derive(Deserialize)]
struct Action {
    action_id: String,
    #[serde(default)]
    value: Option<String>,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn form(payload: &str) -> Vec<u8> {
        url::form_urlencoded::Serializer::new(String::new())
            .append_pair("payload", payload)
            .finish()
            .into_bytes()
    }

    // The shape of Slack's block_actions reference, trimmed.
    const PRESS: &str = r#"{"type":"block_actions","user":{"id":"U0123ABC","username":"ana"},
        "api_app_id":"A1","container":{"type":"message","message_ts":"1795737600.000100",
        "channel_id":"C0ALERTS","is_ephemeral":false},"channel":{"id":"C0ALERTS","name":"alerts"},
        "message":{"text":"<!channel> trust me","ts":"1795737600.000100"},
        "response_url":"https://hooks.slack.com/actions/T1/1/abc",
        "actions":[{"action_id":"hook_rollback","block_id":"b","value":"0123abcd","type":"button",
        "action_ts":"1795737601.1"}]}"#;

    #[test]
    fn a_press_reads_who_which_button_and_where() {
        let press = parse(&form(PRESS)).unwrap().unwrap();
        assert_eq!(press.user.as_str(), "U0123ABC");
        assert_eq!(
            press.button,
            Pressed::Pause("0123abcd".into(), HookAction::Rollback)
        );
        let (channel, ts) = press.message.unwrap();
        assert_eq!(
            (channel.as_str(), ts.as_str()),
            ("C0ALERTS", "1795737600.000100")
        );
        assert_eq!(
            press.response_url.as_deref(),
            Some("https://hooks.slack.com/actions/T1/1/abc")
        );
        let ack = PRESS
            .replace("hook_rollback", "ack")
            .replace("0123abcd", "ecs-svc/1");
        let press = parse(&form(&ack)).unwrap().unwrap();
        assert_eq!(press.button, Pressed::Ack("ecs-svc/1".into()));
    }

    #[test]
    fn what_is_not_a_press_of_ours_is_left_alone() {
        for other in [
            PRESS.replace("hook_rollback", "open_console"),
            PRESS.replace("block_actions", "view_submission"),
            PRESS.replace("0123abcd", &"x".repeat(MAX_VALUE + 1)),
            r#"{"type":"shortcut"}"#.to_owned(),
        ] {
            assert_eq!(parse(&form(&other)).unwrap(), None, "{other}");
        }
    }

    #[test]
    fn what_is_not_slacks_shape_is_a_400() {
        for body in [
            b"payload".to_vec(),
            b"text=hi".to_vec(),
            form("{"),
            form(r#"{"type":"block_actions"}"#),
            form(&PRESS.replace("U0123ABC", "<!channel>")),
            vec![0xff, 0xfe],
        ] {
            let error = parse(&body).unwrap_err();
            assert_eq!(error.status(), 400, "{error}");
        }
        // A strange channel or ts: the press stands, without where its message is.
        let odd = PRESS.replace("1795737600.000100", "<x>");
        assert_eq!(parse(&form(&odd)).unwrap().unwrap().message, None);
    }
}
