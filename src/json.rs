//! JSON, read and written by hand: events in, Slack messages, answers and log lines out.
//!
//! Hand-written rather than serde_json because serde's machinery (its derives, error types and
//! the float formatting its messages pull in) was about a third of the component's bytes, and
//! the component needs little: borrowed strings, integers and the kind of anything else on the
//! way in, strings, integers and booleans on the way out. `tests/json_differential.rs` holds
//! both halves to serde_json: the same documents accepted, the same values read, byte-identical
//! output. Deliberately, a number beyond f64's range is only "a number" here (serde_json refuses
//! it), and skipped strings must be UTF-8 too (serde_json's skipping lets that go).

use std::borrow::Cow;
use std::fmt;

/// Nesting deeper than this in a value that is read (not skipped) is an error, as in
/// serde_json; skipped values may nest to any depth.
const MAX_DEPTH: usize = 127;

/// How many bytes at the start of `bytes` a JSON string carries as they are: up to the first
/// `"`, `\\` or control character. Eight bytes at a time (the payloads are mostly such runs).
fn plain_run(bytes: &[u8]) -> usize {
    const ONES: u64 = u64::from_ne_bytes([1; 8]);
    const HIGH: u64 = ONES << 7;
    // A byte of `word` below `n` (for n <= 128) sets its high bit; no byte before the first
    // such byte is marked, so the lowest mark is exact.
    let below = |word: u64, n: u8| word.wrapping_sub(ONES * u64::from(n)) & !word & HIGH;
    let mut at = 0;
    while let Some(chunk) = bytes.get(at..at + 8) {
        let word = u64::from_le_bytes(chunk.try_into().unwrap_or_default());
        let marks = below(word, 0x20)
            | below(word ^ (ONES * u64::from(b'"')), 1)
            | below(word ^ (ONES * u64::from(b'\\')), 1);
        if marks != 0 {
            return at + (marks.trailing_zeros() / 8) as usize;
        }
        at += 8;
    }
    at + bytes[at..]
        .iter()
        .position(|&b| b < 0x20 || b == b'"' || b == b'\\')
        .unwrap_or(bytes.len() - at)
}

/// A JSON value as far as events need it: strings (borrowed where possible), integers, arrays
/// and objects are kept, anything else is only named.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Json<'a> {
    /// A string.
    Str(Cow<'a, str>),
    /// An integer that fits an `i64`.
    Int(i64),
    /// An array.
    Array(Vec<Json<'a>>),
    /// An object's members, in order.
    Object(Vec<(Cow<'a, str>, Json<'a>)>),
    /// Any other value, by kind: "a number", "a boolean" or "null".
    Other(&'static str),
}

impl Json<'_> {
    /// What kind of value this is, for error messages: "a string", "an object", ...
    pub fn kind(&self) -> &'static str {
        match self {
            Json::Str(_) => "a string",
            Json::Int(_) => "a number",
            Json::Array(_) => "an array",
            Json::Object(_) => "an object",
            Json::Other(kind) => kind,
        }
    }
}

/// Malformed JSON: what was wrong, and where (1-based line and byte column).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SyntaxError {
    what: Cow<'static, str>,
    line: usize,
    column: usize,
}

impl fmt::Display for SyntaxError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{} at line {} column {}",
            self.what, self.line, self.column
        )
    }
}

/// What [`Reader::object`] calls for each member: it gets the key and reads the value.
pub type ReadMember<'f, 'a> =
    dyn FnMut(&mut Reader<'a>, Cow<'a, str>) -> Result<(), SyntaxError> + 'f;

/// A JSON document's bytes as text. JSON is UTF-8 (RFC 8259), and outside strings anything
/// but ASCII is a syntax error anyway, so checking the whole document at once refuses exactly
/// what checking each string would, in one fast pass.
pub fn text(bytes: &[u8]) -> Result<&str, SyntaxError> {
    std::str::from_utf8(bytes)
        .map_err(|error| error_at(bytes, error.valid_up_to(), "invalid UTF-8".into()))
}

