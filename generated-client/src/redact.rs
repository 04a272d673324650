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
//!    does not count) is replaced, whatever the case; so is such a run in
//!    the text as sent, of the token or of the token as a JSON string
//!    writes it, for a token that itself holds what reads as an escape
//!    (`%41`, `&amp;`) or a `"` or `\`;
//! 2. every run of base64 characters (either alphabet, padded or not) that
//!    decodes, from any of its first four characters, to text holding such
//!    a run of the token is replaced, padding included;
//! 3. every run of [`MIN_HEX_RUN`] or more hex digits is replaced: Deepgram
//!    secrets are 40, and a new key's secret may sit in any field;
//! 4. the value of every `key` field (`"key": "…"`, `\"key\":\"…\"` inside
//!    an escaped string, `key=…`) is replaced, even when the body is cut
//!    off and no longer parses.
//!
//! Each pass is linear in the text, whatever the token's length: the pieces
//! of the token are found by one Aho-Corasick automaton, built once per
//! client, instead of comparing the token at every position. What is
//! redacted is at most [`MAX_ERROR_BODY`](crate::MAX_ERROR_BODY) of a body
//! and a few fields cut to that size, so the time it takes is bounded too.

use aho_corasick::{AhoCorasick, AhoCorasickKind};

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
    echoes: Echoes,
}

/// How the pieces of the token that count as an echo (each of its
/// [`MIN_ECHO`]-character windows, or the whole token when shorter, as it
/// is and JSON-escaped) are found in [folded](fold_into) text.
#[derive(Clone)]
enum Echoes {
    /// The token is empty: nothing to find.
    None,
    Search(AhoCorasick),
    /// aho-corasick refused the pieces (only a token of many megabytes
    /// could exceed its limits): every text is replaced whole rather than
    /// shown unsearched.
    HideAll,
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
        let token = token.expose_secret().trim();
        // The token as it is, and as a JSON string writes it (`\"`, `\\`),
        // which the reading of escapes leaves as it is.
        let json_escaped = token.replace('\\', "\\\\").replace('"', "\\\"");
        let mut pieces: Vec<String> = Vec::new();
        for form in [token, &json_escaped] {
            let mut folded = String::new();
            fold_into(form.chars(), &mut folded);
            let chars: Vec<char> = folded.chars().collect();
            if chars.len() <= MIN_ECHO {
                pieces.push(folded);
            } else {
                pieces.extend(
                    chars
                        .windows(MIN_ECHO)
                        .map(|window| window.iter().collect()),
                );
            }
        }
        pieces.sort_unstable();
        pieces.dedup();
        pieces.retain(|piece| !piece.is_empty());
        let echoes = if pieces.is_empty() {
            Echoes::None
        } else {
            // A DFA searches at a few nanoseconds a byte, several times an
            // NFA's speed; it takes some MiB for a token of kilobytes. Built
            // once per client.
            AhoCorasick::builder()
                .kind(Some(AhoCorasickKind::DFA))
                .build(&pieces)
                .or_else(|_| AhoCorasick::new(&pieces))
                .map_or(Echoes::HideAll, Echoes::Search)
        };
        Self { echoes }
    }

    /// `text` with every echo of the token and every secret-shaped value
    /// replaced by `<redacted>`.
    pub(crate) fn redact(&self, text: &str) -> String {
        let echoes = match &self.echoes {
            Echoes::HideAll if !text.is_empty() => return REDACTED.to_owned(),
            Echoes::Search(echoes) => Some(echoes),
            _ => None,
        };
        let decoded = decode(text);
        let mut spans = Vec::new();
        if let Some(echoes) = echoes {
            token_echoes(echoes, &decoded, &mut spans);
            // Also in the text as sent: a token holding what reads as an
            // escape (`%41`, `&amp;`, `\/`) is changed by the reading when a
            // server echoes it as it is, and the reading leaves a JSON
            // string's `\"` and `\\` alone.
            token_echoes(echoes, &as_sent(text), &mut spans);
            base64_echoes(echoes, &decoded, &mut spans);
        }
        hex_runs(&decoded, &mut spans);
        key_fields(&decoded, &mut spans);
        replace(text, spans)
    }
}

