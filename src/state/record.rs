//! What a value in the store looks like: serde_json of `{"v": VERSION, "at": SECONDS, "value":
//! ...}`, and `"until": SECONDS` for one kept longer than the usual 48 hours (a thread whose
//! pause waits for days). `at` is when it was written, by the host's clock (not the event's:
//! fixtures, replays and skewed clocks must not expire on arrival). A value of another version,
//! or one that does not read, counts as absent: records live 48 hours, so a format change costs
//! at most what was kept in the 48 hours before it.

use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};

/// The format of every record; a change of format is a new number.
pub const VERSION: u8 = 3;

/// A record and when it was written.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Dated<T> {
    /// The format, [`VERSION`].
    pub v: u8,
    /// When it was written, Unix seconds.
    pub at: u64,
    /// Kept at least until then (Unix seconds), when longer than the usual retention.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub until: Option<u64>,
    /// What is kept.
    pub value: T,
}

/// Only the times of a record: what pruning reads, whatever the record holds.
#[derive(Deserialize)]
struct Stamp {
    v: u8,
    at: u64,
    #[serde(default)]
    until: Option<u64>,
}

/// `value` written at `at`, kept at least `until` if that is given, as stored.
pub fn encode<T: Serialize>(value: &T, at: u64, until: Option<u64>) -> Vec<u8> {
    let record = Dated {
        v: VERSION,
        at,
        until,
        value,
    };
    // Our own types, of strings and numbers: they always serialize.
    serde_json::to_vec(&record).unwrap_or_default()
}

/// The record in `bytes`, if it is one of this version.
pub fn decode<T: DeserializeOwned>(bytes: &[u8]) -> Option<Dated<T>> {
    serde_json::from_slice::<Dated<T>>(bytes)
        .ok()
        .filter(|record| record.v == VERSION)
}

/// When the record in `bytes` was written, and until when it is kept if longer than usual,
/// if it is one of this version.
pub fn written_at(bytes: &[u8]) -> Option<(u64, Option<u64>)> {
    serde_json::from_slice::<Stamp>(bytes)
        .ok()
        .filter(|stamp| stamp.v == VERSION)
        .map(|stamp| (stamp.at, stamp.until))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn records_survive_their_encoding_and_others_read_as_absent() {
        let value = ("line one\nline \\two\\n \\".to_owned(), Some(-137i64));
        let bytes = encode(&value, 42, None);
        assert_eq!(
            decode::<(String, Option<i64>)>(&bytes),
            Some(Dated {
                v: VERSION,
                at: 42,
                until: None,
                value: value.clone()
            })
        );
        assert_eq!(written_at(&bytes), Some((42, None)));
        // A record kept longer says until when; one without `until` reads as before.
        let longer = encode(&"x", 42, Some(99));
        assert_eq!(written_at(&longer), Some((42, Some(99))));
        assert!(!String::from_utf8_lossy(&bytes).contains("until"));
        // The line format before serde, another version, a wrong shape: absent.
        let older = b"1795737600\n\nevent-1";
        let other_version = br#"{"v":1,"at":42,"value":"x"}"#;
        for bad in [
            &older[..],
            other_version,
            b"",
            b"{}",
            br#"{"v":2,"at":"x","value":1}"#,
        ] {
            assert_eq!(decode::<String>(bad), None, "{bad:?}");
        }
        assert_eq!(written_at(older), None);
        assert_eq!(decode::<u8>(&encode(&"text", 1, None)), None);
    }
}
