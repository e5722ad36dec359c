//! The Slack webhook URL: parsed once into the scheme, authority and request target that are
//! sent, accepting only what the WHATWG URL standard reads the same way and what an HTTP
//! request line can carry.
//!
//! Parsed by hand rather than with the `url` crate: that crate (with its smallest, ASCII-only
//! IDNA back end) adds 66 KB to the component. `tests/webhook_differential.rs` checks this
//! parser against `url` on generated URLs: whatever is accepted here, `url` accepts with the
//! same host, port, path and query.

use std::fmt;
use std::net::Ipv4Addr;

/// A Slack incoming-webhook URL: `https`, or `http` to a loopback host (local testing).
///
/// Only unambiguous forms are accepted: a host that is an LDH domain name (not ending in a
/// number, no `xn--` labels), a dotted-quad IPv4 address or `[::1]`; a decimal port; a path
/// without `.` or `..` segments. `https://127.1/`, `https://0x7f.1/` and `:+443` are refused
/// instead of being read one way here and another by a resolver. Characters an HTTP request
/// line cannot carry are percent-encoded as the WHATWG standard does (`>` becomes `%3E`).
///
/// The URL is a secret: `Debug` does not show it.
#[derive(Clone, PartialEq, Eq)]
pub struct WebhookUrl {
    https: bool,
    authority: String,
    path_and_query: String,
}

impl fmt::Debug for WebhookUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("WebhookUrl(<redacted>)")
    }
}

const NOT_HTTPS: &str = "the URL must use https (http only for loopback hosts)";
const BAD_HOST: &str = "the URL has no valid host (a domain name, an IPv4 address or [::1])";

impl WebhookUrl {
    /// Parses `scheme://host[:port][/path][?query][#fragment]`; the error never quotes the URL.
    pub fn parse(text: &str) -> Result<Self, &'static str> {
        let text = text.trim();
        // WHATWG drops tabs and newlines anywhere and reads `\` as `/`: refuse both.
        if !text.bytes().all(|b| b.is_ascii_graphic() && b != b'\\') {
            return Err("the URL must be ASCII without spaces or backslashes");
        }
        let (scheme, rest) = text.split_once("://").ok_or("not a valid absolute URL")?;
        let https = if scheme.eq_ignore_ascii_case("https") {
            true
        } else if scheme.eq_ignore_ascii_case("http") {
            false
        } else {
            return Err(NOT_HTTPS);
        };
        let rest = rest.split('#').next().unwrap_or_default();
        let split = rest.find(['/', '?']).unwrap_or(rest.len());
        let (authority, target) = rest.split_at(split);
        if authority.contains('@') {
            return Err("the URL must not contain credentials");
        }
        let (host, port) = split_authority(authority).ok_or(BAD_HOST)?;
        let host = host.to_ascii_lowercase();
        let loopback = match Host::parse(&host).ok_or(BAD_HOST)? {
            Host::Domain => host == "localhost",
            Host::Ipv4(ip) => ip.is_loopback(),
            Host::Ipv6Loopback => true,
        };
        if !https && !loopback {
            return Err(NOT_HTTPS);
        }
        let mut authority = host;
        // The scheme's default port is left out, as WHATWG serializes it.
        if let Some(port) = port.filter(|&p| p != if https { 443 } else { 80 }) {
            authority.push(':');
            authority.push_str(&port.to_string());
        }
        let (path, query) = match target.split_once('?') {
            Some((path, query)) => (path, Some(query)),
            None => (target, None),
        };
        if path.split('/').any(is_dot_segment) {
            return Err("the URL's path must not contain `.` or `..` segments");
        }
        let mut path_and_query = String::with_capacity(target.len() + 1);
        if !path.starts_with('/') {
            path_and_query.push('/');
        }
        push_encoded(&mut path_and_query, path, Part::Path);
        if let Some(query) = query {
            path_and_query.push('?');
            push_encoded(&mut path_and_query, query, Part::Query);
        }
        Ok(Self {
            https,
            authority,
            path_and_query,
        })
    }

    /// Whether to use TLS.
    pub fn is_https(&self) -> bool {
        self.https
    }

    /// `host[:port]`, lower-case, without the scheme's default port.
    pub fn authority(&self) -> &str {
        &self.authority
    }

    /// The path and query as sent, such as `/services/T000/B000/XXXX`.
    pub fn path_and_query(&self) -> &str {
        &self.path_and_query
    }
}