/// Appends `chars` as the token is compared: lowercased, and a space as
/// `+`, as forms encode it (the token is folded the same way, so a `+` in
/// it still matches a `+`).
fn fold_into(chars: impl Iterator<Item = char>, out: &mut String) {
    for c in chars {
        match c {
            ' ' => out.push('+'),
            // The common case, without the lookup in Unicode's tables.
            _ if c.is_ascii() => out.push(c.to_ascii_lowercase()),
            _ => out.extend(c.to_lowercase()),
        }
    }
}

/// Rule 1: the pieces of the token anywhere in the text, as one
/// overlapping search over the folded text.
fn token_echoes(echoes: &AhoCorasick, text: &[Decoded], spans: &mut Vec<(usize, usize)>) {
    let mut folded = String::with_capacity(text.len());
    // For each byte of `folded`, the character of `text` it came from.
    let mut origin = Vec::with_capacity(text.len());
    for (i, d) in text.iter().enumerate() {
        fold_into(std::iter::once(d.c), &mut folded);
        origin.resize(folded.len(), i);
    }
    // Overlapping, so that a run longer than one piece is covered to its end.
    for found in echoes.find_overlapping_iter(&folded) {
        let first = text[origin[found.start()]];
        let last = text[origin[found.end() - 1]];
        spans.push((first.start, last.end));
    }
}

/// The value of a base64 character in either alphabet.
fn sextet(c: char) -> Option<u8> {
    Some(match c {
        'A'..='Z' => c as u8 - b'A',
        'a'..='z' => c as u8 - b'a' + 26,
        '0'..='9' => c as u8 - b'0' + 52,
        '+' | '-' => 62,
        '/' | '_' => 63,
        _ => return None,
    })
}

