//! Where Slack is called: an incoming webhook's URL, or the Web API's base URL
//! (`slack_api_url`). Parsed by the `url` crate (the WHATWG URL standard) and sent as it
//! serializes it, with our policy on top: `https`, or `http` to a loopback host (local
//! testing), and no credentials.

use std::fmt;

use url::{Host, ParseError, Position, Url};

/// A Slack URL (a webhook, or the Web API's base): `https`, or `http` to a loopback host
/// (local testing).
///
/// Read as WHATWG reads it, so as resolvers and HTTP stacks do: the scheme and host are
/// lower-cased, the scheme's default port dropped, a shorthand IPv4 address such as `127.1`
/// becomes `127.0.0.1`, dot segments are resolved, characters a request line cannot carry are
/// percent-encoded (`>` becomes `%3E`) and the fragment, which is never sent, is dropped.
///
/// The URL is a secret: `Debug` does not show it.
#[derive(Clone, PartialEq, Eq)]
pub struct Endpoint(Url);

impl fmt::Debug for Endpoint {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Endpoint(<redacted>)")
    }
}

impl Endpoint {
    /// Parses an absolute `https` (or loopback `http`) URL; the error never quotes the URL.
    pub fn parse(text: &str) -> Result<Self, &'static str> {
        let mut url = Url::parse(text.trim()).map_err(reason)?;
        let loopback = match url.host() {
            None => return Err("the URL has no host"),
            Some(Host::Domain(domain)) => domain == "localhost",
            Some(Host::Ipv4(ip)) => ip.is_loopback(),
            Some(Host::Ipv6(ip)) => ip.is_loopback(),
        };
        match url.scheme() {
            "https" => {}
            "http" if loopback => {}
            _ => return Err("the URL must use https (http only for loopback hosts)"),
        }
        if !url.username().is_empty() || url.password().is_some() {
            return Err("the URL must not contain credentials");
        }
        url.set_fragment(None);
        Ok(Self(url))
    }

    /// The Web API method `name` under this base URL: `https://slack.com/api` and
    /// `chat.update` make `https://slack.com/api/chat.update`.
    pub fn method(&self, name: &str) -> Self {
        let mut url = self.0.clone();
        url.set_query(None);
        if let Ok(mut segments) = url.path_segments_mut() {
            segments.pop_if_empty().push(name);
        }
        Self(url)
    }

    /// Whether to use TLS.
    pub fn is_https(&self) -> bool {
        self.0.scheme() == "https"
    }

    /// `host[:port]` as sent: lower-case, without the scheme's default port.
    pub fn authority(&self) -> &str {
        &self.0[Position::BeforeHost..Position::AfterPort]
    }

    /// The path and query as sent, such as `/services/T000/B000/XXXX`.
    pub fn path_and_query(&self) -> &str {
        &self.0[Position::BeforePath..Position::AfterQuery]
    }
}

