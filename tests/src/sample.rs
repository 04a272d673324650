//! Checks one response body three ways: against the spec's schema, through
//! the client as an application would receive it, and for loss between the
//! body and the value the application receives.

use std::fmt::Write as _;

use deepgram_keys::{ApiError, Client, CreateKey, Error};
use serde_json::{Value, json};
use wiremock::matchers::any;
use wiremock::{Mock, MockServer, ResponseTemplate};

use crate::spec::{Spec, Violation};

/// Whether the body fits the spec.
#[derive(Debug)]
pub enum SchemaFit {
    /// It fits the schema declared for its status and media type.
    Fits,
    /// It breaks the schema at these places.
    Violations(Vec<Violation>),
    /// The spec declares nothing for it.
    Undeclared(String),
}

/// What the client hands its user.
#[derive(Debug)]
pub enum Outcome {
    /// A decoded value, re-encoded as JSON (a new key's secret redacted).
    Value(Value),
    /// An API error, as JSON.
    ApiError(Value),
    /// Any other error: the client could not decode the body.
    Failed(String),
}

/// A modelled field whose value did not survive.
#[derive(Debug, Clone, PartialEq)]
pub struct Loss {
    /// Where in the body.
    pub pointer: String,
    /// The value in the body.
    pub received: Value,
    /// What the client made of it (`null` when it dropped it).
    pub decoded: Value,
}

/// The findings for one body.
#[derive(Debug)]
pub struct Report {
    /// Whether it fits the spec.
    pub schema: SchemaFit,
    /// What the client hands its user.
    pub outcome: Outcome,
    /// Fields the client ignores because the spec does not name them.
    pub ignored: Vec<String>,
    /// Modelled fields whose value was lost or changed.
    pub lost: Vec<Loss>,
}

impl Report {
    /// The client decoded the body (as a value, or as an API error carrying
    /// what the body said) and lost nothing the spec models.
    pub fn decoded_without_loss(&self) -> bool {
        !matches!(self.outcome, Outcome::Failed(_)) && self.lost.is_empty()
    }

    /// The report as text for a maintainer.
    pub fn render(&self) -> String {
        let mut out = String::new();
        let _ = writeln!(out, "1. schema:");
        match &self.schema {
            SchemaFit::Fits => out.push_str("   fits the spec\n"),
            SchemaFit::Undeclared(why) => {
                let _ = writeln!(out, "   not checked: {why}");
            }
            SchemaFit::Violations(violations) => {
                for violation in violations {
                    let pointer = if violation.pointer.is_empty() {
                        "(root)"
                    } else {
                        &violation.pointer
                    };
                    let _ = writeln!(out, "   violation at {pointer}: {}", violation.message);
                }
            }
        }
        let _ = writeln!(out, "2. what a user of the client gets:");
        let shown = match &self.outcome {
            Outcome::Value(value) => format!("Ok({})", pretty(value)),
            Outcome::ApiError(value) => format!("Err(Error::Api({}))", pretty(value)),
            Outcome::Failed(message) => format!("Err({message})"),
        };
        for line in shown.lines() {
            let _ = writeln!(out, "   {line}");
        }
        let _ = writeln!(out, "3. fields the client ignores (not in the spec):");
        if self.ignored.is_empty() {
            out.push_str("   none\n");
        }
        for pointer in &self.ignored {
            let _ = writeln!(out, "   {pointer}");
        }
        let _ = writeln!(out, "4. modelled fields lost or changed:");
        if self.lost.is_empty() {
            out.push_str("   none\n");
        }
        for loss in &self.lost {
            let _ = writeln!(
                out,
                "   {}: received {}, decoded {}",
                loss.pointer, loss.received, loss.decoded
            );
        }
        out
    }
}

fn pretty(value: &Value) -> String {
    serde_json::to_string_pretty(value).unwrap_or_else(|_| value.to_string())
}

/// A method of the client, by the operation it calls: the one place that
/// knows which operationIds the hand-written client offers, what it hands
/// the application, and how a body reads in that shape.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Call {
    ListKeys,
    GetKey,
    CreateKey,
    DeleteKey,
}

impl Call {
    fn for_operation(operation: &str) -> Option<Self> {
        Some(match operation {
            "list_keys" => Self::ListKeys,
            "get_key" => Self::GetKey,
            "create_key" => Self::CreateKey,
            "delete_key" => Self::DeleteKey,
            _ => return None,
        })
    }

    /// Makes the call an application would make, and returns what it gets,
    /// as JSON.
    async fn run(self, client: &Client) -> Result<Value, Error> {
        let (project, key) = ("sample-project", "sample-key");
        let value = match self {
            Self::ListKeys => serde_json::to_value(client.list_keys(project, None).await?),
            Self::GetKey => serde_json::to_value(client.get_key(project, key).await?),
            Self::CreateKey => {
                let request = CreateKey::new("sample", ["member"]);
                serde_json::to_value(client.create_key(project, &request).await?)
            }
            Self::DeleteKey => serde_json::to_value(client.delete_key(project, key).await?),
        };
        Ok(value.unwrap_or(Value::Null))
    }

