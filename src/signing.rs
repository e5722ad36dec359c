//! Slack's request signing: the signing secret, and whether a request to the interactions
//! path is Slack's own and fresh. `X-Slack-Signature` is `v0=` and the hex HMAC-SHA256 of
//! `v0:{X-Slack-Request-Timestamp}:{raw body}` under the app's signing secret; a timestamp more
//! than five minutes from now is refused, so a captured request cannot be replayed later.

use std::fmt;

use hmac::{Hmac, KeyInit, Mac};
use sha2::Sha256;

/// How far a request's timestamp may be from now, either way (Slack's own advice).
pub const REPLAY_WINDOW_SECS: u64 = 5 * 60;

/// The Slack app's signing secret (a secret: `Debug` does not show it).
#[derive(Clone, PartialEq, Eq)]
pub struct SigningSecret(String);

impl fmt::Debug for SigningSecret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("SigningSecret(<redacted>)")
    }
}

impl SigningSecret {
    /// The secret as Slack shows it: 32 hexadecimal digits today; any printable ASCII is
    /// taken, so that a format Slack changes does not lock the buttons out. The error never
    /// quotes it.
    pub fn parse(text: &str) -> Result<Self, &'static str> {
        let text = text.trim();
        if text.len() < 16 || !text.bytes().all(|b| b.is_ascii_graphic()) {
            return Err("expected the app's signing secret (Basic Information, App Credentials)");
        }
        Ok(Self(text.to_owned()))
    }

    /// Whether `signature` (the `X-Slack-Signature` header) signs `body` at `timestamp` (the
    /// `X-Slack-Request-Timestamp` header) under this secret, and the timestamp is within
    /// [`REPLAY_WINDOW_SECS`] of `now`. The signature is compared in constant time.
    pub fn verifies(
        &self,
        timestamp: Option<&[u8]>,
        signature: Option<&[u8]>,
        body: &[u8],
        now: u64,
    ) -> bool {
        let Some(timestamp) = timestamp
            .and_then(|t| std::str::from_utf8(t).ok())
            .filter(|t| !t.is_empty() && t.bytes().all(|b| b.is_ascii_digit()))
        else {
            return false;
        };
        let Ok(at) = timestamp.parse::<u64>() else {
            return false;
        };
        if at.abs_diff(now) > REPLAY_WINDOW_SECS {
            return false;
        }
        let Some(tag) = signature
            .and_then(|s| s.strip_prefix(b"v0="))
            .and_then(|hex_tag| hex::decode(hex_tag).ok())
        else {
            return false;
        };
        self.request_mac(timestamp, body).verify_slice(&tag).is_ok()
    }

    /// The MAC Slack's `v0` signature is the hex of: over `v0:TIMESTAMP:BODY`.
    fn request_mac(&self, timestamp: &str, body: &[u8]) -> Hmac<Sha256> {
        let mut mac = self.mac();
        mac.update(b"v0:");
        mac.update(timestamp.as_bytes());
        mac.update(b":");
        mac.update(body);
        mac
    }

    /// A short keyed digest of `text` (32 hex digits): an identifier that says nothing of
    /// `text` and that nobody without the secret can make, such as a pause button's value.
    pub fn opaque_id(&self, text: &str) -> String {
        let mut mac = self.mac();
        mac.update(b"ecs-deploy-alerts/id:");
        mac.update(text.as_bytes());
        hex::encode(&mac.finalize().into_bytes()[..16])
    }

    fn mac(&self) -> Hmac<Sha256> {
        Hmac::<Sha256>::new_from_slice(self.0.as_bytes()).expect("HMAC takes a key of any size")
    }
}

/// The `X-Slack-Signature` of `body` at `timestamp` under `secret`: what Slack sends. For
/// tests and the stand-ins that play Slack.
pub fn sign(secret: &SigningSecret, timestamp: u64, body: &[u8]) -> String {
    let mac = secret.request_mac(&timestamp.to_string(), body);
    format!("v0={}", hex::encode(mac.finalize().into_bytes()))
}

#[cfg(test)]
mod tests {
    use super::*;