/// An error at byte `at` of `bytes`, with its line and column.
fn error_at(bytes: &[u8], at: usize, what: Cow<'static, str>) -> SyntaxError {
    let before = &bytes[..at.min(bytes.len())];
    let line_start = before
        .iter()
        .rposition(|&b| b == b'\n')
        .map_or(0, |i| i + 1);
    SyntaxError {
        what,
        line: 1 + before.iter().filter(|&&b| b == b'\n').count(),
        column: 1 + at - line_start,
    }
}

/// A pull reader over one JSON document.
pub struct Reader<'a> {
    text: &'a str,
    bytes: &'a [u8],
    at: usize,
    depth: usize,
}

impl<'a> Reader<'a> {
    /// A reader at the start of `text` (see [`text`]).
    pub fn new(text: &'a str) -> Self {
        Self {
            text,
            bytes: text.as_bytes(),
            at: 0,
            depth: 0,
        }
    }

    /// An error at the current position.
    pub fn error(&self, what: impl Into<Cow<'static, str>>) -> SyntaxError {
        error_at(self.bytes, self.at, what.into())
    }

    fn skip_whitespace(&mut self) {
        while let Some(b' ' | b'\t' | b'\n' | b'\r') = self.bytes.get(self.at) {
            self.at += 1;
        }
    }

    /// The next byte that is not whitespace, not consumed.
    pub fn peek(&mut self) -> Option<u8> {
        self.skip_whitespace();
        self.bytes.get(self.at).copied()
    }

    fn expect(&mut self, byte: u8, what: &'static str) -> Result<(), SyntaxError> {
        if self.peek() == Some(byte) {
            self.at += 1;
            Ok(())
        } else {
            Err(self.unexpected(what))
        }
    }

    fn unexpected(&self, expected: &'static str) -> SyntaxError {
        if self.at >= self.bytes.len() {
            self.error("unexpected end of input")
        } else {
            self.error(expected)
        }
    }

    /// Checks that nothing but whitespace follows the document.
    pub fn end(&mut self) -> Result<(), SyntaxError> {
        match self.peek() {
            None => Ok(()),
            Some(_) => Err(self.error("trailing characters")),
        }
    }

    /// Reads an object, handing each key to `member`, which must read or skip its value. The
    /// object counts towards the depth limit, as it does for serde_json.
    pub fn object(&mut self, member: &mut ReadMember<'_, 'a>) -> Result<(), SyntaxError> {
        self.nested(|reader| reader.members(member))
    }

    fn members(&mut self, member: &mut ReadMember<'_, 'a>) -> Result<(), SyntaxError> {
        self.expect(b'{', "expected `{`")?;
        if self.peek() == Some(b'}') {
            self.at += 1;
            return Ok(());
        }
        loop {
            if self.peek() != Some(b'"') {
                return Err(self.unexpected("expected a string key"));
            }
            let key = self.string()?;
            self.expect(b':', "expected `:`")?;
            member(self, key)?;
            match self.peek() {
                Some(b',') => self.at += 1,
                Some(b'}') => {
                    self.at += 1;
                    return Ok(());
                }
                _ => return Err(self.unexpected("expected `,` or `}`")),
            }
        }
    }

