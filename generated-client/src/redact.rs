//! The one rule for what a server says: before any of it reaches an error,
//! a `Debug` or `Display`, or a span, the client's own token and anything
//! shaped like a key secret are replaced by `<redacted>`.
//!
//! A server may echo the token as received or changed: escaped for JSON
//! (`\u0041`, `\/`), for HTML (`&amp;`, `&#65;`, `&#x41;`), percent-encoded
//! (`%41`, `%4a` or `%4A`), with `+` for a space, in another case, trimmed,
//! cut short, or base64-encoded (as in an echoed `Basic` header). So the
//! text is read through those encodings, and in that reading
//!
//! 1. every run of at least [`MIN_ECHO`] consecutive characters of the
//!    token (the whole token, when it is shorter; surrounding whitespace
//!    does not count) is replaced, whatever the case;
//! 2. every run of [`MIN_HEX_RUN`] or more hex digits is replaced: Deepgram
//!    secrets are 40, and a new key's secret may sit in any field;
//! 3. the value of every `key` field (`"key": "…"`, `\"key\":\"…\"` inside
//!    an escaped string, `key=…`) is replaced, even when the body is cut
//!    off and no longer parses;
//!
//! and the base64 forms of the token are replaced where they appear as sent.

use crate::secret::ApiKeySecret;

/// The shortest piece of the token that counts as an echo of it. Shorter
/// pieces occur by chance in ordinary text; a piece this long of a random
/// token does not.
pub(crate) const MIN_ECHO: usize = 8;
/// The shortest run of hex digits treated as a key secret.
pub(crate) const MIN_HEX_RUN: usize = 32;

const REDACTED: &str = "<redacted>";

/// Applies the rule above for one client's token.
#[derive(Clone)]
pub(crate) struct Redactor {
    /// The token, trimmed and lowercased, as the text is compared.
    token: Vec<char>,
    /// The parts of the token's base64 forms that do not depend on what
    /// precedes it, for each of the three alignments and both alphabets.
    base64: Vec<String>,
}

impl std::fmt::Debug for Redactor {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Redactor(<redacted>)")
    }
}

/// One character of the text as read through its encodings, and the bytes
/// of the original text it came from.
#[derive(Clone, Copy)]
struct Decoded {
    c: char,
    start: usize,
    end: usize,
}

impl Redactor {
    pub(crate) fn new(token: &ApiKeySecret) -> Self {
        let trimmed = token.expose_secret().trim();
        Self {
            token: trimmed.chars().flat_map(char::to_lowercase).collect(),
            base64: base64_needles(trimmed.as_bytes()),
        }
    }

    /// `text` with every echo of the token and every secret-shaped value
    /// replaced by `<redacted>`.
    pub(crate) fn redact(&self, text: &str) -> String {
        let decoded = decode(text);
        let mut spans = Vec::new();
        self.token_echoes(&decoded, &mut spans);
        hex_runs(&decoded, &mut spans);
        key_fields(&decoded, &mut spans);
        for needle in &self.base64 {
            spans.extend(
                text.match_indices(needle.as_str())
                    .map(|(start, found)| (start, start + found.len())),
            );
        }
        replace(text, spans)
    }

    fn token_echoes(&self, text: &[Decoded], spans: &mut Vec<(usize, usize)>) {
        let token = &self.token;
        if token.is_empty() {
            return;
        }
        let shortest = MIN_ECHO.min(token.len());
        let mut i = 0;
        while i < text.len() {
            let longest = (0..token.len())
                .map(|j| {
                    text[i..]
                        .iter()
                        .zip(&token[j..])
                        .take_while(|(seen, wanted)| same(seen.c, **wanted))
                        .count()
                })
                .max()
                .unwrap_or(0);
            if longest >= shortest {
                spans.push((text[i].start, text[i + longest - 1].end));
                i += longest;
            } else {
                i += 1;
            }
        }
    }
}

/// Whether a character of the text stands for one of the token (both
/// lowercased): equal, or `+` for a space, as forms encode it.
fn same(seen: char, wanted: char) -> bool {
    seen == wanted || (seen == '+' && wanted == ' ')
}

fn hex_runs(text: &[Decoded], spans: &mut Vec<(usize, usize)>) {
    let mut run_start = None;
    for (i, d) in text.iter().enumerate() {
        match (d.c.is_ascii_hexdigit(), run_start) {
            (true, None) => run_start = Some(i),
            (false, Some(start)) => {
                if i - start >= MIN_HEX_RUN {
                    spans.push((text[start].start, text[i - 1].end));
                }
                run_start = None;
            }
            _ => {}
        }
    }
    if let Some(start) = run_start
        && text.len() - start >= MIN_HEX_RUN
    {
        spans.push((text[start].start, text[text.len() - 1].end));
    }
}