/// Rule 2: each run of base64 characters is decoded from each of its first
/// four characters (the stream it belongs to may have begun before the run,
/// or the run may be glued to other text), and replaced whole, with its
/// padding, when the decoded bytes hold a piece of the token. This finds a
/// token of any length in any alignment, in either alphabet, padded or not.
/// All the decodings are searched at once, each on its own line: a token
/// cannot hold a line break (it is sent in a header), so no piece of it
/// spans two.
fn base64_echoes(echoes: &AhoCorasick, text: &[Decoded], spans: &mut Vec<(usize, usize)>) {
    let mut decodings = String::new();
    // For each decoding: where it starts in `decodings`, and the run's span.
    let mut runs: Vec<(usize, (usize, usize))> = Vec::new();
    let mut values = Vec::new();
    let mut bytes = Vec::new();
    let mut i = 0;
    while i < text.len() {
        values.clear();
        let start = i;
        while let Some(value) = text.get(i).and_then(|d| sextet(d.c)) {
            values.push(value);
            i += 1;
        }
        if values.is_empty() {
            i += 1;
            continue;
        }
        let mut end = i;
        while text.get(end).is_some_and(|d| d.c == '=') {
            end += 1;
        }
        let span = (text[start].start, text[end - 1].end);
        for skip in 0..values.len().min(4) {
            bytes.clear();
            for quad in values[skip..].chunks(4) {
                let n = quad
                    .iter()
                    .enumerate()
                    .fold(0u32, |n, (k, v)| n | u32::from(*v) << (18 - 6 * k));
                let whole_bytes = quad.len() * 6 / 8;
                bytes.extend(n.to_be_bytes()[1..=whole_bytes].iter());
            }
            runs.push((decodings.len(), span));
            // Bytes that are not UTF-8 end a line too: no piece of the
            // token, which is UTF-8, spans them.
            for chunk in bytes.utf8_chunks() {
                fold_into(chunk.valid().chars(), &mut decodings);
                if !chunk.invalid().is_empty() {
                    decodings.push('\n');
                }
            }
            decodings.push('\n');
        }
        i = end;
    }
    for found in echoes.find_iter(&decodings) {
        let run = runs.partition_point(|(at, _)| *at <= found.start()) - 1;
        spans.push(runs[run].1);
    }
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

/// The values of `key` fields, in any case: `"key": "…"` (quotes optionally
/// escaped with a backslash, as in JSON inside a JSON string), `"key": 7`,
/// and `key=…`.
fn key_fields(text: &[Decoded], spans: &mut Vec<(usize, usize)>) {
    let at = |i: usize| {
        text.get(i)
            .map(|d| d.c.to_lowercase().next().unwrap_or(d.c))
    };
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
    // Where the last value found ends: a `key` inside it would only find a
    // part of it again, and scanning each such part to the same end would
    // take time quadratic in the text (`key=key=key=…`).
    let mut resume = 0;
    for i in 0..text.len() {
        if i < resume || !(at(i) == Some('k') && at(i + 1) == Some('e') && at(i + 2) == Some('y')) {
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
            resume = end;
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

/// The text as a server meant it, one character at a time, with where in
/// `text` each came from.
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
        out.push(Decoded {
            c,
            start: i,
            end: i + len,
        });
        i += len;
    }
    out
}

/// The text one character at a time, as it is.
fn as_sent(text: &str) -> Vec<Decoded> {
    text.char_indices()
        .map(|(start, c)| Decoded {
            c,
            start,
            end: start + c.len_utf8(),
        })
        .collect()
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
        // Looks at no more digits than a character can have, so that a long
        // run of digits is not scanned again after each `&#`.
        let len = digits
            .bytes()
            .take(9)
            .take_while(|b| char::from(*b).is_digit(radix))
            .count();
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::MAX_ERROR_BODY;

    fn redactor(token: &str) -> Redactor {
        Redactor::new(&ApiKeySecret::new(token))
    }

    #[test]
    fn base64_of_the_token_is_found_at_every_offset_and_glued_to_other_text() {
        let token = "my-secret-token-value";
        let r = redactor(token);
        for prefix in ["", "a", "ab", "abc", "user:"] {
            let encoded = standard_base64(format!("{prefix}{token}").as_bytes());
            for glued in ["", "x", "Basic", "abc"] {
                let text = format!("auth {glued}{encoded} end");
                assert_eq!(r.redact(&text), "auth <redacted> end", "{text}");
            }
        }
        assert_eq!(
            r.redact("auth Basic dXNlcjpvdGhlcg== end"),
            "auth Basic dXNlcjpvdGhlcg== end"
        );
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

    /// Token lengths from 1 to 8192 (every length to 20, each power of two
    /// from 32 and its neighbours, some between) against bodies of every
    /// size class up to the error body cap: each echo is replaced and
    /// nothing else, and pieces one character too short are kept.
    #[test]
    fn every_token_length_and_body_size_redacts_exactly_the_echo() {
        // Letters that are neither hex digits nor part of the filler, so
        // that only the token rule can fire; the filler holds no base64
        // character.
        const ALPHABET: &[u8] = b"ghijklmnopqrstuvwxyzGHIJKLMNOPQRSTUVWXYZ";
        const FILLER: &str = "~ (!) ";
        let mut lengths: Vec<usize> = (1..=20).collect();
        for power in 5..=13 {
            lengths.extend([(1 << power) - 1, 1 << power, (1 << power) + 1]);
        }
        lengths.extend([100, 777, 3000, 5001]);
        lengths.retain(|length| *length <= 8192);
        let mut seed = 0x2545_f491_u32;
        for length in lengths {
            let token: String = (0..length)
                .map(|_| {
                    seed ^= seed << 13;
                    seed ^= seed >> 17;
                    seed ^= seed << 5;
                    char::from(ALPHABET[seed as usize % ALPHABET.len()])
                })
                .collect();
            let r = redactor(&token);
            for size in [0, 1, 64, 4096, MAX_ERROR_BODY - 1, MAX_ERROR_BODY] {
                let filler = |n: usize| FILLER.repeat(n / FILLER.len() + 1)[..n].to_owned();
                // The longest echo that fits, never shorter than the rule asks.
                let echo_len = length.min(size.max(MIN_ECHO.min(length)));
                let echo = &token[..echo_len];
                let around = size.saturating_sub(echo_len);
                let (before, after) = (filler(around / 2), filler(around - around / 2));
                let text = format!("{before}{}{after}", echo.to_uppercase());
                assert_eq!(
                    r.redact(&text),
                    format!("{before}{REDACTED}{after}"),
                    "token of {length}, body of {size}"
                );
                if length > MIN_ECHO {
                    // Pieces of MIN_ECHO - 1 characters, each apart: kept.
                    let pieces: Vec<&str> = (0..length - MIN_ECHO)
                        .step_by(MIN_ECHO)
                        .map(|at| &token[at..at + MIN_ECHO - 1])
                        .collect();
                    let mut near_misses = pieces.join(FILLER);
                    near_misses.truncate(size.min(near_misses.len()));
                    assert_eq!(
                        r.redact(&near_misses),
                        near_misses,
                        "token of {length}, body of {size}"
                    );
                }
            }
        }
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