    /// What the application should receive from a success body, and the
    /// schema of that value: the body read in the shape the client hands
    /// over (the list itself; one `KeyWithMember` for either documented
    /// shape of `get_key`, per the wire contract).
    fn expected(self, body: &Value) -> (Value, Value) {
        let schema = |name: &str| json!({"$ref": format!("#/components/schemas/{name}")});
        match self {
            Self::ListKeys => (
                body.get("api_keys").cloned().unwrap_or(Value::Null),
                json!({"type": "array", "items": schema("KeyWithMember")}),
            ),
            Self::GetKey => {
                let Some(member) = body.pointer("/item/member").and_then(Value::as_object) else {
                    return (body.clone(), schema("KeyWithMember"));
                };
                let mut member = member.clone();
                let api_key = member.remove("api_key").unwrap_or(Value::Null);
                (
                    json!({"api_key": api_key, "member": member}),
                    schema("KeyWithMember"),
                )
            }
            Self::CreateKey => (body.clone(), schema("CreateKeyResponse")),
            Self::DeleteKey => (body.clone(), schema("DeleteKeyResponse")),
        }
    }
}

/// Checks `body` as the response with `status` to `operation`.
pub async fn check(
    spec: &Spec,
    operation: &str,
    status: u16,
    body: &[u8],
) -> Result<Report, String> {
    let Some(declared) = spec.operation(operation) else {
        let known: Vec<&str> = spec
            .operations()
            .iter()
            .filter_map(|operation| operation.id())
            .collect();
        return Err(format!(
            "the spec has no operation `{operation}`; use one of {}",
            known.join(", ")
        ));
    };
    let call = Call::for_operation(operation).ok_or_else(|| {
        format!("the client has no method for `{operation}` yet; add one to generated-client/src/client.rs")
    })?;
    if !(100..=599).contains(&status) {
        return Err(format!("{status} is not an HTTP status"));
    }
    let json: Option<Value> = serde_json::from_slice(body).ok();
    let response_schema = declared.response_for(status).and_then(|response| {
        if json.is_some() {
            response.json_schema()
        } else {
            response.other_schema()
        }
    });
    let schema = match (declared.response_for(status), response_schema) {
        (None, _) => SchemaFit::Undeclared(format!(
            "the spec declares no {status} response for {operation}"
        )),
        (Some(_), None) => SchemaFit::Undeclared(format!(
            "the spec declares no {} body for {operation} {status}",
            if json.is_some() { "JSON" } else { "plain-text" }
        )),
        (Some(_), Some(schema)) => {
            let instance = json
                .clone()
                .unwrap_or_else(|| Value::String(String::from_utf8_lossy(body).into_owned()));
            match spec.violations(schema, &instance)? {
                violations if violations.is_empty() => SchemaFit::Fits,
                violations => SchemaFit::Violations(violations),
            }
        }
    };

    let received = through_client(call, status, body).await;
    let mut report = Report {
        schema,
        outcome: Outcome::Failed(String::new()),
        ignored: Vec::new(),
        lost: Vec::new(),
    };
    if let (Some(json), true) = (&json, status < 400) {
        // Fields the spec does not name, whether or not the client decodes
        // the body.
        let declared_schema = response_schema.cloned().unwrap_or(Value::Null);
        let mut unnamed = report_for_walk();
        compare(spec, json, Some(json), &declared_schema, "", &mut unnamed);
        report.ignored = unnamed.ignored;
    }
    match received {
        Ok(value) => {
            if let Some(json) = &json {
                // Loss, on what the application receives.
                let (expected, schema) = call.expected(json);
                let mut received = report_for_walk();
                compare(spec, &expected, Some(&value), &schema, "", &mut received);
                report.lost = received.lost;
            }
            report.outcome = Outcome::Value(redact_secrets(value));
        }
        Err(Error::Api(api)) => {
            report.outcome = Outcome::ApiError(api_error_json(&api));
            compare_error(&api, status, json.as_ref(), body, &mut report);
            if json.as_ref().is_some_and(Value::is_object) {
                // What reaches the user was checked field by field above;
                // walking the body against itself only lists the fields the
                // spec does not name.
                let schema = json!({"$ref": "#/components/schemas/ErrorBody"});
                compare(
                    spec,
                    json.as_ref().unwrap_or(&Value::Null),
                    json.as_ref(),
                    &schema,
                    "",
                    &mut report,
                );
            }
        }
        Err(other) => report.outcome = Outcome::Failed(other.to_string()),
    }
    Ok(report)
}

