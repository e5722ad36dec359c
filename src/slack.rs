//! An [`Alert`] as a Slack Block Kit message with a plain-text fallback.
//!
//! Every value that came from the event is shown as code (inline, or a block for reasons),
//! mrkdwn-escaped, with backticks replaced so it cannot close its code span, in text objects
//! marked `verbatim`: a reason such as `<!channel>`, `@here`, `*bold*`, a bare URL or
//! `<https://evil|docs>` shows as text instead of pinging, linking or reformatting the
//! message. Every Block Kit limit is kept by truncating with `…`.

use serde::Serialize;

use crate::alert::Alert;

/// Block Kit limits, in characters.
pub mod limits {
    /// Header block text.
    pub const HEADER: usize = 150;
    /// Section block text.
    pub const SECTION_TEXT: usize = 3000;
    /// One section field.
    pub const FIELD: usize = 2000;
    /// A button's URL.
    pub const BUTTON_URL: usize = 3000;
    /// Our own bound on the fallback text (Slack truncates at 40,000).
    pub const FALLBACK: usize = 1000;
}

/// How much of the reason the fallback text (notifications) carries.
const FALLBACK_REASON: usize = 300;

/// An incoming-webhook message.
#[derive(Debug, Serialize)]
pub struct Message {
    text: String,
    blocks: Vec<Block>,
    /// No link previews: a URL in event text must not pull one in.
    unfurl_links: bool,
    unfurl_media: bool,
}

#[derive(Debug, Serialize)]
#[serde(tag = "type", rename_all = "snake_case")]
enum Block {
    Header {
        text: Text,
    },
    Section {
        #[serde(skip_serializing_if = "Option::is_none")]
        text: Option<Text>,
        #[serde(skip_serializing_if = "Vec::is_empty")]
        fields: Vec<Text>,
    },
    Actions {
        elements: Vec<Button>,
    },
    Context {
        elements: Vec<Text>,
    },
}

#[derive(Debug, Serialize)]
#[serde(tag = "type", rename_all = "snake_case")]
enum Text {
    PlainText {
        text: String,
        emoji: bool,
    },
    /// Always `verbatim`: Slack neither links URLs nor resolves names in it.
    Mrkdwn {
        text: String,
        verbatim: bool,
    },
}

#[derive(Debug, Serialize)]
struct Button {
    #[serde(rename = "type")]
    kind: &'static str,
    text: Text,
    url: String,
    action_id: &'static str,
}

/// Renders the alert as the JSON body of a webhook POST.
pub fn render(alert: &Alert) -> Vec<u8> {
    let mut json = Vec::with_capacity(2048);
    serde_json::to_writer(&mut json, &message(alert))
        .expect("a message of strings always serializes");
    json
}

/// Builds the message for an alert.
pub fn message(alert: &Alert) -> Message {
    let cluster = alert.cluster.as_deref().unwrap_or("unknown");
    let deployment = alert.deployment_id.as_deref().unwrap_or("unknown");
    let fields = [
        ("Environment", alert.environment),
        ("Cluster", cluster),
        ("Service", &alert.service),
        ("Region", alert.region.as_str()),
        ("Account", alert.account.as_str()),
        ("Deployment", deployment),
    ]
    .into_iter()
    .map(|(label, value)| mrkdwn(labelled_code(label, value, limits::FIELD)))
    .collect();

    let reason = match alert.reason.as_deref() {
        Some(reason) => labelled_code_block("Reason", reason, limits::SECTION_TEXT),
        None => "*Reason*\n_ECS gave no reason._".to_owned(),
    };
    let mut blocks = vec![
        Block::Header {
            text: Text::PlainText {
                text: prefixed(&["🚨 Deployment failed: "], &alert.service, limits::HEADER),
                emoji: true,
            },
        },
        Block::Section { text: None, fields },
        Block::Section {
            text: Some(mrkdwn(reason)),
            fields: Vec::new(),
        },
    ];
    // A cut URL is a broken link: drop the button instead.
    if let Some(url) = alert
        .console_url
        .as_ref()
        .filter(|url| url.chars().count() <= limits::BUTTON_URL)
    {
        blocks.push(Block::Actions {
            elements: vec![Button {
                kind: "button",
                text: Text::PlainText {
                    text: "Open in AWS console".to_owned(),
                    emoji: false,
                },
                url: url.clone(),
                action_id: "open_console",
            }],
        });
    }
    let mut context = String::from("Event ");
    push_code(&mut context, &alert.event_id, 1000);
    context.push_str(" · ");
    push_code(&mut context, &alert.time, 100);
    blocks.push(Block::Context {
        elements: vec![mrkdwn(context)],
    });

    // At most 38 fixed + 64 + 255 + 255 + 32 + 300 characters: within limits::FALLBACK.
    let mut text = String::from("🚨 ECS deployment failed in ");
    push_escaped(&mut text, alert.environment, 64);
    text.push_str(": ");
    push_escaped(&mut text, cluster, 255);
    text.push_str(" / ");
    push_escaped(&mut text, &alert.service, 255);
    text.push_str(" (");
    text.push_str(alert.region.as_str());
    text.push_str("): ");
    let reason = alert.reason.as_deref().unwrap_or("no reason given");
    // Clients without blocks show this as mrkdwn: a backtick must not open a code span.
    push_escaped_as(&mut text, reason, FALLBACK_REASON, Escape::Code);
    Message {
        text,
        blocks,
        unfurl_links: false,
        unfurl_media: false,
    }
}

fn mrkdwn(text: String) -> Text {
    Text::Mrkdwn {
        text,
        verbatim: true,
    }
}