    /// Reads a value with everything in it.
    pub fn value(&mut self) -> Result<Json<'a>, SyntaxError> {
        match self.peek() {
            Some(b'"') => self.string().map(Json::Str),
            Some(b'{') => {
                let mut members = Vec::new();
                self.object(&mut |reader, key| {
                    members.push((key, reader.value()?));
                    Ok(())
                })?;
                Ok(Json::Object(members))
            }
            Some(b'[') => self.nested(|reader| {
                reader.at += 1;
                let mut items = Vec::new();
                if reader.peek() == Some(b']') {
                    reader.at += 1;
                    return Ok(Json::Array(items));
                }
                loop {
                    items.push(reader.value()?);
                    match reader.peek() {
                        Some(b',') => reader.at += 1,
                        Some(b']') => {
                            reader.at += 1;
                            return Ok(Json::Array(items));
                        }
                        _ => return Err(reader.unexpected("expected `,` or `]`")),
                    }
                }
            }),
            _ => self.scalar(),
        }
    }

    fn nested<T>(
        &mut self,
        read: impl FnOnce(&mut Self) -> Result<T, SyntaxError>,
    ) -> Result<T, SyntaxError> {
        if self.depth == MAX_DEPTH {
            return Err(self.error("recursion limit exceeded"));
        }
        self.depth += 1;
        let value = read(self);
        self.depth -= 1;
        value
    }

    /// A number, `true`, `false` or `null`.
    fn scalar(&mut self) -> Result<Json<'a>, SyntaxError> {
        for (word, kind) in [
            (&b"true"[..], "a boolean"),
            (b"false", "a boolean"),
            (b"null", "null"),
        ] {
            if self.bytes[self.at..].starts_with(word) {
                self.at += word.len();
                return Ok(Json::Other(kind));
            }
        }
        self.number()
    }

    fn digits(&mut self) -> usize {
        let start = self.at;
        while self.bytes.get(self.at).is_some_and(u8::is_ascii_digit) {
            self.at += 1;
        }
        self.at - start
    }

    fn number(&mut self) -> Result<Json<'a>, SyntaxError> {
        let start = self.at;
        if self.bytes.get(self.at) == Some(&b'-') {
            self.at += 1;
        }
        let integer_start = self.at;
        match self.digits() {
            0 => {
                self.at = start;
                return Err(self.unexpected("expected a value"));
            }
            1 => {}
            _ if self.bytes[integer_start] == b'0' => {
                self.at = integer_start + 1;
                return Err(self.error("a number cannot start with 0"));
            }
            _ => {}
        }
        let mut integral = true;
        if self.bytes.get(self.at) == Some(&b'.') {
            self.at += 1;
            if self.digits() == 0 {
                return Err(self.unexpected("expected a digit"));
            }
            integral = false;
        }
        if let Some(b'e' | b'E') = self.bytes.get(self.at) {
            self.at += 1;
            if let Some(b'+' | b'-') = self.bytes.get(self.at) {
                self.at += 1;
            }
            if self.digits() == 0 {
                return Err(self.unexpected("expected a digit"));
            }
            integral = false;
        }
        // The digits are ASCII, so this is text.
        let text = std::str::from_utf8(&self.bytes[start..self.at]).unwrap_or_default();
        // `-0` is not an integer to serde_json either.
        Ok(match text.parse() {
            Ok(value) if integral && !(value == 0 && text.starts_with('-')) => Json::Int(value),
            _ => Json::Other("a number"),
        })
    }

    /// A string, borrowed from the input unless it has escapes.
    fn string(&mut self) -> Result<Cow<'a, str>, SyntaxError> {
        self.at += 1; // the opening quote
        let mut owned: Option<String> = None;
        let mut run = self.at;
        loop {
            self.at += plain_run(&self.bytes[self.at..]);
            let Some(&byte) = self.bytes.get(self.at) else {
                return Err(self.error("unexpected end of input in a string"));
            };
            match byte {
                b'"' | b'\\' => {
                    // Both ends are at ASCII bytes, so at character boundaries.
                    let text = &self.text[run..self.at];
                    self.at += 1;
                    if byte == b'"' {
                        return Ok(match owned {
                            None => Cow::Borrowed(text),
                            Some(mut owned) => {
                                owned.push_str(text);
                                Cow::Owned(owned)
                            }
                        });
                    }
                    let owned = owned.get_or_insert_with(String::new);
                    owned.push_str(text);
                    let escaped = self.escape()?;
                    owned.push(escaped);
                    run = self.at;
                }
                _ => return Err(self.error("control character in a string")),
            }
        }
    }

    /// The character of the escape after a backslash.
    fn escape(&mut self) -> Result<char, SyntaxError> {
        let Some(&byte) = self.bytes.get(self.at) else {
            return Err(self.error("unexpected end of input in a string"));
        };
        self.at += 1;
        Ok(match byte {
            b'"' => '"',
            b'\\' => '\\',
            b'/' => '/',
            b'b' => '\u{8}',
            b'f' => '\u{c}',
            b'n' => '\n',
            b'r' => '\r',
            b't' => '\t',
            b'u' => {
                let unit = self.hex4()?;
                let code = match unit {
                    0xD800..0xDC00 => {
                        if !self.bytes[self.at..].starts_with(b"\\u") {
                            return Err(self.error("lone leading surrogate in a \\u escape"));
                        }
                        self.at += 2;
                        let low = self.hex4()?;
                        if !(0xDC00..0xE000).contains(&low) {
                            return Err(self.error("lone leading surrogate in a \\u escape"));
                        }
                        0x10000 + ((u32::from(unit) - 0xD800) << 10) + (u32::from(low) - 0xDC00)
                    }
                    0xDC00..0xE000 => {
                        return Err(self.error("lone trailing surrogate in a \\u escape"));
                    }
                    _ => u32::from(unit),
                };
                char::from_u32(code).unwrap_or(char::REPLACEMENT_CHARACTER)
            }
            _ => {
                self.at -= 1;
                return Err(self.error("invalid escape"));
            }
        })
    }

    fn hex4(&mut self) -> Result<u16, SyntaxError> {
        let mut unit = 0;
        for _ in 0..4 {
            let digit = self
                .bytes
                .get(self.at)
                .and_then(|&b| char::from(b).to_digit(16))
                .ok_or_else(|| self.error("invalid \\u escape"))?;
            unit = unit * 16 + digit as u16;
            self.at += 1;
        }
        Ok(unit)
    }

    /// Skips a value of any depth, without recursion, and returns its text.
    pub fn skip(&mut self) -> Result<&'a str, SyntaxError> {
        let start = match self.peek() {
            Some(b'{' | b'[') => self.at,
            _ => {
                let start = self.at;
                self.scalar_or_string()?;
                return Ok(self.text_from(start));
            }
        };
        // The open brackets, innermost last.
        let mut open = Vec::new();
        loop {
            // Here a value is expected.
            match self.peek() {
                Some(bracket @ (b'{' | b'[')) => {
                    self.at += 1;
                    open.push(bracket);
                    let close = if bracket == b'{' { b'}' } else { b']' };
                    if self.peek() == Some(close) {
                        self.at += 1;
                        open.pop();
                    } else {
                        if bracket == b'{' {
                            self.key()?;
                        }
                        continue;
                    }
                }
                _ => self.scalar_or_string()?,
            }
            // Here a value has ended: close what is complete, then expect the next value.
            loop {
                let Some(&innermost) = open.last() else {
                    return Ok(self.text_from(start));
                };
                match (self.peek(), innermost) {
                    (Some(b','), _) => {
                        self.at += 1;
                        if innermost == b'{' {
                            self.key()?;
                        }
                        break;
                    }
                    (Some(b'}'), b'{') | (Some(b']'), b'[') => {
                        self.at += 1;
                        open.pop();
                    }
                    (_, b'{') => return Err(self.unexpected("expected `,` or `}`")),
                    _ => return Err(self.unexpected("expected `,` or `]`")),
                }
            }
        }
    }

    /// An object key and its colon.
    fn key(&mut self) -> Result<(), SyntaxError> {
        if self.peek() != Some(b'"') {
            return Err(self.unexpected("expected a string key"));
        }
        self.string()?;
        self.expect(b':', "expected `:`")
    }

    fn scalar_or_string(&mut self) -> Result<(), SyntaxError> {
        match self.peek() {
            Some(b'"') => self.string().map(drop),
            _ => self.scalar().map(drop),
        }
    }

    /// The text from `start` to here: a whole value, so between character boundaries.
    fn text_from(&self, start: usize) -> &'a str {
        &self.text[start..self.at]
    }
}