fn report_for_walk() -> Report {
    Report {
        schema: SchemaFit::Fits,
        outcome: Outcome::Value(Value::Null),
        ignored: Vec::new(),
        lost: Vec::new(),
    }
}

/// Serves `body` with `status` on a loopback port and makes the call an
/// application would make, with retries off.
async fn through_client(call: Call, status: u16, body: &[u8]) -> Result<Value, Error> {
    let server = MockServer::start().await;
    let content_type = if serde_json::from_slice::<Value>(body).is_ok() {
        "application/json"
    } else {
        "text/plain; charset=utf-8"
    };
    Mock::given(any())
        .respond_with(ResponseTemplate::new(status).set_body_raw(body.to_vec(), content_type))
        .mount(&server)
        .await;
    let client = Client::builder()
        .api_key("sample-token")
        .base_url(server.uri())
        .max_retries(0)
        .build()?;
    call.run(&client).await
}

/// Walks `received` beside its schema and `decoded` (what the client made
/// of it),
/// recording fields the schema does not name and modelled values that
/// changed.
fn compare(
    spec: &Spec,
    received: &Value,
    decoded: Option<&Value>,
    schema: &Value,
    pointer: &str,
    report: &mut Report,
) {
    let schema = spec.resolve(schema);
    if schema.get("oneOf").is_some() {
        // The branch whose required fields the body has is the one it took.
        if let Some(branch) = spec.meant_branch(schema, received) {
            compare(spec, received, decoded, branch, pointer, report);
        }
        return;
    }
    match received {
        Value::Object(fields) => {
            let properties = schema.get("properties").and_then(Value::as_object);
            for (name, value) in fields {
                let here = format!("{pointer}/{}", codegen::pointer_token(name));
                let Some(property) = properties.and_then(|properties| properties.get(name)) else {
                    report.ignored.push(here);
                    continue;
                };
                match decoded.and_then(|decoded| decoded.get(name)) {
                    Some(decoded_value) => {
                        compare(spec, value, Some(decoded_value), property, &here, report)
                    }
                    // Absent and empty say the same: the generated types
                    // leave out empty lists and `None`s when they encode.
                    None if value.is_null() || value.as_array().is_some_and(Vec::is_empty) => {}
                    None => report.lost.push(Loss {
                        pointer: here,
                        received: value.clone(),
                        decoded: Value::Null,
                    }),
                }
            }
        }
        Value::Array(items) => {
            let decoded_items = decoded.and_then(Value::as_array);
            let item_schema = schema.get("items").cloned().unwrap_or(Value::Null);
            for (index, item) in items.iter().enumerate() {
                let here = format!("{pointer}/{index}");
                match decoded_items.and_then(|decoded| decoded.get(index)) {
                    Some(decoded_item) => {
                        compare(spec, item, Some(decoded_item), &item_schema, &here, report)
                    }
                    None => report.lost.push(Loss {
                        pointer: here,
                        received: item.clone(),
                        decoded: Value::Null,
                    }),
                }
            }
        }
        scalar => {
            let decoded = decoded.cloned().unwrap_or(Value::Null);
            let is_date_time = schema.get("format").and_then(Value::as_str) == Some("date-time");
            if *scalar != decoded && !(is_date_time && same_instant(scalar, &decoded)) {
                report.lost.push(Loss {
                    pointer: pointer.to_owned(),
                    received: scalar.clone(),
                    decoded,
                });
            }
        }
    }
}

/// Two RFC 3339 strings naming one instant (`.000000Z` and `Z`, `+00:00`
/// and `Z` are the same time).
fn same_instant(a: &Value, b: &Value) -> bool {
    let parse = |value: &Value| chrono::DateTime::parse_from_rfc3339(value.as_str()?).ok();
    matches!((parse(a), parse(b)), (Some(a), Some(b)) if a == b)
}

/// What the body said must reach the [`ApiError`].
fn compare_error(
    api: &ApiError,
    status: u16,
    json: Option<&Value>,
    body: &[u8],
    report: &mut Report,
) {
    let mut expect = |pointer: &str, received: Option<Value>, decoded: Option<&String>| {
        let decoded = decoded.map_or(Value::Null, |text| Value::String(text.clone()));
        let received = received.unwrap_or(Value::Null);
        if received != decoded {
            report.lost.push(Loss {
                pointer: pointer.to_owned(),
                received,
                decoded,
            });
        }
    };
    if api.status.as_u16() != status {
        expect(
            "(status)",
            Some(json!(status.to_string())),
            Some(&api.status.as_u16().to_string()),
        );
    }
    match json {
        Some(Value::Object(fields)) => {
            let field = |names: &[&'static str]| {
                names.iter().find_map(|name| {
                    fields
                        .get(*name)
                        .filter(|v| !v.is_null())
                        .map(|v| (*name, v.clone()))
                })
            };
            for (names, decoded) in [
                (&["category", "err_code", "error_code"][..], &api.code),
                (&["message", "err_msg"][..], &api.message),
                (&["details"][..], &api.details),
                (&["request_id"][..], &api.request_id),
            ] {
                if let Some((name, value)) = field(names) {
                    let value = match value {
                        Value::String(text) => Value::String(text),
                        other => Value::String(other.to_string()),
                    };
                    expect(&format!("/{name}"), Some(value), decoded.as_ref());
                }
            }
        }
        _ => {
            let text = String::from_utf8_lossy(body).trim().to_owned();
            let received = (!text.is_empty()).then_some(Value::String(text));
            expect("(body text)", received, api.raw_body.as_ref());
        }
    }
}

