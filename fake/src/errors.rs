//! The fake's error responses, in the three body forms Deepgram uses.

use serde_json::{Value, json};

/// The body form of the fake's error responses.
///
/// Deepgram answers errors in three forms (see the crate docs on errors); a
/// client must handle each, so a test can make the fake use any one of them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[non_exhaustive]
pub enum ErrorForm {
    /// Each error in the form Deepgram has been seen to use for it: legacy
    /// `err_code` for 401, 403 `INSUFFICIENT_PERMISSIONS` and 429, modern
    /// `category` for 400 and 404, plain text for a malformed id and a bad
    /// gateway, `error_code` for 503. The default.
    #[default]
    AsObserved,
    /// `{"category", "message", "details", "request_id"}` for every error.
    Modern,
    /// `{"err_code", "err_msg", "request_id"}` for every error.
    Legacy,
    /// A `text/plain` body, as proxies and load balancers send.
    PlainText,
}

/// How Deepgram was seen to shape one particular error.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Observed {
    Modern,
    /// `PROJECT_NOT_FOUND` has come without `request_id`.
    ModernWithoutRequestId,
    Legacy,
    /// The published 503 body spells its code field `error_code`.
    MisspeltCode,
    PlainText,
}

/// An error the fake answers with, before it is given a body form.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct Failure {
    pub(super) status: u16,
    pub(super) code: &'static str,
    pub(super) message: String,
    pub(super) details: Option<String>,
    pub(super) observed: Observed,
}

impl Failure {
    pub(super) fn new(status: u16, code: &'static str, message: impl Into<String>) -> Self {
        Self {
            status,
            code,
            message: message.into(),
            details: None,
            observed: Observed::Modern,
        }
    }

    pub(super) fn details(mut self, details: impl Into<String>) -> Self {
        self.details = Some(details.into());
        self
    }

    pub(super) fn observed(mut self, observed: Observed) -> Self {
        self.observed = observed;
        self
    }

    /// The error Deepgram answers with for this status when nothing more
    /// specific applies; used by injected faults.
    pub(super) fn for_status(status: u16) -> Self {
        match status {
            400 => Self::new(400, "Bad Request", "Bad Request"),
            401 => unauthorized(),
            403 => Self::new(403, "FORBIDDEN", "Forbidden").observed(Observed::Legacy),
            404 => Self::new(404, "NOT_FOUND", "Not found"),
            408 => Self::new(408, "REQUEST_TIMEOUT", "Request timeout"),
            429 => Self::new(
                429,
                "TOO_MANY_REQUESTS",
                "Too many requests. Please try again later.",
            )
            .observed(Observed::Legacy),
            502 => Self::new(502, "BAD_GATEWAY", "Bad Gateway").observed(Observed::PlainText),
            503 => Self::new(
                503,
                "SERVICE_UNAVAILABLE",
                "The service is temporarily unavailable.",
            )
            .observed(Observed::MisspeltCode),
            504 => {
                Self::new(504, "GATEWAY_TIMEOUT", "Gateway Timeout").observed(Observed::PlainText)
            }
            500..=599 => Self::new(status, "INTERNAL_SERVER_ERROR", "Internal server error"),
            _ => Self::new(status, "ERROR", "Error"),
        }
    }

    /// The body and its content type, in `form`.
    pub(super) fn body(&self, form: ErrorForm, request_id: &str) -> (&'static str, Vec<u8>) {
        let observed = match form {
            ErrorForm::AsObserved => self.observed,
            ErrorForm::Modern => Observed::Modern,
            ErrorForm::Legacy => Observed::Legacy,
            ErrorForm::PlainText => Observed::PlainText,
        };
        let json = match observed {
            Observed::PlainText => {
                return (
                    "text/plain; charset=utf-8",
                    self.message.clone().into_bytes(),
                );
            }
            Observed::Modern | Observed::ModernWithoutRequestId => {
                let mut body = json!({"category": self.code, "message": self.message});
                if let Some(details) = &self.details {
                    body["details"] = json!(details);
                }
                if observed == Observed::Modern {
                    body["request_id"] = json!(request_id);
                }
                body
            }
            Observed::Legacy => {
                json!({"err_code": self.code, "err_msg": self.message, "request_id": request_id})
            }
            Observed::MisspeltCode => {
                json!({"error_code": self.code, "message": self.message, "request_id": request_id})
            }
        };
        ("application/json", Value::to_string(&json).into_bytes())
    }
}

/// Deepgram's 400 for a body or query it cannot take.
pub(crate) fn bad_request(message: &str, details: impl Into<String>) -> Failure {
    Failure::new(400, "Bad Request", message).details(details)
}

/// An unknown, missing, expired or deleted token.
pub(super) fn unauthorized() -> Failure {
    Failure::new(401, "INVALID_AUTH", "Invalid credentials.").observed(Observed::Legacy)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_form_names_code_message_and_request_id_its_own_way() {
        let failure = Failure::new(400, "INVALID_JSON", "Invalid JSON submitted.").details("x");
        let json = |form| {
            let (content_type, body) = failure.body(form, "rid");
            assert_eq!(content_type, "application/json");
            serde_json::from_slice::<Value>(&body).unwrap()
        };
        assert_eq!(
            json(ErrorForm::Modern),
            json!({"category": "INVALID_JSON", "message": "Invalid JSON submitted.", "details": "x", "request_id": "rid"})
        );
        assert_eq!(
            json(ErrorForm::Legacy),
            json!({"err_code": "INVALID_JSON", "err_msg": "Invalid JSON submitted.", "request_id": "rid"})
        );
        let (content_type, body) = failure.body(ErrorForm::PlainText, "rid");
        assert_eq!(
            (content_type, body.as_slice()),
            ("text/plain; charset=utf-8", &b"Invalid JSON submitted."[..])
        );
    }

    #[test]
    fn as_observed_keeps_the_quirks() {
        let (_, body) = Failure::for_status(503).body(ErrorForm::AsObserved, "rid");
        let body: Value = serde_json::from_slice(&body).unwrap();
        assert_eq!(body["error_code"], "SERVICE_UNAVAILABLE");
        let (_, body) = Failure::new(404, "PROJECT_NOT_FOUND", "Project not found.")
            .observed(Observed::ModernWithoutRequestId)
            .body(ErrorForm::AsObserved, "rid");
        let body: Value = serde_json::from_slice(&body).unwrap();
        assert!(body.get("request_id").is_none(), "{body}");
        let (_, body) = unauthorized().body(ErrorForm::AsObserved, "rid");
        let body: Value = serde_json::from_slice(&body).unwrap();
        assert_eq!(body["err_code"], "INVALID_AUTH");
    }
}
