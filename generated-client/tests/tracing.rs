//! The `tracing` feature: one span per call with what happened, against
//! the fake Deepgram, and never a secret or a body.

use std::collections::BTreeMap;
use std::io::Write;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use deepgram_keys::CreateKey;
use deepgram_keys_fake::{FakeDeepgram, Fault, Operation};
use tracing_subscriber::Layer;
use tracing_subscriber::field::Visit;
use tracing_subscriber::layer::{Context, SubscriberExt};
use tracing_subscriber::registry::LookupSpan;
use tracing_subscriber::util::SubscriberInitExt;

const TOKEN: &str = "5ec12e7a0ce55c0de5ec12e7a0ce55c0de5ec12e";
const COMMENT: &str = "comment-that-only-a-body-holds";
const UNKNOWN_KEY: &str = "0f4d7f8c-2a44-4a55-9d5c-7a3f2c1b9e10";

type Fields = BTreeMap<String, String>;

/// A span as it stood when it closed.
#[derive(Debug, Clone)]
struct SpanRecord {
    name: String,
    target: String,
    fields: Fields,
    events: Vec<Fields>,
}

/// Records every span and event, field by field.
#[derive(Clone, Default)]
struct Capture {
    open: Arc<Mutex<BTreeMap<u64, SpanRecord>>>,
    closed: Arc<Mutex<Vec<SpanRecord>>>,
    /// Events outside any span of this crate.
    loose: Arc<Mutex<Vec<Fields>>>,
}

struct Collect<'a>(&'a mut Fields);

impl Visit for Collect<'_> {
    fn record_str(&mut self, field: &tracing::field::Field, value: &str) {
        self.0.insert(field.name().to_owned(), value.to_owned());
    }
    fn record_debug(&mut self, field: &tracing::field::Field, value: &dyn std::fmt::Debug) {
        self.0.insert(field.name().to_owned(), format!("{value:?}"));
    }
}

impl<S: tracing::Subscriber + for<'a> LookupSpan<'a>> Layer<S> for Capture {
    fn on_new_span(
        &self,
        attrs: &tracing::span::Attributes<'_>,
        id: &tracing::span::Id,
        _: Context<'_, S>,
    ) {
        let mut fields = Fields::new();
        attrs.record(&mut Collect(&mut fields));
        let record = SpanRecord {
            name: attrs.metadata().name().to_owned(),
            target: attrs.metadata().target().to_owned(),
            fields,
            events: Vec::new(),
        };
        self.open.lock().unwrap().insert(id.into_u64(), record);
    }

    fn on_record(
        &self,
        id: &tracing::span::Id,
        values: &tracing::span::Record<'_>,
        _: Context<'_, S>,
    ) {
        if let Some(span) = self.open.lock().unwrap().get_mut(&id.into_u64()) {
            values.record(&mut Collect(&mut span.fields));
        }
    }

    fn on_event(&self, event: &tracing::Event<'_>, context: Context<'_, S>) {
        let mut fields = Fields::new();
        event.record(&mut Collect(&mut fields));
        fields.insert("target".into(), event.metadata().target().to_owned());
        let span = context.event_span(event).map(|span| span.id().into_u64());
        let mut open = self.open.lock().unwrap();
        match span.and_then(|id| open.get_mut(&id)) {
            Some(span) => span.events.push(fields),
            None => self.loose.lock().unwrap().push(fields),
        }
    }

    fn on_close(&self, id: tracing::span::Id, _: Context<'_, S>) {
        if let Some(span) = self.open.lock().unwrap().remove(&id.into_u64()) {
            self.closed.lock().unwrap().push(span);
        }
    }
}

/// What a `fmt` subscriber prints, for the secrets check on real output.
#[derive(Clone, Default)]
struct Printed(Arc<Mutex<Vec<u8>>>);

