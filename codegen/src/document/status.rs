//! Response keys (`200`, `4XX`, `default`) and which responses they cover.
//!
//! The classes follow progenitor, which decides what a generated method
//! returns: a success is 101, any 2xx, `2XX` or `default`; an error is any
//! 4xx or 5xx, `4XX`, `5XX` or `default`.

use std::fmt;

/// One key of an operation's `responses` object.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum ResponseKey {
    /// One status, e.g. `404`.
    Code(u16),
    /// A class of statuses, e.g. `5XX` is `Range(5)`.
    Range(u8),
    /// `default`: every status no other key names.
    Default,
}

impl ResponseKey {
    /// Reads a response key, or `None` when it is not one OpenAPI allows
    /// (a status outside 100..=599, a range other than `1XX`..`5XX`).
    pub fn parse(key: &str) -> Option<Self> {
        if key == "default" {
            return Some(Self::Default);
        }
        let bytes = key.as_bytes();
        if bytes.len() == 3 && bytes[1..].eq_ignore_ascii_case(b"XX") {
            return match bytes[0] {
                digit @ b'1'..=b'5' => Some(Self::Range(digit - b'0')),
                _ => None,
            };
        }
        if bytes.len() == 3 && bytes.iter().all(u8::is_ascii_digit) {
            let code: u16 = key.parse().ok()?;
            return (100..=599).contains(&code).then_some(Self::Code(code));
        }
        None
    }

    /// Whether a generated method may return this response as its success.
    pub fn may_be_success(self) -> bool {
        matches!(
            self,
            Self::Default | Self::Code(101 | 200..=299) | Self::Range(2)
        )
    }

    /// Whether, among an operation's `keys`, the response under this key
    /// describes a success a client may get: a success key, but `default`
    /// only when no code or range beside it describes one. Beside `200`,
    /// `default` is where the errors are: removing it takes no success away.
    pub fn success_among(self, keys: impl IntoIterator<Item = Self>) -> bool {
        match self {
            Self::Default => !keys
                .into_iter()
                .any(|key| key != Self::Default && key.may_be_success()),
            _ => self.may_be_success(),
        }
    }

    /// Whether a generated method may return this response as its error.
    pub fn may_be_error(self) -> bool {
        matches!(
            self,
            Self::Default | Self::Code(400..=599) | Self::Range(4..=5)
        )
    }

    /// Whether a response with `status` is described by this key on its
    /// own (ignoring more specific keys beside it).
    pub fn covers(self, status: u16) -> bool {
        match self {
            Self::Code(code) => code == status,
            Self::Range(class) => status / 100 == u16::from(class),
            Self::Default => true,
        }
    }

    /// How specific the key is: an exact code beats a range beats `default`.
    fn precedence(self) -> u8 {
        match self {
            Self::Code(_) => 0,
            Self::Range(_) => 1,
            Self::Default => 2,
        }
    }

    /// Of `keys`, the one that describes a response with `status`: its
    /// exact code, else its range, else `default`.
    pub fn best_match<T>(
        keys: impl IntoIterator<Item = (Self, T)>,
        status: u16,
    ) -> Option<(Self, T)> {
        keys.into_iter()
            .filter(|(key, _)| key.covers(status))
            .min_by_key(|(key, _)| key.precedence())
    }
}

impl fmt::Display for ResponseKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Code(code) => write!(f, "{code}"),
            Self::Range(class) => write!(f, "{class}XX"),
            Self::Default => f.write_str("default"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_parse_as_openapi_defines_them() {
        assert_eq!(ResponseKey::parse("200"), Some(ResponseKey::Code(200)));
        assert_eq!(ResponseKey::parse("5XX"), Some(ResponseKey::Range(5)));
        assert_eq!(ResponseKey::parse("4xx"), Some(ResponseKey::Range(4)));
        assert_eq!(ResponseKey::parse("default"), Some(ResponseKey::Default));
        for bad in ["600", "099", "6XX", "20", "2000", "abc", "", "+20"] {
            assert_eq!(ResponseKey::parse(bad), None, "{bad}");
        }
    }

    #[test]
    fn classes_follow_the_generator() {
        let success = ["101", "200", "204", "2XX", "default"];
        let error = ["400", "404", "599", "4XX", "5XX", "default"];
        for key in [
            "100", "101", "200", "204", "2XX", "302", "3XX", "400", "404", "4XX", "5XX", "599",
            "default",
        ] {
            let parsed = ResponseKey::parse(key).unwrap();
            assert_eq!(parsed.may_be_success(), success.contains(&key), "{key}");
            assert_eq!(parsed.may_be_error(), error.contains(&key), "{key}");
        }
    }

    #[test]
    fn default_is_a_success_only_without_another() {
        let keys = |list: &[&str]| -> Vec<ResponseKey> {
            list.iter()
                .filter_map(|key| ResponseKey::parse(key))
                .collect()
        };
        let default = ResponseKey::Default;
        assert!(default.success_among(keys(&["default"])));
        assert!(default.success_among(keys(&["404", "default"])));
        assert!(!default.success_among(keys(&["200", "default"])));
        assert!(!default.success_among(keys(&["2XX", "default"])));
        assert!(ResponseKey::Code(200).success_among(keys(&["200", "default"])));
        assert!(!ResponseKey::Code(404).success_among(keys(&["404"])));
    }

    #[test]
    fn the_most_specific_key_wins() {
        let keys = [
            (ResponseKey::Default, "d"),
            (ResponseKey::Range(5), "r"),
            (ResponseKey::Code(503), "c"),
        ];
        assert_eq!(ResponseKey::best_match(keys, 503).unwrap().1, "c");
        assert_eq!(ResponseKey::best_match(keys, 502).unwrap().1, "r");
        assert_eq!(ResponseKey::best_match(keys, 418).unwrap().1, "d");
        assert!(ResponseKey::best_match(keys[1..].iter().copied(), 418).is_none());
    }
}