/// Writes `text` as a JSON string, escaped as serde_json does.
pub fn write_string(out: &mut String, text: &str) {
    write_string_parts(out, &[text]);
}

/// Writes the concatenation of `parts` as one JSON string.
fn write_string_parts(out: &mut String, parts: &[&str]) {
    out.push('"');
    for part in parts {
        push_escaped(out, part);
    }
    out.push('"');
}

/// Appends `text` escaped for a JSON string, without the quotes.
fn push_escaped(out: &mut String, text: &str) {
    let bytes = text.as_bytes();
    out.reserve(bytes.len() + 2);
    let mut run = 0;
    let mut i = 0;
    loop {
        i += plain_run(&bytes[i..]);
        let Some(&byte) = bytes.get(i) else {
            break;
        };
        let escape = match byte {
            b'"' => "\\\"",
            b'\\' => "\\\\",
            b'\n' => "\\n",
            b'\r' => "\\r",
            b'\t' => "\\t",
            0x08 => "\\b",
            0x0c => "\\f",
            _ => "",
        };
        out.push_str(&text[run..i]);
        if escape.is_empty() {
            const HEX: &[u8; 16] = b"0123456789abcdef";
            out.push_str("\\u00");
            out.push(char::from(HEX[usize::from(byte >> 4)]));
            out.push(char::from(HEX[usize::from(byte & 0xf)]));
        } else {
            out.push_str(escape);
        }
        i += 1;
        run = i;
    }
    out.push_str(&text[run..]);
}

