//! Slack app mode's own settings: the bot token that signs Web API calls, and the channel IDs
//! messages go to. Both are parsed once; the token is a secret that no error, `Debug` or log
//! ever shows.

use std::fmt;

/// A Slack bot token (`xoxb-…`): sent only as `Authorization: Bearer`. A rotating token
/// (`xoxe.xoxb-…`) expires 12 hours after it is issued, and refreshing it takes the app's
/// client secret and a store of the refresh token this component does not keep: it is refused.
#[derive(Clone, PartialEq, Eq)]
pub struct BotToken(String);

impl fmt::Debug for BotToken {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("BotToken(<redacted>)")
    }
}

impl BotToken {
    /// Parses a bot token; the error never quotes it.
    pub fn parse(text: &str) -> Result<Self, &'static str> {
        let text = text.trim();
        if text.starts_with("xoxe.") {
            return Err(
                "a rotating token (xoxe.…) expires 12 hours after it is issued and this \
                        component cannot refresh it: use the xoxb- bot token of an app without \
                        token rotation (the manifest deploy/slack-app.yaml creates one)",
            );
        }
        if !text.starts_with("xoxb-") {
            return Err("expected a bot token (xoxb-…); user and app tokens are not used");
        }
        // It goes into a header: visible ASCII only, and a sane length.
        if text.len() > 512 || !text.bytes().all(|b| b.is_ascii_graphic()) {
            return Err("the token holds characters a bot token never has");
        }
        Ok(Self(text.to_owned()))
    }

    /// The `Authorization` header's value.
    pub fn bearer(&self) -> String {
        format!("Bearer {}", self.0)
    }
}

/// A Slack conversation ID: `C…` (a channel) or `G…` (a private channel or group), upper-case
/// letters and digits.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChannelId(String);

impl ChannelId {
    /// Parses a channel ID, such as `C0123ABCD`; the error does not quote the value (it may
    /// come from `slack_routes`, a secret).
    pub fn parse(text: &str) -> Result<Self, &'static str> {
        let text = text.trim();
        if is_slack_id(text, b"CG", 3..=21) {
            Ok(Self(text.to_owned()))
        } else {
            Err("not a channel ID (C… or G…: the channel's details in Slack show it)")
        }
    }

    /// Whether `text` reads as a channel ID rather than a URL: how a route's value is told.
    pub fn looks_like(text: &str) -> bool {
        !text.trim().contains(':')
    }

    /// The ID.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// Whether `text` has the shape of a Slack ID: `lengths` long, its first letter one of
/// `first`, the rest capital letters and digits.
pub fn is_slack_id(text: &str, first: &[u8], lengths: std::ops::RangeInclusive<usize>) -> bool {
    lengths.contains(&text.len())
        && text.bytes().next().is_some_and(|b| first.contains(&b))
        && text
            .bytes()
            .all(|b| b.is_ascii_uppercase() || b.is_ascii_digit())
}

/// A Slack user ID: `U…` or `W…` (an Enterprise Grid user), upper-case letters and digits.
/// It is drawn into messages as a mention (`<@U…>`), so nothing else may pass.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, serde::Serialize, serde::Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct UserId(String);

impl UserId {
    /// Parses a user ID, such as `U0123ABCD`.
    pub fn parse(text: &str) -> Result<Self, &'static str> {
        if is_slack_id(text, b"UW", 2..=32) {
            Ok(Self(text.to_owned()))
        } else {
            Err("expected a Slack user ID (U… or W…, capital letters and digits)")
        }
    }

    /// The ID.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The mention that shows the user's name: `<@U…>`.
    pub fn mention(&self) -> String {
        format!("<@{}>", self.0)
    }
}

impl TryFrom<String> for UserId {
    type Error = &'static str;
    fn try_from(text: String) -> Result<Self, Self::Error> {
        Self::parse(&text)
    }
}

impl From<UserId> for String {
    fn from(user: UserId) -> Self {
        user.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bot_tokens_are_checked_and_never_shown() {
        let token = BotToken::parse(" xoxb-1-2-SECRET\n").unwrap();
        assert_eq!(token.bearer(), "Bearer xoxb-1-2-SECRET");
        assert_eq!(format!("{token:?}"), "BotToken(<redacted>)");
        // A rotating token would stop working within 12 hours: refused, saying why.
        let rotating = BotToken::parse("xoxe.xoxb-1-SECRET").unwrap_err();
        assert!(
            rotating.contains("12 hours") && rotating.contains("xoxb-"),
            "{rotating}"
        );
        for bad in [
            "xoxe.xoxb-1-SECRET",
            "xoxp-1-SECRET",
            "SECRET",
            "xoxb-1 SECRET",
            "xoxb-\u{e9}SECRET",
        ] {
            let error = BotToken::parse(bad).unwrap_err();
            assert!(!error.contains("SECRET"), "{error}");
        }
    }

    #[test]
    fn channel_ids_are_c_or_g_and_upper_case() {
        for good in ["C0123ABCD", "G01", " C0PROD1 "] {
            assert!(ChannelId::parse(good).is_ok(), "{good}");
        }
        for bad in [
            "#alerts",
            "c0123",
            "D0123ABCD",
            "C",
            "C0123-AB",
            "U0123ABCD",
        ] {
            assert!(ChannelId::parse(bad).is_err(), "{bad}");
        }
        assert!(ChannelId::looks_like("C0123"));
        assert!(!ChannelId::looks_like(
            "https://hooks.slack.com/services/T/B/X"
        ));
    }
}
