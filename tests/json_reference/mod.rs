//! One document read by the hand-written JSON reader and by serde_json, compared: shared by
//! `tests/json_differential.rs` and the fuzz target (`fuzz/fuzz_targets/pipeline.rs`).

use std::collections::BTreeMap;

use ecs_deploy_alerts::json::{self, Json, Reader};
use serde::de::IgnoredAny;

/// What serde_json reads, in the terms of [`Json`]; objects as serde_json keeps them (the
/// last of duplicate keys).
#[derive(Debug, PartialEq)]
enum Expected {
    Str(String),
    Int(i64),
    Other(&'static str),
    Array(Vec<Expected>),
    Object(BTreeMap<String, Expected>),
}

fn from_serde(value: serde_json::Value) -> Expected {
    use serde_json::Value;
    match value {
        Value::String(text) => Expected::Str(text),
        Value::Number(n) => n
            .as_i64()
            .map_or(Expected::Other("a number"), Expected::Int),
        Value::Bool(_) => Expected::Other("a boolean"),
        Value::Null => Expected::Other("null"),
        Value::Array(items) => Expected::Array(items.into_iter().map(from_serde).collect()),
        Value::Object(members) => Expected::Object(
            members
                .into_iter()
                .map(|(k, v)| (k, from_serde(v)))
                .collect(),
        ),
    }
}

fn from_ours(value: Json) -> Expected {
    match value {
        Json::Str(text) => Expected::Str(text.into_owned()),
        Json::Int(n) => Expected::Int(n),
        Json::Other(kind) => Expected::Other(kind),
        Json::Array(items) => Expected::Array(items.into_iter().map(from_ours).collect()),
        Json::Object(members) => Expected::Object(
            members
                .into_iter()
                .map(|(k, v)| (k.into_owned(), from_ours(v)))
                .collect(),
        ),
    }
}

/// Compares one document, panicking on a difference; true when serde_json accepts it.
pub fn check(bytes: &[u8]) -> bool {
    let shown = String::from_utf8_lossy(bytes);
    let serde_reads = serde_json::from_slice::<serde_json::Value>(bytes);
    let ours_reads = json::text(bytes).and_then(|text| {
        let mut reader = Reader::new(text);
        reader.value().and_then(|v| reader.end().map(|()| v))
    });
    if matches!(&serde_reads, Err(e) if e.to_string().starts_with("number out of range")) {
        // The one deliberate difference: beyond f64's range serde_json refuses a number, we
        // read it as "a number" (and so skip no float parsing code).
        return false;
    }
    let serde_accepts = serde_reads.is_ok();
    let too_deep = matches!(&serde_reads, Err(e) if e.to_string().starts_with("recursion limit"));
    match (ours_reads, serde_reads) {
        (Ok(ours), Ok(theirs)) => assert_eq!(from_ours(ours), from_serde(theirs), "{shown:?}"),
        (Err(_), Err(_)) => {}
        (ours, theirs) => panic!("reading {shown:?}: ours {ours:?}, serde_json {theirs:?}"),
    }

    // Skipping accepts what reading does, at any depth. (serde_json's own skipping is laxer:
    // it lets invalid UTF-8 through in strings; ours does not.)
    let ours_skips = json::text(bytes)
        .and_then(|text| {
            let mut reader = Reader::new(text);
            reader.skip().and_then(|_| reader.end())
        })
        .is_ok();
    let expected = if too_deep {
        serde_json::from_slice::<IgnoredAny>(bytes).is_ok() && std::str::from_utf8(bytes).is_ok()
    } else {
        serde_accepts
    };
    assert_eq!(ours_skips, expected, "skipping {shown:?}");
    serde_accepts
}