/// A JSON object being written; members go in the order they are added.
pub struct Object<'o> {
    out: &'o mut String,
    empty: bool,
}

/// Writes a JSON object to `out`.
pub fn object(out: &mut String, fill: impl FnOnce(&mut Object)) {
    out.push('{');
    fill(&mut Object { out, empty: true });
    out.push('}');
}

/// Writes a JSON object to a new string.
pub fn object_string(fill: impl FnOnce(&mut Object)) -> String {
    let mut out = String::with_capacity(256);
    object(&mut out, fill);
    out
}

impl Object<'_> {
    /// Keys are names from our own code (`'static`), so they are written without escaping.
    fn key(&mut self, key: &'static str) -> &mut String {
        debug_assert_eq!(plain_run(key.as_bytes()), key.len(), "{key}");
        self.out.reserve(key.len() + 4);
        if !self.empty {
            self.out.push(',');
        }
        self.empty = false;
        self.out.push('"');
        self.out.push_str(key);
        self.out.push_str("\":");
        self.out
    }

    /// A string member.
    pub fn str(&mut self, key: &'static str, value: &str) -> &mut Self {
        write_string(self.key(key), value);
        self
    }

    /// A string member made of `parts`, one after the other.
    pub fn str_parts(&mut self, key: &'static str, parts: &[&str]) -> &mut Self {
        write_string_parts(self.key(key), parts);
        self
    }

    /// A string member, left out when `None`.
    pub fn opt_str(&mut self, key: &'static str, value: Option<&str>) -> &mut Self {
        if let Some(value) = value {
            self.str(key, value);
        }
        self
    }

    /// An integer member.
    pub fn u64(&mut self, key: &'static str, value: u64) -> &mut Self {
        let out = self.key(key);
        out.push_str(&value.to_string());
        self
    }

    /// An integer member, left out when `None`.
    pub fn opt_u64(&mut self, key: &'static str, value: Option<u64>) -> &mut Self {
        if let Some(value) = value {
            self.u64(key, value);
        }
        self
    }

    /// A boolean member.
    pub fn bool(&mut self, key: &'static str, value: bool) -> &mut Self {
        self.key(key).push_str(if value { "true" } else { "false" });
        self
    }

    /// A member whose value is JSON written before.
    pub fn raw(&mut self, key: &'static str, json: &str) -> &mut Self {
        self.key(key).push_str(json);
        self
    }

    /// A member whose value is JSON written before, left out when `None`.
    pub fn opt_raw(&mut self, key: &'static str, json: Option<&str>) -> &mut Self {
        if let Some(json) = json {
            self.raw(key, json);
        }
        self
    }

    /// An object member.
    pub fn object(&mut self, key: &'static str, fill: impl FnOnce(&mut Object)) -> &mut Self {
        object(self.key(key), fill);
        self
    }

    /// An array member.
    pub fn array(&mut self, key: &'static str, fill: impl FnOnce(&mut Array)) -> &mut Self {
        let out = self.key(key);
        out.push('[');
        fill(&mut Array { out, empty: true });
        out.push(']');
        self
    }
}

/// A JSON array being written.
pub struct Array<'o> {
    out: &'o mut String,
    empty: bool,
}