/// The kinds of host accepted.
enum Host {
    Domain,
    Ipv4(Ipv4Addr),
    Ipv6Loopback,
}

impl Host {
    /// Reads a lower-cased host; `None` for anything WHATWG might read otherwise.
    fn parse(host: &str) -> Option<Self> {
        if host == "[::1]" {
            return Some(Self::Ipv6Loopback);
        }
        let labels: Vec<&str> = host.split('.').collect();
        let last = labels.last()?;
        // WHATWG reads a host whose last label is a number (`1`, `0x7f`) as IPv4, in
        // decimal, octal or hex parts: accept only the canonical dotted quad.
        let numeric =
            last.bytes().all(|b| b.is_ascii_digit()) || last.starts_with("0x") || last == &"";
        if numeric {
            let canonical = labels.len() == 4
                && labels.iter().all(|part| {
                    (1..=3).contains(&part.len())
                        && part.bytes().all(|b| b.is_ascii_digit())
                        && (part.len() == 1 || !part.starts_with('0'))
                });
            return canonical.then(|| host.parse().ok().map(Self::Ipv4))?;
        }
        let ldh = labels.iter().all(|label| {
            (1..=63).contains(&label.len())
                && label.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-')
                // Punycode labels would be decoded and checked by IDNA.
                && !label.starts_with("xn--")
        });
        ldh.then_some(Self::Domain)
    }
}

/// Splits `host[:port]` (the port decimal, without a sign).
fn split_authority(authority: &str) -> Option<(&str, Option<u16>)> {
    let (host, port) = match authority.rfind(':') {
        Some(colon) if !authority[colon..].contains(']') => {
            (&authority[..colon], Some(&authority[colon + 1..]))
        }
        _ => (authority, None),
    };
    let port = match port {
        None => None,
        Some(digits) if !digits.is_empty() && digits.bytes().all(|b| b.is_ascii_digit()) => {
            Some(digits.parse::<u16>().ok()?)
        }
        Some(_) => return None,
    };
    (!host.is_empty()).then_some((host, port))
}

/// `.` and `..`, also percent-encoded (`%2e`), which WHATWG resolves away.
fn is_dot_segment(segment: &str) -> bool {
    let lower = segment.to_ascii_lowercase();
    matches!(
        lower.as_str(),
        "." | ".." | "%2e" | ".%2e" | "%2e." | "%2e%2e"
    )
}

/// Which part of the request target a string is.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Part {
    Path,
    Query,
}

