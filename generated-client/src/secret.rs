//! Secrets that must never reach a log: the caller's API token and the
//! secret of a newly created key.

use std::fmt;

use secrecy::{ExposeSecret, SecretString};

/// An API key secret: the token the client authenticates with, or the `key`
/// of a [`CreateKeyResponse`](crate::types::CreateKeyResponse).
///
/// `Debug` and `Display` print `<redacted>`, so the secret cannot leak through
/// `{:?}`, `tracing` fields or error messages. Read it with
/// [`expose_secret`](Self::expose_secret).
///
/// This guards against accidents such as logging, not against someone who
/// can read the process's memory: the value itself is zeroed when dropped,
/// but copies made on the way are not (the `Authorization` header built
/// from the token, the HTTP buffers a new key arrives in).
///
/// Serializing it writes the secret: that is how the `keys` example prints a
/// new key once, and is an explicit act, unlike formatting.
#[derive(Clone)]
pub struct ApiKeySecret(SecretString);

impl ApiKeySecret {
    /// Wraps a secret.
    pub fn new(secret: impl Into<String>) -> Self {
        Self(SecretString::from(secret.into()))
    }

    /// The secret itself. Every read is visible in the code that does it.
    pub fn expose_secret(&self) -> &str {
        self.0.expose_secret()
    }

    pub(crate) fn is_blank(&self) -> bool {
        self.expose_secret().trim().is_empty()
    }
}

impl fmt::Debug for ApiKeySecret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("ApiKeySecret(<redacted>)")
    }
}

impl fmt::Display for ApiKeySecret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("<redacted>")
    }
}

impl PartialEq for ApiKeySecret {
    fn eq(&self, other: &Self) -> bool {
        self.expose_secret() == other.expose_secret()
    }
}

impl From<String> for ApiKeySecret {
    fn from(secret: String) -> Self {
        Self::new(secret)
    }
}

impl From<&str> for ApiKeySecret {
    fn from(secret: &str) -> Self {
        Self::new(secret)
    }
}

impl serde::Serialize for ApiKeySecret {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.expose_secret())
    }
}

impl<'de> serde::Deserialize<'de> for ApiKeySecret {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        String::deserialize(deserializer).map(Self::new)
    }
}

/// A response body made safe to show: in JSON, every `key` field's value is
/// replaced; and everywhere, every run of 32 or more hex digits (Deepgram
/// secrets are 40), wherever a confused server put it. Used for bodies that
/// failed to decode, which for `create_key` hold a brand-new secret, and
/// for serde's messages about them, which quote the values they reject.
pub(crate) fn redact_body(text: &str) -> String {
    match serde_json::from_str::<serde_json::Value>(text) {
        Ok(mut json) => {
            redact_key_fields(&mut json);
            redact_hex_runs(&json.to_string())
        }
        Err(_) => redact_hex_runs(text),
    }
}

fn redact_key_fields(json: &mut serde_json::Value) {
    match json {
        serde_json::Value::Object(map) => {
            for (name, value) in map.iter_mut() {
                if name == "key" {
                    *value = serde_json::Value::String("<redacted>".into());
                } else {
                    redact_key_fields(value);
                }
            }
        }
        serde_json::Value::Array(items) => items.iter_mut().for_each(redact_key_fields),
        _ => {}
    }
}

/// `text` with the client's own API key and every run of 32 or more hex
/// digits replaced: for what a server says in an error response, which
/// should hold neither but may (a proxy that echoes the request, say). A key
/// shorter than 8 characters is not searched for, since replacing it would
/// garble the text; no real key is that short.
pub(crate) fn redact_secrets(text: &str, api_key: &ApiKeySecret) -> String {
    let key = api_key.expose_secret();
    if key.len() >= 8 {
        redact_hex_runs(&text.replace(key, "<redacted>"))
    } else {
        redact_hex_runs(text)
    }
}

fn redact_hex_runs(text: &str) -> String {
    const MIN_RUN: usize = 32;
    let mut out = String::with_capacity(text.len());
    let mut run = String::new();
    let flush = |run: &mut String, out: &mut String| {
        if run.len() >= MIN_RUN {
            out.push_str("<redacted>");
        } else {
            out.push_str(run);
        }
        run.clear();
    };
    for c in text.chars() {
        if c.is_ascii_hexdigit() {
            run.push(c);
        } else {
            flush(&mut run, &mut out);
            out.push(c);
        }
    }
    flush(&mut run, &mut out);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formatting_never_shows_the_secret() {
        let secret = ApiKeySecret::new("0123456789abcdef0123456789abcdef01234567");
        assert_eq!(format!("{secret}"), "<redacted>");
        assert_eq!(format!("{secret:?}"), "ApiKeySecret(<redacted>)");
        assert_eq!(
            secret.expose_secret(),
            "0123456789abcdef0123456789abcdef01234567"
        );
    }

    #[test]
    fn json_key_fields_are_redacted_and_ids_are_kept() {
        let text = r#"{"api_key_id":"3c1a6d2e-5b7f","key":"not-hex-at-all","nested":[{"key":7}]}"#;
        assert_eq!(
            redact_body(text),
            r#"{"api_key_id":"3c1a6d2e-5b7f","key":"<redacted>","nested":[{"key":"<redacted>"}]}"#
        );
    }

    #[test]
    fn hex_runs_in_other_json_fields_are_redacted() {
        let text = r#"{"scopes":["0123456789abcdef0123456789abcdef01234567","3c1a6d2e"]}"#;
        assert_eq!(redact_body(text), r#"{"scopes":["<redacted>","3c1a6d2e"]}"#);
    }

    #[test]
    fn hex_runs_in_text_are_redacted() {
        let text = "key=0123456789abcdef0123456789abcdef01234567; id=3c1a6d2e";
        assert_eq!(redact_body(text), "key=<redacted>; id=3c1a6d2e");
    }
}