/// `*Label*` and the value as inline code on the next line, within `max` characters.
fn labelled_code(label: &str, value: &str, max: usize) -> String {
    let mut out = format_label(label);
    let used = out.chars().count();
    push_code(&mut out, value, max.saturating_sub(used));
    out
}

/// `*Label*` and the value as a code block on the next line, within `max` characters.
fn labelled_code_block(label: &str, value: &str, max: usize) -> String {
    let mut out = format_label(label);
    out.push_str("```");
    let used = out.chars().count() + 3;
    push_escaped_as(&mut out, value, max.saturating_sub(used), Escape::Code);
    out.push_str("```");
    out
}

fn format_label(label: &str) -> String {
    let mut out = String::with_capacity(label.len() + 64);
    out.push('*');
    out.push_str(label);
    out.push_str("*\n");
    out
}

/// Fixed text and the escaped value, within `max` characters.
fn prefixed(prefix: &[&str], value: &str, max: usize) -> String {
    let mut out =
        String::with_capacity(prefix.iter().map(|p| p.len()).sum::<usize>() + value.len());
    for part in prefix {
        out.push_str(part);
    }
    let used: usize = prefix.iter().map(|p| p.chars().count()).sum();
    push_escaped(&mut out, value, max.saturating_sub(used));
    out
}

/// Appends `text` as inline code, within `max` characters including the backticks.
fn push_code(out: &mut String, text: &str, max: usize) {
    out.push('`');
    push_escaped_as(out, text, max.saturating_sub(2), Escape::Code);
    out.push('`');
}

/// How a value is escaped.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Escape {
    /// `&`, `<`, `>` only.
    Mrkdwn,
    /// Also a backtick, which would end the code span, becomes `ˋ` (U+02CB).
    Code,
}

/// Appends `text` with Slack's control characters escaped, cut with `…` to at most `max`
/// characters without splitting an escape.
fn push_escaped(out: &mut String, text: &str, max: usize) {
    push_escaped_as(out, text, max, Escape::Mrkdwn);
}

fn push_escaped_as(out: &mut String, text: &str, max: usize, escape: Escape) {
    let special = |b: u8| matches!(b, b'&' | b'<' | b'>') || (escape == Escape::Code && b == b'`');
    // Most values (names, ids) need neither: copy them whole.
    if text.len() <= max && !text.bytes().any(special) {
        out.push_str(text);
        return;
    }
    let mut used = 0;
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        let piece = match c {
            '&' => "&amp;",
            '<' => "&lt;",
            '>' => "&gt;",
            '`' if escape == Escape::Code => "ˋ",
            _ => "",
        };
        let width = match piece {
            "" | "ˋ" => 1,
            _ => piece.len(),
        };
        // Keep room for the ellipsis unless this is the last character.
        let reserve = usize::from(chars.peek().is_some());
        if used + width + reserve > max {
            if max > used {
                out.push('…');
            }
            break;
        }
        if piece.is_empty() {
            out.push(c);
        } else {
            out.push_str(piece);
        }
        used += width;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn escape_within(text: &str, max: usize) -> String {
        let mut out = String::with_capacity(text.len().min(max * 4));
        push_escaped(&mut out, text, max);
        out
    }

    #[test]
    fn escapes_slack_control_characters() {
        assert_eq!(
            escape_within("<!channel> & <https://x|y>", 100),
            "&lt;!channel&gt; &amp; &lt;https://x|y&gt;"
        );
    }

    #[test]
    fn truncation_keeps_the_limit_and_whole_escapes() {
        assert_eq!(escape_within("abcdef", 6), "abcdef");
        assert_eq!(escape_within("abcdefg", 6), "abcde…");
        assert_eq!(escape_within("ab<cd", 5), "ab…");
        assert_eq!(escape_within("", 0), "");
        assert_eq!(escape_within("ab", 0), "");
        for max in 0..40 {
            for text in ["a<b>c&d".repeat(5), "ééé<<<".repeat(3)] {
                let out = escape_within(&text, max);
                assert!(out.chars().count() <= max, "{max} {out}");
                let body = out.trim_end_matches('…');
                assert!(!body.contains('<') && !body.contains('>'));
                // Every `&` starts a whole escape.
                for (i, _) in body.match_indices('&') {
                    let rest = &body[i..];
                    assert!(
                        rest.starts_with("&amp;")
                            || rest.starts_with("&lt;")
                            || rest.starts_with("&gt;"),
                        "{out}"
                    );
                }
            }
        }
    }

    #[test]
    fn the_fallback_text_stays_within_its_limit_for_the_longest_values() {
        use crate::aws::{AccountId, Region};
        use std::borrow::Cow;
        let longest = "<".repeat(255);
        let alert = Alert {
            event_id: Cow::Owned("<".repeat(5000)),
            time: Cow::Owned("&".repeat(5000)),
            account: AccountId::parse("111122223333").unwrap(),
            region: Region::parse(&format!("a{}", "b".repeat(31))).unwrap(),
            cluster: Some(longest.clone()),
            service: longest,
            deployment_id: Some(Cow::Owned(">".repeat(5000))),
            reason: Some(Cow::Owned("&".repeat(10_000))),
            environment: &"e".repeat(64),
            console_url: Some("https://x/".repeat(400)),
        };
        let message = serde_json::to_value(message(&alert)).unwrap();
        assert!(message["text"].as_str().unwrap().chars().count() <= limits::FALLBACK);
        // A console URL too long for a button is left out rather than cut.
        let blocks = message["blocks"].as_array().unwrap();
        assert!(blocks.iter().all(|b| b["type"] != "actions"));
    }
}