/// Appends `text`, percent-encoding every byte RFC 3986 does not allow in a path or query
/// (WHATWG encodes a subset of these; the rest, such as `|` and `{`, a request line may not
/// carry). `%` is kept as it is, as WHATWG keeps it; `'` is encoded in queries, as WHATWG
/// does for special schemes.
fn push_encoded(out: &mut String, text: &str, part: Part) {
    const HEX: &[u8; 16] = b"0123456789ABCDEF";
    for b in text.bytes() {
        let allowed = match (part, b) {
            (Part::Query, b'\'') => false,
            (Part::Query, b'?') => true,
            _ => b.is_ascii_alphanumeric() || b"-._~!$&'()*+,;=:@/%".contains(&b),
        };
        if allowed {
            out.push(char::from(b));
        } else {
            out.push('%');
            out.push(char::from(HEX[usize::from(b >> 4)]));
            out.push(char::from(HEX[usize::from(b & 15)]));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const WEBHOOK: &str = "https://hooks.slack.com/services/T000/B000/XXXX";

    fn parts(text: &str) -> (bool, String, String) {
        let url = WebhookUrl::parse(text).unwrap_or_else(|e| panic!("{text}: {e}"));
        (
            url.is_https(),
            url.authority().to_owned(),
            url.path_and_query().to_owned(),
        )
    }

    #[test]
    fn accepted_forms_and_what_is_sent() {
        let url = WebhookUrl::parse(WEBHOOK).unwrap();
        assert_eq!(format!("{url:?}"), "WebhookUrl(<redacted>)");
        let cases = [
            (WEBHOOK, true, "hooks.slack.com", "/services/T000/B000/XXXX"),
            (
                "http://127.0.0.1:8080/hook?x=1",
                false,
                "127.0.0.1:8080",
                "/hook?x=1",
            ),
            ("http://[::1]:9/h", false, "[::1]:9", "/h"),
            ("http://localhost/h", false, "localhost", "/h"),
            (
                "HTTPS://Hooks.Slack.com:8443?x#frag",
                true,
                "hooks.slack.com:8443",
                "/?x",
            ),
            (
                "https://hooks.slack.com:443/x",
                true,
                "hooks.slack.com",
                "/x",
            ),
            (
                "https://hooks.slack.com:0443/x",
                true,
                "hooks.slack.com",
                "/x",
            ),
            ("https://10.1.2.3/x", true, "10.1.2.3", "/x"),
            // Sendable, the WHATWG way: what a request line cannot carry is encoded.
            (
                "https://hooks.slack.com/services/T/B/X>",
                true,
                "hooks.slack.com",
                "/services/T/B/X%3E",
            ),
            (
                "https://hooks.slack.com/a`b{c}|d",
                true,
                "hooks.slack.com",
                "/a%60b%7Bc%7D%7Cd",
            ),
            (
                "https://hooks.slack.com/p?q='a'&b=`{}`?",
                true,
                "hooks.slack.com",
                "/p?q=%27a%27&b=%60%7B%7D%60?",
            ),
            (
                "https://hooks.slack.com/%41%zz",
                true,
                "hooks.slack.com",
                "/%41%zz",
            ),
        ];
        for (text, https, authority, target) in cases {
            assert_eq!(
                parts(text),
                (https, authority.to_owned(), target.to_owned()),
                "{text}"
            );
        }
    }

    #[test]
    fn ambiguous_and_unsafe_forms_are_refused() {
        for bad in [
            "",
            "hooks.slack.com/services/x",
            "http://hooks.slack.com/services/x",
            "ftp://hooks.slack.com/x",
            "https:/hooks.slack.com/x",
            "https://user:pw@hooks.slack.com/x",
            "https://hooks.slack.com@evil.com/x",
            "http://127.0.0.1.evil.com/x",
            "https:///services/x",
            "https://hooks.slack.com:99999/x",
            "https://hooks.slack.com:/x",
            "https://hooks.slack.com:+443/x",
            "https://hooks.slack.com:-1/x",
            "https://[::1/x",
            "https://[2001:db8::1]/x",
            "http://[::1]x/hook",
            "https://hooks slack.com/x",
            "https://hooks.slack.com/\u{e9}",
            "https://hooks_slack.com/x",
            "https://hooks.slack.com./x",
            "https://xn--nxasmq6b.com/x",
            "https://hooks.slack.com\\services/x",
            "https://hooks.slack.com/a\tb",
            // Hosts that WHATWG and resolvers read as 127.0.0.1.
            "https://127.1/",
            "https://2130706433/",
            "https://0x7f.1/",
            "https://0177.0.0.1/",
            "https://127.0.0.01/",
            "https://1.2.3.4.5/",
            "https://a.1/",
            "https://256.0.0.1/",
            // Dot segments, which WHATWG resolves away.
            "https://hooks.slack.com/services/../x",
            "https://hooks.slack.com/./x",
            "https://hooks.slack.com/a/%2E%2e/x",
        ] {
            assert!(WebhookUrl::parse(bad).is_err(), "{bad}");
        }
    }
}
