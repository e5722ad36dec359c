//! The hand-written JSON reader and writer (`src/json.rs`) against serde_json, the reference
//! the component used before: on 300,000 documents (generated values, the fixtures, and both
//! with random byte edits) they accept and refuse the same ones, skipping agrees with reading,
//! and the values read are the same; written strings are byte-identical to serde_json's. Two
//! differences are deliberate: a number beyond f64's range is "a number" to us and an error to
//! serde_json, and skipping checks UTF-8 in strings, which serde_json's skipping does not.

mod common;
mod json_reference;

use std::borrow::Cow;

use common::Rng;
use ecs_deploy_alerts::json::{self, Json, Reader};
use json_reference::check;

/// Pieces values are made of, the tricky ones included.
const STRINGS: &[&str] = &[
    "",
    "plain",
    "é😀",
    "a\\\"b",
    "\\n\\t\\r\\b\\f\\/",
    "\\u0041\\u00e9",
    "\\ud83d\\ude00",
    "\\ud83d",
    "\\ude00",
    "\\ud83d\\u0041",
    "\\uD83D\\uDE00",
    "\\u12",
    "\\x",
    "\u{1}",
    "\u{7f}",
    "ecs-svc/123",
];
const NUMBERS: &[&str] = &[
    "0",
    "-0",
    "7",
    "-7",
    "01",
    "1.5",
    "1.",
    ".5",
    "1e3",
    "1E+3",
    "1e-3",
    "1e",
    "-",
    "9223372036854775807",
    "9223372036854775808",
    "-9223372036854775808",
    "-9223372036854775809",
    "18446744073709551616",
    "+1",
];
const WORDS: &[&str] = &["true", "false", "null", "tru", "nul", "True"];
/// Pieces of longer strings (8 to 40 bytes), so that the eight-bytes-at-a-time scan meets
/// escapes, quotes and control bytes in every position of its word.
const STRING_PIECES: &[&str] = &[
    "a", "a", "a", "a", "b", "é", "😀", "\\n", "\\\"", "\\\\", "\\u0041", "\u{7f}", "ÿ", "\u{1}",
    "\"",
];
/// Bytes random edits insert: structure, escapes, whitespace and invalid UTF-8.
const EDIT_BYTES: &[u8] = b"{}[],:\"\\ u0eE+-.\t\n\r\x00\x1f\x7f\xc3\xa9\xff\xf0\x9f";

fn value(rng: &mut Rng, out: &mut String, depth: usize) {
    let space = |rng: &mut Rng, out: &mut String| {
        if rng.below(6) == 0 {
            out.push_str([" ", "\n", "\t", "\r\n "][rng.below(4)]);
        }
    };
    space(rng, out);
    match rng.below(if depth > 6 { 3 } else { 5 }) {
        0 => {
            out.push('"');
            if rng.below(2) == 0 {
                out.push_str(STRINGS[rng.below(STRINGS.len())]);
            } else {
                for _ in 0..8 + rng.below(33) {
                    out.push_str(STRING_PIECES[rng.below(STRING_PIECES.len())]);
                }
            }
            out.push('"');
        }
        1 => out.push_str(NUMBERS[rng.below(NUMBERS.len())]),
        2 => out.push_str(WORDS[rng.below(WORDS.len())]),
        3 => {
            out.push('[');
            for i in 0..rng.below(4) {
                if i > 0 {
                    out.push(',');
                }
                value(rng, out, depth + 1);
            }
            out.push(']');
        }
        _ => {
            out.push('{');
            for i in 0..rng.below(4) {
                if i > 0 {
                    out.push(',');
                }
                // Few key names, so duplicates happen.
                out.push_str(["\"a\"", "\"b\"", "\"\\u0061\"", "\"c\""][rng.below(4)]);
                out.push(':');
                value(rng, out, depth + 1);
            }
            out.push('}');
        }
    }
    space(rng, out);
}

fn edit(rng: &mut Rng, bytes: &mut Vec<u8>) {
    for _ in 0..1 + rng.below(3) {
        let at = rng.below(bytes.len() + 1);
        let byte = EDIT_BYTES[rng.below(EDIT_BYTES.len())];
        match rng.below(3) {
            0 => bytes.insert(at, byte),
            1 if at < bytes.len() => {
                bytes.remove(at);
            }
            _ if at < bytes.len() => bytes[at] = byte,
            _ => bytes.push(byte),
        }
    }
}

#[test]
fn reads_what_serde_json_reads() {
    let mut rng = Rng(0x5eed_1503);
    let fixtures: Vec<Vec<u8>> =
        std::fs::read_dir(concat!(env!("CARGO_MANIFEST_DIR"), "/fixtures"))
            .unwrap()
            .map(|entry| entry.unwrap().path())
            .filter(|path| path.extension().is_some_and(|e| e == "json"))
            .map(|path| std::fs::read(path).unwrap())
            .collect();
    assert!(fixtures.len() > 20);
    let (mut accepted, mut refused) = (0, 0);
    for round in 0..300_000 {
        let mut bytes = if round % 10 == 0 {
            fixtures[rng.below(fixtures.len())].clone()
        } else {
            let mut text = String::new();
            value(&mut rng, &mut text, 0);
            text.into_bytes()
        };
        if rng.below(2) == 0 {
            edit(&mut rng, &mut bytes);
        }
        if check(&bytes) {
            accepted += 1;
        } else {
            refused += 1;
        }
    }
    // Both outcomes are well represented, or the comparison would prove little.
    assert!(
        accepted > 50_000 && refused > 50_000,
        "{accepted} / {refused}"
    );
}

#[test]
fn nesting_limits_agree() {
    for depth in [126, 127, 128, 129, 5000] {
        let nested = format!("{}{}", "[".repeat(depth), "]".repeat(depth));
        check(nested.as_bytes());
        let objects = format!("{}1{}", "{\"a\":".repeat(depth), "}".repeat(depth));
        check(objects.as_bytes());
    }
}

#[test]
fn writes_strings_byte_for_byte_as_serde_json() {
    let mut rng = Rng(0x0b1e_c7ed);
    let alphabet: Vec<char> = (0..0x80u8)
        .map(char::from)
        .chain(['é', '€', '😀', '\u{2028}', '\u{feff}'])
        .collect();
    for _ in 0..20_000 {
        let text: String = (0..rng.below(24))
            .map(|_| alphabet[rng.below(alphabet.len())])
            .collect();
        let mut ours = String::new();
        json::write_string(&mut ours, &text);
        assert_eq!(ours, serde_json::to_string(&text).unwrap(), "{text:?}");
    }
    let object = json::object_string(|o| {
        // In serde_json's (sorted) key order.
        o.array("a", |a| {
            a.str("").object(|o| {
                o.opt_str("none", None).opt_u64("n", Some(0));
            });
        })
        .bool("b", false)
        .u64("n", u64::MAX)
        .str("s", "x\"");
    });
    let expected = serde_json::json!({"s": "x\"", "n": u64::MAX, "b": false, "a": ["", {"n": 0}]});
    assert_eq!(object, expected.to_string());
}

#[test]
fn strings_without_escapes_are_borrowed() {
    let mut reader = Reader::new(r#"["plain", "esc\u0061ped"]"#);
    let Ok(Json::Array(items)) = reader.value() else {
        panic!("an array")
    };
    assert!(matches!(items[0], Json::Str(Cow::Borrowed("plain"))));
    assert!(matches!(&items[1], Json::Str(Cow::Owned(text)) if text == "escaped"));
}