    // Slack's documented example ("Verifying requests from Slack", api.slack.com/authentication/verifying-requests-from-slack).
    const SECRET: &str = "8f742231b10e8888abcd99yyyzzz85a5";
    const TIMESTAMP: u64 = 1_531_420_618;
    const BODY: &str = "token=xyzz0WbapA4vBCDEFasx0q6G&team_id=T1DC2JH3J&team_domain=testteamnow&channel_id=G8PSS9T3V&channel_name=foobar&user_id=U2CERLKJA&user_name=roadrunner&command=%2Fwebhook-collect&text=&response_url=https%3A%2F%2Fhooks.slack.com%2Fcommands%2FT1DC2JH3J%2F397700885554%2F96rGlfmibIGlgcZRskXaIFfN&trigger_id=398738663015.47445629121.803a0bc887a14d10d2c447fce8b6703c";
    const SIGNATURE: &str = "v0=a2114d57b48eac39b9ad189dd8316235a7b4a8d21a10bd27519666489c69b503";

    fn secret() -> SigningSecret {
        SigningSecret::parse(SECRET).unwrap()
    }

    #[test]
    fn slacks_documented_example_verifies() {
        assert_eq!(sign(&secret(), TIMESTAMP, BODY.as_bytes()), SIGNATURE);
        let verifies = |timestamp: &str, signature: &str, body: &str, now: u64| {
            secret().verifies(
                Some(timestamp.as_bytes()),
                Some(signature.as_bytes()),
                body.as_bytes(),
                now,
            )
        };
        let ts = TIMESTAMP.to_string();
        assert!(verifies(&ts, SIGNATURE, BODY, TIMESTAMP));
        // Five minutes either way, and no more.
        assert!(verifies(&ts, SIGNATURE, BODY, TIMESTAMP + 300));
        assert!(verifies(&ts, SIGNATURE, BODY, TIMESTAMP - 300));
        assert!(!verifies(&ts, SIGNATURE, BODY, TIMESTAMP + 301));
        assert!(!verifies(&ts, SIGNATURE, BODY, TIMESTAMP - 301));
        // Another body, timestamp, signature or secret does not.
        assert!(!verifies(
            &ts,
            SIGNATURE,
            &BODY.replace("foobar", "foobaz"),
            TIMESTAMP
        ));
        let later = (TIMESTAMP + 1).to_string();
        assert!(!verifies(&later, SIGNATURE, BODY, TIMESTAMP));
        let flipped = SIGNATURE.replace("b503", "b504");
        assert!(!verifies(&ts, &flipped, BODY, TIMESTAMP));
        let other = SigningSecret::parse("0000000000000000abcd99yyyzzz85a5").unwrap();
        assert!(!other.verifies(
            Some(ts.as_bytes()),
            Some(SIGNATURE.as_bytes()),
            BODY.as_bytes(),
            TIMESTAMP
        ));
    }

    #[test]
    fn malformed_headers_never_verify() {
        let ts = TIMESTAMP.to_string();
        for (timestamp, signature) in [
            (None, Some(SIGNATURE)),
            (Some(ts.as_str()), None),
            (Some(""), Some(SIGNATURE)),
            (Some("+1531420618"), Some(SIGNATURE)),
            (Some("99999999999999999999999"), Some(SIGNATURE)),
            (Some(ts.as_str()), Some(&SIGNATURE[3..])),
            (Some(ts.as_str()), Some("v1=a2114d57")),
            (Some(ts.as_str()), Some("v0=zz")),
            (Some(ts.as_str()), Some("v0=")),
            (Some(ts.as_str()), Some(&SIGNATURE[..40])),
        ] {
            assert!(
                !secret().verifies(
                    timestamp.map(str::as_bytes),
                    signature.map(str::as_bytes),
                    BODY.as_bytes(),
                    TIMESTAMP
                ),
                "{timestamp:?} {signature:?}"
            );
        }
    }

    #[test]
    fn the_secret_is_never_shown_and_short_ones_are_refused() {
        assert_eq!(format!("{:?}", secret()), "SigningSecret(<redacted>)");
        let error = SigningSecret::parse("short").unwrap_err();
        assert!(!error.contains("short"));
        assert!(SigningSecret::parse("has a space in the middle!!").is_err());
    }

    #[test]
    fn opaque_ids_are_keyed_and_stable() {
        let id = secret().opaque_id("hook-1");
        assert_eq!(id.len(), 32);
        assert_eq!(id, secret().opaque_id("hook-1"));
        assert_ne!(id, secret().opaque_id("hook-2"));
        let other = SigningSecret::parse("0000000000000000abcd99yyyzzz85a5").unwrap();
        assert_ne!(id, other.opaque_id("hook-1"));
        assert!(!id.contains("hook"));
    }
}
