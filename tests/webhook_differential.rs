//! The hand-written webhook URL parser against the WHATWG reference (the `url` crate) on
//! 200,000 generated URLs: whatever it accepts, `url` reads the same way (scheme, host, port,
//! path and query as sent), and hyper's request-line types (what the host builds the
//! outgoing request from) accept what it sends.

mod common;

use common::Rng;
use std::str::FromStr;

use ecs_deploy_alerts::webhook::WebhookUrl;

/// Picking from lists of URL pieces.
trait Pick {
    fn pick<'a>(&mut self, items: &[&'a str]) -> &'a str;
    fn mostly<'a>(&mut self, items: &[&'a str]) -> &'a str;
}

impl Pick for Rng {
    fn pick<'a>(&mut self, items: &[&'a str]) -> &'a str {
        items[self.below(items.len())]
    }

    /// Three times in four the first item (the plain case), else any.
    fn mostly<'a>(&mut self, items: &[&'a str]) -> &'a str {
        if self.next().is_multiple_of(4) {
            self.pick(items)
        } else {
            items[0]
        }
    }
}

const SCHEMES: &[&str] = &[
    "https://",
    "http://",
    "HTTPS://",
    "HtTp://",
    "https:/",
    "https:",
    "ftp://",
    "https:\\\\",
    "wss://",
    "",
];
const USERINFO: &[&str] = &["", "", "", "", "", "", "user@", "u:p@", "@", ":@"];
const HOSTS: &[&str] = &[
    "hooks.slack.com",
    "HOOKS.Slack.COM",
    "localhost",
    "LocalHost",
    "127.0.0.1",
    "127.1",
    "2130706433",
    "0x7f.1",
    "0x7F.0.0.1",
    "0177.0.0.1",
    "127.0.0.01",
    "10.0.0.256",
    "1.2.3.4",
    "255.255.255.255",
    "1.2.3.4.5",
    "[::1]",
    "[0:0:0:0:0:0:0:1]",
    "[2001:db8::1]",
    "[::1",
    "a.1",
    "a.0x1",
    "x.example",
    "hooks_slack.com",
    "hooks.slack.com.",
    ".hooks",
    "xn--nxasmq6b",
    "xn--abc.com",
    "h%6Foks.slack.com",
    "-a.com",
    "a-.com",
    "hooks..slack.com",
    "",
    "a b.com",
    "évil.com",
    "1.2.3",
    "09.1.1.1",
    "0.0.0.0",
    "a.b.c.d.e.f",
    "ex%41mple.com",
];
const PORTS: &[&str] = &[
    "", "", "", "", ":443", ":80", ":8080", ":0443", ":+443", ":-1", ":", ":65535", ":65536",
    ":99999", ":1e3", ": 80", ":0", "::80",
];
const SEGMENTS: &[&str] = &[
    "services", "T000", "B000", "XXXX", ".", "..", "%2e", "%2E%2e", ".%2E", "a.b", "X>", "<x", "`",
    "{c}", "|", "^", "[x]", "'q'", "\"", "%41", "%zz", "%", "~u", "a;b=c", "!$&()*+,", "é", "a b",
    "a\tb", "\\", "@", ":", "%00", "",
];
const QUERIES: &[&str] = &[
    "", "", "", "?", "?x=1", "?a='b'", "?`{}`", "?q=<>", "?a?b", "?%zz", "?é", "?a b", "?#", "?|^",
    "?x=%27",
];
const FRAGMENTS: &[&str] = &["", "", "", "#", "#frag", "#a b", "#<x>", "#/../x"];

fn generate(rng: &mut Rng) -> String {
    let mut url = String::new();
    url.push_str(rng.mostly(SCHEMES));
    url.push_str(rng.mostly(USERINFO));
    url.push_str(rng.pick(HOSTS));
    url.push_str(rng.mostly(PORTS));
    for _ in 0..rng.next() % 5 {
        url.push('/');
        url.push_str(rng.pick(SEGMENTS));
    }
    url.push_str(rng.mostly(QUERIES));
    url.push_str(rng.mostly(FRAGMENTS));
    if rng.next().is_multiple_of(16) {
        url.insert(0, ' ');
    }
    url
}

/// What `url` says is sent, in the form the component sends it: `host[:port]` without the
/// default port, and the path and query with what a request line cannot carry encoded.
fn whatwg_reading(text: &str) -> Option<(bool, String, String)> {
    let parsed = url::Url::parse(text).ok()?;
    let https = match parsed.scheme() {
        "https" => true,
        "http" => false,
        _ => return None,
    };
    let mut authority = parsed.host_str()?.to_owned();
    if let Some(port) = parsed.port() {
        authority.push_str(&format!(":{port}"));
    }
    let mut target = encode_rest(parsed.path());
    if let Some(query) = parsed.query() {
        target.push('?');
        target.push_str(&encode_rest(query));
    }
    Some((https, authority, target))
}

/// Percent-encodes the bytes WHATWG leaves that RFC 3986 does not allow.
fn encode_rest(text: &str) -> String {
    text.bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() || b"-._~!$&'()*+,;=:@/%?".contains(&b) {
                char::from(b).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect()
}

#[test]
fn accepted_urls_read_the_same_as_whatwg_and_are_sendable() {
    const CASES: usize = 200_000;
    let mut rng = Rng(0x5eed_cafe_f00d_0001);
    let (mut accepted, mut whatwg_only) = (0, 0);
    for _ in 0..CASES {
        let text = generate(&mut rng);
        let reference = whatwg_reading(&text);
        let Ok(ours) = WebhookUrl::parse(&text) else {
            whatwg_only += usize::from(reference.is_some());
            continue;
        };
        accepted += 1;
        let ours_read = (
            ours.is_https(),
            ours.authority().to_owned(),
            ours.path_and_query().to_owned(),
        );
        assert_eq!(Some(ours_read), reference, "{text:?}");
        http::uri::Authority::from_str(ours.authority())
            .unwrap_or_else(|e| panic!("{text:?}: authority refused: {e}"));
        http::uri::PathAndQuery::from_str(ours.path_and_query())
            .unwrap_or_else(|e| panic!("{text:?}: path refused: {e}"));
    }
    println!("{CASES} URLs: {accepted} accepted, {whatwg_only} more accepted by WHATWG only");
    // The generator must exercise both sides, or the agreement proves little.
    assert!(accepted > CASES / 20, "only {accepted} accepted");
    assert!(
        whatwg_only > CASES / 20,
        "only {whatwg_only} refused that WHATWG takes"
    );
}