fn api_error_json(api: &ApiError) -> Value {
    json!({
        "operation": api.operation,
        "status": api.status.as_u16(),
        "code": api.code,
        "message": api.message,
        "details": api.details,
        "request_id": api.request_id,
        "raw_body": api.raw_body,
        "retry_after_seconds": api.retry_after.map(|wait| wait.as_secs()),
    })
}

/// A new key's secret is shown as `<redacted>`: this report may be pasted
/// into an issue.
fn redact_secrets(mut value: Value) -> Value {
    if let Some(key) = value.get_mut("key").filter(|key| key.is_string()) {
        *key = Value::String("<redacted>".into());
    }
    value
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn compare_flags_dropped_and_changed_fields_and_ignores_unknown_ones() {
        let spec = Spec::load().unwrap();
        let schema = json!({"$ref": "#/components/schemas/ApiKey"});
        let received = json!({"api_key_id": "k", "comment": "c", "scopes": ["a", "b"], "created": "2024-05-21T17:19:49.373761Z", "shiny": 1});
        let decoded = json!({"api_key_id": "k", "comment": "C", "scopes": ["a"], "created": "2024-05-21T17:19:49.373761Z"});
        let mut found = report_for_walk();
        compare(&spec, &received, Some(&decoded), &schema, "", &mut found);
        assert_eq!(found.ignored, ["/shiny"]);
        let pointers: Vec<&str> = found
            .lost
            .iter()
            .map(|loss| loss.pointer.as_str())
            .collect();
        assert_eq!(pointers, ["/comment", "/scopes/1"]);
    }

    #[test]
    fn compare_accepts_the_same_instant_written_differently() {
        let spec = Spec::load().unwrap();
        let schema = json!({"$ref": "#/components/schemas/ApiKey"});
        let received = json!({"created": "2024-05-01T00:00:00.000000Z", "expiration_date": "2024-05-01T02:00:00+02:00"});
        let decoded =
            json!({"created": "2024-05-01T00:00:00Z", "expiration_date": "2024-05-01T00:00:00Z"});
        let mut found = report_for_walk();
        compare(&spec, &received, Some(&decoded), &schema, "", &mut found);
        assert!(found.lost.is_empty(), "{:?}", found.lost);
        let decoded =
            json!({"created": "2024-05-01T00:00:01Z", "expiration_date": "2024-05-01T00:00:00Z"});
        compare(&spec, &received, Some(&decoded), &schema, "", &mut found);
        assert_eq!(found.lost.len(), 1);
    }

    #[test]
    fn loss_is_measured_on_what_the_application_receives() {
        let body = json!({"item": {"member": {"member_id": "m", "email": "e", "first_name": "Ada",
            "api_key": {"api_key_id": "k", "comment": "c", "scopes": ["member"], "created": "2024-05-01T00:00:00Z"}}}});
        let (expected, schema) = Call::GetKey.expected(&body);
        assert_eq!(
            expected,
            json!({"api_key": body["item"]["member"]["api_key"], "member": {"member_id": "m", "email": "e", "first_name": "Ada"}})
        );
        // A conversion to `KeyWithMember` that dropped the first name is a
        // loss, although the generated wrapped type kept it.
        let spec = Spec::load().unwrap();
        let mut received = expected.clone();
        received["member"]
            .as_object_mut()
            .unwrap()
            .remove("first_name");
        let mut found = report_for_walk();
        compare(&spec, &expected, Some(&received), &schema, "", &mut found);
        let pointers: Vec<&str> = found
            .lost
            .iter()
            .map(|loss| loss.pointer.as_str())
            .collect();
        assert_eq!(pointers, ["/member/first_name"]);
    }

    #[tokio::test]
    async fn an_operation_the_spec_does_not_have_is_an_error_not_a_guess() {
        let spec = Spec::load().unwrap();
        let err = check(&spec, "rotate_key", 200, b"{}").await.unwrap_err();
        assert!(
            err.contains("the spec has no operation `rotate_key`; use one of list_keys"),
            "{err}"
        );
    }
}