impl Array<'_> {
    fn next(&mut self) -> &mut String {
        if !self.empty {
            self.out.push(',');
        }
        self.empty = false;
        self.out
    }

    /// A string item.
    pub fn str(&mut self, value: &str) -> &mut Self {
        write_string(self.next(), value);
        self
    }

    /// An object item.
    pub fn object(&mut self, fill: impl FnOnce(&mut Object)) -> &mut Self {
        object(self.next(), fill);
        self
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read(text: &str) -> Result<Json<'_>, SyntaxError> {
        let mut reader = Reader::new(text);
        let value = reader.value()?;
        reader.end()?;
        Ok(value)
    }

    #[test]
    fn reads_what_events_hold() {
        assert_eq!(
            read(r#" {"a": ["x", -7, 1.5, true, null, {}], "b\u00e9\ud83d\ude00": "c\"\n"} "#),
            Ok(Json::Object(vec![
                (
                    "a".into(),
                    Json::Array(vec![
                        Json::Str("x".into()),
                        Json::Int(-7),
                        Json::Other("a number"),
                        Json::Other("a boolean"),
                        Json::Other("null"),
                        Json::Object(vec![]),
                    ])
                ),
                ("bé😀".into(), Json::Str("c\"\n".into())),
            ]))
        );
        assert!(matches!(
            read(r#""plain""#),
            Ok(Json::Str(Cow::Borrowed("plain")))
        ));
        assert_eq!(read("9223372036854775808"), Ok(Json::Other("a number")));
        assert_eq!(read("-9223372036854775808"), Ok(Json::Int(i64::MIN)));
    }

    #[test]
    fn malformed_documents_say_what_and_where() {
        for (text, message) in [
            ("", "unexpected end of input at line 1 column 1"),
            ("{\n \"a\" 1}", "expected `:` at line 2 column 6"),
            ("[1,]", "expected a value at line 1 column 4"),
            ("01", "a number cannot start with 0 at line 1 column 2"),
            ("\"\\x\"", "invalid escape at line 1 column 3"),
            (
                "\"\\ud800\"",
                "lone leading surrogate in a \\u escape at line 1 column 8",
            ),
            (
                "\"\u{1}\"",
                "control character in a string at line 1 column 2",
            ),
            ("{} {}", "trailing characters at line 1 column 4"),
            ("[1 2]", "expected `,` or `]` at line 1 column 4"),
        ] {
            assert_eq!(read(text).unwrap_err().to_string(), message, "{text:?}");
        }
        let deep = format!("{}{}", "[".repeat(200), "]".repeat(200));
        assert!(
            read(&deep)
                .unwrap_err()
                .to_string()
                .starts_with("recursion limit exceeded")
        );
        assert_eq!(
            text(b"{\n\"\xff\"}").unwrap_err().to_string(),
            "invalid UTF-8 at line 2 column 2"
        );
    }

    #[test]
    fn skipping_checks_syntax_at_any_depth() {
        let deep = format!(
            "{}{{\"k\":[1,\"x\"]}}{}",
            "[".repeat(5000),
            "]".repeat(5000)
        );
        let mut reader = Reader::new(&deep);
        assert_eq!(reader.skip(), Ok(deep.as_str()));
        for broken in ["[1,]", "{\"a\"}", "[}", "{\"a\":1,}", "[[1]", "{1:2}"] {
            assert!(Reader::new(broken).skip().is_err(), "{broken}");
        }
    }

    #[test]
    fn writes_escaped_members_in_order() {
        let json = object_string(|o| {
            o.str("text", "a\"b\\c\n\u{1}é")
                .opt_str("none", None)
                .u64("n", 42)
                .bool("ok", true)
                .raw("raw", "[1]")
                .array("items", |a| {
                    a.str("x").object(|o| {
                        o.bool("f", false);
                    });
                })
                .object("empty", |_| {});
        });
        assert_eq!(
            json,
            r#"{"text":"a\"b\\c\n\u0001é","n":42,"ok":true,"raw":[1],"items":["x",{"f":false}],"empty":{}}"#
        );
    }
}