/// The values of `key` fields: `"key": "…"` (quotes optionally escaped with
/// a backslash, as in JSON inside a JSON string), `"key": 7`, and `key=…`.
fn key_fields(text: &[Decoded], spans: &mut Vec<(usize, usize)>) {
    let at = |i: usize| text.get(i).map(|d| d.c);
    let skip_spaces = |mut i: usize| {
        while at(i).is_some_and(char::is_whitespace) {
            i += 1;
        }
        i
    };
    // A quote, optionally escaped: where it ends, if there is one at `i`.
    let quote = |i: usize| match (at(i), at(i + 1)) {
        (Some('"'), _) => Some(i + 1),
        (Some('\\'), Some('"')) => Some(i + 2),
        _ => None,
    };
    for i in 0..text.len() {
        if !(at(i) == Some('k') && at(i + 1) == Some('e') && at(i + 2) == Some('y')) {
            continue;
        }
        let before = i.checked_sub(1).and_then(at);
        let quoted_name = before == Some('"');
        let value_start = if quoted_name {
            let Some(after_name) = quote(i + 3) else {
                continue;
            };
            let colon = skip_spaces(after_name);
            if at(colon) != Some(':') {
                continue;
            }
            skip_spaces(colon + 1)
        } else if !before.is_some_and(|c| c.is_alphanumeric() || c == '_') && at(i + 3) == Some('=')
        {
            i + 4
        } else {
            continue;
        };
        let (start, end) = match quote(value_start) {
            Some(start) => {
                let mut end = start;
                while end < text.len() && quote(end).is_none() {
                    end += 1;
                }
                (start, end)
            }
            None => {
                let mut end = value_start;
                while at(end).is_some_and(|c| {
                    !c.is_whitespace() && !matches!(c, ',' | '}' | ']' | '&' | ';' | '<' | '"')
                }) {
                    end += 1;
                }
                (value_start, end)
            }
        };
        if end > start {
            spans.push((text[start].start, text[end - 1].end));
        }
    }
}

/// `text` with each span (byte ranges, possibly overlapping) replaced.
fn replace(text: &str, mut spans: Vec<(usize, usize)>) -> String {
    if spans.is_empty() {
        return text.to_owned();
    }
    spans.sort_unstable();
    let mut out = String::with_capacity(text.len());
    let mut done = 0;
    for (start, end) in spans {
        if end <= done {
            continue;
        }
        if start >= done {
            out.push_str(&text[done..start]);
            out.push_str(REDACTED);
        }
        done = end;
    }
    out.push_str(&text[done..]);
    out
}

/// The text as a server meant it, lowercased, one character at a time, with
/// where in `text` each came from.
fn decode(text: &str) -> Vec<Decoded> {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(text.len());
    let mut i = 0;
    while i < bytes.len() {
        let (c, len) = json_escape(&text[i..])
            .or_else(|| html_entity(&text[i..]))
            .or_else(|| percent_escape(bytes, i))
            .unwrap_or_else(|| {
                let c = text[i..].chars().next().unwrap_or('\u{fffd}');
                (c, c.len_utf8())
            });
        for lower in c.to_lowercase() {
            out.push(Decoded {
                c: lower,
                start: i,
                end: i + len,
            });
        }
        i += len;
    }
    out
}

/// `\uXXXX` (with a surrogate pair as one character) or `\/`.
fn json_escape(text: &str) -> Option<(char, usize)> {
    let rest = text.strip_prefix('\\')?;
    if rest.starts_with('/') {
        return Some(('/', 2));
    }
    let unit = |s: &str| -> Option<u32> {
        let hex = s.strip_prefix('u')?.get(..4)?;
        u32::from_str_radix(hex, 16).ok()
    };
    let high = unit(rest)?;
    if (0xD800..0xDC00).contains(&high)
        && let Some(low) = rest[5..].strip_prefix('\\').and_then(unit)
        && (0xDC00..0xE000).contains(&low)
    {
        let c = char::from_u32(0x10000 + ((high - 0xD800) << 10) + (low - 0xDC00));
        return Some((c.unwrap_or('\u{fffd}'), 12));
    }
    Some((char::from_u32(high).unwrap_or('\u{fffd}'), 6))
}