impl Write for Printed {
    fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(bytes);
        Ok(bytes.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

#[tokio::test]
async fn a_scenario_leaves_one_span_per_call_with_what_happened_and_no_secret() {
    let capture = Capture::default();
    let printed = Printed::default();
    let writer = printed.clone();
    let _guard = tracing_subscriber::registry()
        .with(capture.clone())
        .with(
            tracing_subscriber::fmt::layer()
                .with_writer(move || writer.clone())
                .with_span_events(tracing_subscriber::fmt::format::FmtSpan::CLOSE)
                .with_ansi(false),
        )
        .set_default();

    let fake = FakeDeepgram::builder().owner_token(TOKEN).start().unwrap();
    let project = fake.project_id();
    let client = fake.client();

    // A success at the first attempt.
    client.list_keys(project, None).await.unwrap();
    // A create, whose answer holds a new secret.
    let created = client
        .create_key(project, &CreateKey::new(COMMENT, ["member"]))
        .await
        .unwrap();
    let new_secret = created.key.expose_secret().to_owned();
    // Two retries: a 503, then a 429 with Retry-After.
    fake.fail_next(Operation::GetKey, 1, Fault::status(503));
    fake.fail_next(
        Operation::GetKey,
        1,
        Fault::status(429).retry_after(Duration::from_secs(1)),
    );
    client.get_key(project, &created.api_key_id).await.unwrap();
    // An API error.
    client.delete_key(project, UNKNOWN_KEY).await.unwrap_err();
    // A create that fails with a 503 and is not retried.
    fake.fail_next(Operation::CreateKey, 1, Fault::status(503));
    client
        .create_key(project, &CreateKey::new(COMMENT, ["member"]))
        .await
        .unwrap_err();
    // A create whose connection breaks.
    fake.fail_next(Operation::CreateKey, 1, Fault::drop_connection());
    client
        .create_key(project, &CreateKey::new(COMMENT, ["member"]))
        .await
        .unwrap_err();

    // A call refused before sending: an id that would leave its segment.
    client.delete_key(project, "..").await.unwrap_err();

    let spans: Vec<SpanRecord> = capture
        .closed
        .lock()
        .unwrap()
        .iter()
        .filter(|span| span.target == "deepgram_keys")
        .cloned()
        .collect();
    let names: Vec<&str> = spans.iter().map(|span| span.name.as_str()).collect();
    assert_eq!(
        names,
        [
            "list_keys",
            "create_key",
            "get_key",
            "delete_key",
            "create_key",
            "create_key",
            "delete_key"
        ],
        "one span per call"
    );
    let log = fake.requests();
    let request_id_of = |index: usize| log[index].request_id.clone();
    let field = |span: &SpanRecord, name: &str| span.fields.get(name).cloned();

    let (refused, spans) = spans.split_last().unwrap();
    assert_eq!(
        field(refused, "error.type").as_deref(),
        Some("invalid_request")
    );
    assert_eq!(field(refused, "deepgram.key_id").as_deref(), Some(".."));
    assert_eq!(
        field(refused, "deepgram.attempts"),
        None,
        "nothing was sent"
    );
    for span in spans {
        assert_eq!(field(span, "otel.kind").as_deref(), Some("client"));
        assert_eq!(
            field(span, "deepgram.operation").as_deref(),
            Some(span.name.as_str())
        );
        assert_eq!(field(span, "deepgram.project_id").as_deref(), Some(project));
        assert_eq!(field(span, "server.address").as_deref(), Some("127.0.0.1"));
        let url = field(span, "url.full").unwrap();
        assert!(
            url.starts_with(&format!("{}/v1/projects/{project}/keys", fake.url())),
            "{url}"
        );
        let elapsed: f64 = field(span, "elapsed_ms").unwrap().parse().unwrap();
        assert!(elapsed > 0.0);
    }

    let [list, create, get, delete, refused_create, broken_create] = spans else {
        unreachable!()
    };
    assert_eq!(field(list, "http.request.method").as_deref(), Some("GET"));
    assert_eq!(
        field(list, "http.response.status_code").as_deref(),
        Some("200")
    );
    assert_eq!(field(list, "deepgram.attempts").as_deref(), Some("1"));
    assert_eq!(field(list, "http.request.resend_count"), None);
    assert_eq!(
        field(list, "deepgram.request_id"),
        Some(request_id_of(0)),
        "the success's request id"
    );
    assert_eq!(field(list, "error.type"), None);
    assert_eq!(field(list, "otel.status_code"), None);

    assert_eq!(
        field(create, "http.request.method").as_deref(),
        Some("POST")
    );
    assert_eq!(field(create, "deepgram.request_id"), Some(request_id_of(1)));
    assert_eq!(
        field(create, "http.response.status_code").as_deref(),
        Some("200")
    );

    assert_eq!(
        field(get, "deepgram.key_id"),
        Some(created.api_key_id.clone())
    );
    assert_eq!(field(get, "deepgram.attempts").as_deref(), Some("3"));
    assert_eq!(
        field(get, "http.request.resend_count").as_deref(),
        Some("2")
    );
    assert_eq!(
        field(get, "http.response.status_code").as_deref(),
        Some("200")
    );
    assert_eq!(field(get, "deepgram.request_id"), Some(request_id_of(4)));
    let retries: Vec<_> = get
        .events
        .iter()
        .filter(|event| event.contains_key("retry"))
        .collect();
    assert_eq!(retries.len(), 2, "{:?}", get.events);
    let event = |index: usize, name: &str| retries[index].get(name).cloned();
    assert_eq!(event(0, "retry").as_deref(), Some("1"));
    assert_eq!(event(0, "reason").as_deref(), Some("server_error"));
    assert_eq!(
        event(0, "http.response.status_code").as_deref(),
        Some("503")
    );
    assert_eq!(event(0, "deepgram.request_id"), Some(request_id_of(2)));
    assert_eq!(event(0, "retry_after").as_deref(), Some("false"));
    let first_wait: f64 = event(0, "wait_ms").unwrap().parse().unwrap();
    assert!(
        first_wait > 0.0 && first_wait < 100.0,
        "the fake's short backoff: {first_wait}"
    );
    assert_eq!(event(1, "retry").as_deref(), Some("2"));
    assert_eq!(event(1, "reason").as_deref(), Some("rate_limited"));
    assert_eq!(
        event(1, "http.response.status_code").as_deref(),
        Some("429")
    );
    assert_eq!(event(1, "retry_after").as_deref(), Some("true"));
    let second_wait: f64 = event(1, "wait_ms").unwrap().parse().unwrap();
    assert_eq!(second_wait, 1000.0, "as Retry-After asked");
    assert_eq!(event(1, "target").as_deref(), Some("deepgram_keys"));

    assert_eq!(
        field(delete, "http.response.status_code").as_deref(),
        Some("404")
    );
    assert_eq!(field(delete, "error.type").as_deref(), Some("404"));
    assert_eq!(field(delete, "otel.status_code").as_deref(), Some("ERROR"));
    assert_eq!(field(delete, "deepgram.request_id"), Some(request_id_of(5)));

    assert_eq!(
        field(refused_create, "deepgram.attempts").as_deref(),
        Some("1")
    );
    assert_eq!(field(refused_create, "error.type").as_deref(), Some("503"));
    assert!(
        refused_create
            .events
            .iter()
            .all(|event| !event.contains_key("retry"))
    );

    assert_eq!(
        field(broken_create, "error.type").as_deref(),
        Some("transport")
    );
    assert_eq!(
        field(broken_create, "deepgram.attempts").as_deref(),
        Some("1")
    );

    // Nothing secret and no body, in the fields or in printed output.
    let printed = String::from_utf8(printed.0.lock().unwrap().clone()).unwrap();
    assert!(
        printed.contains("list_keys{"),
        "the fmt layer printed: {printed}"
    );
    let everything = format!("{spans:?}\n{:?}\n{printed}", capture.loose.lock().unwrap());
    for secret in [
        TOKEN,
        new_secret.as_str(),
        COMMENT,
        "API key not found",
        "Token ",
    ] {
        assert!(
            !everything.contains(secret),
            "{secret:?} reached the trace:\n{everything}"
        );
    }
}

/// A server that echoes the caller's token in `dg-request-id` gets it
/// recorded nowhere: not in a success's span, not in a retry event, not in
/// a 401's span, and not in what a `fmt` subscriber prints.
#[tokio::test]
async fn an_echoed_token_in_dg_request_id_reaches_no_span_event_or_output() {
    use wiremock::matchers::{method, path_regex};
    use wiremock::{Mock, MockServer, ResponseTemplate};

    let capture = Capture::default();
    let printed = Printed::default();
    let writer = printed.clone();
    let _guard = tracing_subscriber::registry()
        .with(capture.clone())
        .with(
            tracing_subscriber::fmt::layer()
                .with_writer(move || writer.clone())
                .with_span_events(tracing_subscriber::fmt::format::FmtSpan::CLOSE)
                .with_ansi(false),
        )
        .set_default();

    let server = MockServer::start().await;
    let echo = |status: u16| {
        ResponseTemplate::new(status).insert_header("dg-request-id", format!("req-{TOKEN}-echo"))
    };
    // The 401: only for the project `denied`.
    Mock::given(method("GET"))
        .and(path_regex("^/v1/projects/denied/keys$"))
        .respond_with(echo(401).set_body_json(serde_json::json!({
            "err_code": "INVALID_AUTH",
            "err_msg": "Invalid credentials.",
            "request_id": format!("req-{TOKEN}-echo"),
        })))
        .with_priority(1)
        .mount(&server)
        .await;
    // One 503 for the project `flaky`, then successes.
    Mock::given(method("GET"))
        .and(path_regex("^/v1/projects/flaky/keys$"))
        .respond_with(echo(503))
        .up_to_n_times(1)
        .with_priority(1)
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .respond_with(echo(200).set_body_json(serde_json::json!({"api_keys": []})))
        .with_priority(5)
        .mount(&server)
        .await;

    let client = deepgram_keys::Client::builder()
        .api_key(TOKEN)
        .base_url(server.uri())
        .backoff(Duration::from_millis(5), Duration::from_millis(20))
        .build()
        .unwrap();
    client.list_keys("ok", None).await.unwrap();
    client.list_keys("flaky", None).await.unwrap();
    let denied = client.list_keys("denied", None).await.unwrap_err();
    assert_eq!(denied.status().map(|status| status.as_u16()), Some(401));

    let spans: Vec<SpanRecord> = capture
        .closed
        .lock()
        .unwrap()
        .iter()
        .filter(|span| span.target == "deepgram_keys")
        .cloned()
        .collect();
    assert_eq!(spans.len(), 3, "one span per call: {spans:?}");
    for span in &spans {
        let request_id = span.fields.get("deepgram.request_id");
        assert!(
            request_id.is_some_and(|id| id.contains("<redacted>")),
            "the request id is recorded, token redacted: {span:?}"
        );
    }
    let retries: Vec<&Fields> = spans[1]
        .events
        .iter()
        .filter(|event| event.contains_key("retry"))
        .collect();
    assert_eq!(retries.len(), 1, "the 503 was retried: {:?}", spans[1]);
    assert!(
        retries[0]
            .get("deepgram.request_id")
            .is_some_and(|id| id.contains("<redacted>")),
        "the retry event records the request id, token redacted: {:?}",
        retries[0]
    );
    assert_eq!(
        spans[2]
            .fields
            .get("http.response.status_code")
            .map(String::as_str),
        Some("401")
    );

    let printed = String::from_utf8(printed.0.lock().unwrap().clone()).unwrap();
    assert!(
        printed.contains("list_keys{"),
        "the fmt layer printed: {printed}"
    );
    let everything = format!("{spans:?}\n{:?}\n{printed}", capture.loose.lock().unwrap());
    assert!(
        !everything.contains(TOKEN),
        "the echoed token reached the trace:\n{everything}"
    );
    assert!(!format!("{denied}\n{denied:?}").contains(TOKEN));
}
