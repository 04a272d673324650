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
}
