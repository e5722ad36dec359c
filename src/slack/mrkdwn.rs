//! Event values made safe for Slack: mrkdwn-escaped, shown as code, cut to a limit.
//!
//! Every value that came from the event passes through here: `&`, `<` and `>` are escaped so
//! that `<!channel>` or `<https://evil|docs>` shows as text, a backtick is replaced so it
//! cannot close its code span, and every text is cut with `…` to its Block Kit limit without
//! splitting an escape. Limits count characters (code points), as Slack does.

/// `*Label*` and the value as inline code on the next line, within `max` characters.
pub fn labelled_code(out: &mut String, label: &str, value: &str, max: usize) {
    let used = push_label(out, label);
    push_code(out, value, max.saturating_sub(used));
}

/// `*Label*` and the value as a code block on the next line, within `max` characters.
pub fn labelled_code_block(out: &mut String, label: &str, value: &str, max: usize) {
    let used = push_label(out, label) + 6;
    out.push_str("```");
    push_escaped_as(out, value, max.saturating_sub(used), Escape::Code);
    out.push_str("```");
}

/// Appends `*Label*` and a line break; returns the characters written.
fn push_label(out: &mut String, label: &str) -> usize {
    out.push('*');
    out.push_str(label);
    out.push_str("*\n");
    label.chars().count() + 3
}

/// Appends `text` as inline code, within `max` characters including the backticks.
pub fn push_code(out: &mut String, text: &str, max: usize) {
    out.push('`');
    push_escaped_as(out, text, max.saturating_sub(2), Escape::Inline);
    out.push('`');
}

/// How a value is escaped.
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum Escape {
    /// `&`, `<`, `>` only.
    Mrkdwn,
    /// Also a backtick, which would end the code span, becomes `ˋ` (U+02CB).
    Code,
    /// As `Code`, and line breaks become spaces (inline code is one line).
    Inline,
}

/// Appends `text` with Slack's control characters escaped, cut with `…` to at most `max`
/// characters without splitting an escape.
pub fn push_escaped(out: &mut String, text: &str, max: usize) {
    push_escaped_as(out, text, max, Escape::Mrkdwn);
}

/// Per byte, the escapes for which it is special: a table, as every value passes through it.
const MRKDWN: u8 = 1;
const CODE: u8 = 2;
const INLINE: u8 = 4;
static SPECIAL: [u8; 256] = {
    let mut table = [0; 256];
    table[b'&' as usize] = MRKDWN | CODE | INLINE;
    table[b'<' as usize] = MRKDWN | CODE | INLINE;
    table[b'>' as usize] = MRKDWN | CODE | INLINE;
    table[b'`' as usize] = CODE | INLINE;
    table[b'\n' as usize] = INLINE;
    table[b'\r' as usize] = INLINE;
    table
};

/// Appends `text` escaped as `escape` says, cut with `…` to at most `max` characters without
/// splitting an escape.
pub fn push_escaped_as(out: &mut String, text: &str, max: usize, escape: Escape) {
    let mode = match escape {
        Escape::Mrkdwn => MRKDWN,
        Escape::Code => CODE,
        Escape::Inline => INLINE,
    };
    let special = |b: u8| SPECIAL[usize::from(b)] & mode != 0;
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
            '`' if escape != Escape::Mrkdwn => "ˋ",
            '\n' | '\r' if escape == Escape::Inline => " ",
            _ => "",
        };
        let width = match piece {
            "" | "ˋ" | " " => 1,
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

/// A time as Slack shows it in the reader's own zone, with UTC where it cannot.
pub fn push_date(out: &mut String, at: u64) {
    let utc = crate::time::utc_minutes(at);
    out.push_str("<!date^");
    out.push_str(&at.to_string());
    out.push_str("^{date_short_pretty} at {time}|");
    push_escaped(out, &utc, 40);
    out.push('>');
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
}