/// `&#65;`, `&#x41;` (the `;` optional) and the named entities a server
/// escapes text with.
fn html_entity(text: &str) -> Option<(char, usize)> {
    let rest = text.strip_prefix('&')?;
    if let Some(number) = rest.strip_prefix('#') {
        let (digits, radix, prefix) = match number.strip_prefix(['x', 'X']) {
            Some(hex) => (hex, 16, 2),
            None => (number, 10, 1),
        };
        let len = digits
            .find(|c: char| !c.is_digit(radix))
            .unwrap_or(digits.len());
        if len == 0 || len > 8 {
            return None;
        }
        let value = u32::from_str_radix(&digits[..len], radix).ok()?;
        let semicolon = usize::from(digits[len..].starts_with(';'));
        let c = char::from_u32(value).unwrap_or('\u{fffd}');
        return Some((c, 1 + prefix + len + semicolon));
    }
    const NAMED: [(&str, char); 12] = [
        ("amp;", '&'),
        ("lt;", '<'),
        ("gt;", '>'),
        ("quot;", '"'),
        ("apos;", '\''),
        ("sol;", '/'),
        ("colon;", ':'),
        ("equals;", '='),
        ("plus;", '+'),
        ("num;", '#'),
        ("percnt;", '%'),
        ("nbsp;", ' '),
    ];
    NAMED
        .iter()
        .find(|(name, _)| rest.starts_with(name))
        .map(|(name, c)| (*c, 1 + name.len()))
}

/// `%41`, either case, with a UTF-8 sequence of escapes as one character.
fn percent_escape(bytes: &[u8], at: usize) -> Option<(char, usize)> {
    let byte = |i: usize| -> Option<u8> {
        if bytes.get(i) != Some(&b'%') {
            return None;
        }
        let hex = std::str::from_utf8(bytes.get(i + 1..i + 3)?).ok()?;
        u8::from_str_radix(hex, 16).ok()
    };
    let first = byte(at)?;
    let width = match first {
        0x00..=0x7F => 1,
        0xC0..=0xDF => 2,
        0xE0..=0xEF => 3,
        0xF0..=0xF7 => 4,
        _ => return Some(('\u{fffd}', 3)),
    };
    let sequence: Option<Vec<u8>> = (0..width).map(|k| byte(at + 3 * k)).collect();
    match sequence.as_deref().map(std::str::from_utf8) {
        Some(Ok(s)) => s.chars().next().map(|c| (c, 3 * width)),
        _ => Some(('\u{fffd}', 3)),
    }
}

/// For each alignment of the token in a base64 stream (its offset modulo 3)
/// the characters that come from the token's bytes alone, in the standard
/// and the URL-safe alphabet. Too short a token gives no needle.
fn base64_needles(token: &[u8]) -> Vec<String> {
    const STANDARD: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut needles = Vec::new();
    for offset in 0..3 {
        let mut stream = vec![0u8; offset];
        stream.extend_from_slice(token);
        let bits = stream.len() * 8;
        // Characters wholly inside the token's bits: from the first that
        // starts at or after bit 8*offset, to the last that ends by `bits`.
        let first = (8 * offset).div_ceil(6);
        let last = bits / 6;
        let needle: String = (first..last)
            .map(|k| {
                let bit = 6 * k;
                let (byte, shift) = (bit / 8, bit % 8);
                let pair = u16::from(stream[byte]) << 8
                    | u16::from(stream.get(byte + 1).copied().unwrap_or(0));
                let index = (pair >> (10 - shift)) & 0x3F;
                char::from(STANDARD[usize::from(index)])
            })
            .collect();
        if needle.len() >= MIN_ECHO {
            needles.push(needle.replace('+', "-").replace('/', "_"));
            needles.push(needle);
        }
    }
    needles.sort();
    needles.dedup();
    needles
}

#[cfg(test)]
mod tests {
    use super::*;

    fn redactor(token: &str) -> Redactor {
        Redactor::new(&ApiKeySecret::new(token))
    }

    #[test]
    fn base64_needles_match_the_encodings_of_the_token_at_every_offset() {
        let token = "my-secret-token-value";
        let needles = base64_needles(token.as_bytes());
        for prefix in ["", "a", "ab", "abc", "user:"] {
            let encoded = standard_base64(format!("{prefix}{token}").as_bytes());
            assert!(
                needles
                    .iter()
                    .any(|needle| encoded.contains(needle.as_str())),
                "{prefix:?}: {encoded} {needles:?}"
            );
        }
    }

    fn standard_base64(bytes: &[u8]) -> String {
        const STANDARD: &[u8; 64] =
            b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
        let mut out = String::new();
        for chunk in bytes.chunks(3) {
            let n = chunk
                .iter()
                .enumerate()
                .fold(0u32, |n, (k, b)| n | u32::from(*b) << (16 - 8 * k));
            for k in 0..=chunk.len() {
                out.push(char::from(STANDARD[(n >> (18 - 6 * k) & 0x3F) as usize]));
            }
        }
        out
    }

    #[test]
    fn spans_are_merged_and_the_rest_is_kept() {
        assert_eq!(replace("abcdef", vec![(1, 3), (2, 4)]), "a<redacted>ef");
        assert_eq!(replace("abcdef", vec![]), "abcdef");
        let r = redactor("tok");
        assert_eq!(r.redact("a tok b"), "a <redacted> b");
        assert_eq!(r.redact("plain words"), "plain words");
    }
}