/// Why `url` refused the text, without quoting it.
fn reason(error: ParseError) -> &'static str {
    match error {
        ParseError::RelativeUrlWithoutBase => "not an absolute URL",
        ParseError::EmptyHost => "the URL has no host",
        ParseError::InvalidPort => "the URL's port is not valid",
        ParseError::IdnaError
        | ParseError::InvalidDomainCharacter
        | ParseError::InvalidIpv4Address
        | ParseError::InvalidIpv6Address => "the URL's host is not valid",
        _ => "not a valid URL",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const WEBHOOK: &str = "https://hooks.slack.com/services/T000/B000/XXXX";

    fn parts(text: &str) -> (bool, String, String) {
        let url = Endpoint::parse(text).unwrap_or_else(|e| panic!("{text}: {e}"));
        (
            url.is_https(),
            url.authority().to_owned(),
            url.path_and_query().to_owned(),
        )
    }

    fn assert_sent(cases: &[(&str, bool, &str, &str)]) {
        for &(text, https, authority, target) in cases {
            assert_eq!(
                parts(text),
                (https, authority.to_owned(), target.to_owned()),
                "{text}"
            );
        }
    }

    #[test]
    fn the_policy_accepts() {
        let url = Endpoint::parse(WEBHOOK).unwrap();
        assert_eq!(format!("{url:?}"), "Endpoint(<redacted>)");
        assert_sent(&[
            (WEBHOOK, true, "hooks.slack.com", "/services/T000/B000/XXXX"),
            (
                "  https://hooks.slack.com:8443/x?y=1  ",
                true,
                "hooks.slack.com:8443",
                "/x?y=1",
            ),
            ("https://10.1.2.3/x", true, "10.1.2.3", "/x"),
            ("https://[2001:db8::1]/x", true, "[2001:db8::1]", "/x"),
            // http only to loopback hosts: localhost, 127.0.0.0/8 and [::1].
            (
                "http://127.0.0.1:8080/hook?x=1",
                false,
                "127.0.0.1:8080",
                "/hook?x=1",
            ),
            ("http://127.9.8.7/h", false, "127.9.8.7", "/h"),
            ("http://[::1]:9/h", false, "[::1]:9", "/h"),
            ("http://localhost/h", false, "localhost", "/h"),
            ("http://LocalHost:3000", false, "localhost:3000", "/"),
        ]);
    }

    #[test]
    fn web_api_methods_join_the_base_url() {
        for base in ["https://slack.com/api", "https://slack.com/api/"] {
            let url = Endpoint::parse(base).unwrap().method("chat.postMessage");
            assert_eq!(url.path_and_query(), "/api/chat.postMessage", "{base}");
            assert_eq!(url.authority(), "slack.com");
        }
        let local = Endpoint::parse("http://127.0.0.1:9/")
            .unwrap()
            .method("chat.update");
        assert_eq!(local.path_and_query(), "/chat.update");
        assert!(!local.is_https());
    }

    #[test]
    fn the_policy_refuses() {
        for bad in [
            // Not https, and not http to a loopback host.
            "http://hooks.slack.com/services/x",
            "http://10.1.2.3/x",
            "http://127.0.0.1.evil.com/x",
            "http://localhost.evil.com/x",
            "http://[::2]/x",
            "ftp://hooks.slack.com/x",
            "ws://localhost/x",
            "mailto:someone@hooks.slack.com",
            "file:///etc/passwd",
            // Credentials.
            "https://user:pw@hooks.slack.com/x",
            "https://user@hooks.slack.com/x",
            "https://:pw@hooks.slack.com/x",
            "https://hooks.slack.com@evil.com/x",
        ] {
            assert!(Endpoint::parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn what_url_refuses_is_refused_without_quoting_it() {
        for (bad, reason) in [
            ("", "not an absolute URL"),
            ("hooks.slack.com/services/SECRET", "not an absolute URL"),
            ("https:///", "the URL has no host"),
            (
                "https://hooks.slack.com:99999/SECRET",
                "the URL's port is not valid",
            ),
            (
                "https://hooks.slack.com:+443/SECRET",
                "the URL's port is not valid",
            ),
            (
                "https://hooks slack.com/SECRET",
                "the URL's host is not valid",
            ),
            ("https://[::1/SECRET", "the URL's host is not valid"),
            ("https://256.0.0.1/SECRET", "the URL's host is not valid"),
            ("https://1.2.3.4.5/SECRET", "the URL's host is not valid"),
            ("https://a.1/SECRET", "the URL's host is not valid"),
        ] {
            assert_eq!(Endpoint::parse(bad), Err(reason), "{bad}");
        }
    }

    #[test]
    fn what_is_accepted_is_sent_as_url_serializes_it() {
        assert_sent(&[
            // Scheme and host lower-cased, the default port dropped, the fragment too.
            (
                "https://HOOKS.slack.com:443/a b",
                true,
                "hooks.slack.com",
                "/a%20b",
            ),
            (
                "HTTPS://Hooks.Slack.com:8443?x#frag",
                true,
                "hooks.slack.com:8443",
                "/?x",
            ),
            (
                "https://hooks.slack.com:0443/x",
                true,
                "hooks.slack.com",
                "/x",
            ),
            ("https://hooks.slack.com:/x", true, "hooks.slack.com", "/x"),
            ("http://localhost:80/h", false, "localhost", "/h"),
            // Shorthand IPv4 read as resolvers read it: all of these are 127.0.0.1.
            ("http://127.1/h", false, "127.0.0.1", "/h"),
            ("http://2130706433/h", false, "127.0.0.1", "/h"),
            ("http://0x7f.1:8080/h", false, "127.0.0.1:8080", "/h"),
            ("http://0177.0.0.1/h", false, "127.0.0.1", "/h"),
            ("http://[0:0::1]/h", false, "[::1]", "/h"),
            // Dot segments resolved, `\` read as `/`, tabs and newlines dropped.
            (
                "https://hooks.slack.com/a/../b/./c",
                true,
                "hooks.slack.com",
                "/b/c",
            ),
            (
                "https://hooks.slack.com/a/%2E%2e/b",
                true,
                "hooks.slack.com",
                "/b",
            ),
            (
                "https://hooks.slack.com\\a\\b",
                true,
                "hooks.slack.com",
                "/a/b",
            ),
            (
                "https://hooks.slack.com/a\tb\n",
                true,
                "hooks.slack.com",
                "/ab",
            ),
            ("https:hooks.slack.com/x", true, "hooks.slack.com", "/x"),
            // What a request line cannot carry is percent-encoded, the rest kept.
            (
                "https://hooks.slack.com/services/T/B/X>",
                true,
                "hooks.slack.com",
                "/services/T/B/X%3E",
            ),
            (
                "https://hooks.slack.com/a`b{c}",
                true,
                "hooks.slack.com",
                "/a%60b%7Bc%7D",
            ),
            (
                "https://hooks.slack.com/p?q='a'&b=\"<>\"",
                true,
                "hooks.slack.com",
                "/p?q=%27a%27&b=%22%3C%3E%22",
            ),
            (
                "https://hooks.slack.com/%41%zz/\u{e9}",
                true,
                "hooks.slack.com",
                "/%41%zz/%C3%A9",
            ),
        ]);
    }
}
