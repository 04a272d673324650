//! Comparing request bodies, responses, their headers and media types.

use std::collections::BTreeSet;

use serde_json::Value;

use super::{Differ, schema};
use crate::document::{Operation, Response, ResponseKey, child, media_type_essence, object};
use crate::review::kind::{ChangeKind, Direction};

impl<'a> Differ<'a> {
    pub(super) fn request_body(
        &mut self,
        old: Option<&'a Value>,
        new: Option<&'a Value>,
        here: &str,
    ) {
        let required = |body: &Value| {
            body.get("required")
                .and_then(Value::as_bool)
                .unwrap_or(false)
        };
        match (old, new) {
            (None, None) => {}
            (Some(_), None) => self.push(
                ChangeKind::RequestBodyRemoved,
                None,
                here,
                "the request body was removed".into(),
            ),
            (None, Some(new)) => {
                let kind = if required(new) {
                    ChangeKind::RequestBodyAddedRequired
                } else {
                    ChangeKind::RequestBodyAddedOptional
                };
                self.push(kind, None, here, "a request body was added".into());
            }
            (Some(old), Some(new)) => {
                if !required(old) && required(new) {
                    self.push(
                        ChangeKind::RequestBodyBecameRequired,
                        None,
                        &child(here, "required"),
                        "the request body became required".into(),
                    );
                }
                self.documentation(
                    old.get("description"),
                    new.get("description"),
                    &child(here, "description"),
                );
                self.content(
                    old.get("content"),
                    new.get("content"),
                    &child(here, "content"),
                    self.side(Direction::Request),
                    "the request body",
                );
            }
        }
    }

    pub(super) fn responses(&mut self, old: &Operation<'a>, new: &Operation<'a>, here: &str) {
        let (old, new) = (old.responses(), new.responses());
        let labels: BTreeSet<&str> = old.iter().chain(&new).map(|r| r.label).collect();
        let only_in = |these: &[Response<'a>], others: &[Response<'a>]| -> Vec<Response<'a>> {
            these
                .iter()
                .filter(|response| others.iter().all(|other| other.label != response.label))
                .cloned()
                .collect()
        };
        let restated = restated_statuses(&only_in(&old, &new), &only_in(&new, &old));
        // A pair is compared at its status; its range, which may stand for
        // several statuses, is none of its own.
        let is_range =
            |response: &Response<'a>| matches!(response.key, Some(ResponseKey::Range(_)));
        let range_and_status =
            |(before, after): &(Response<'a>, Response<'a>)| match is_range(before) {
                true => (before.label, after.label),
                false => (after.label, before.label),
            };
        for label in labels {
            let at = child(here, label);
            let find =
                |responses: &[Response<'a>]| responses.iter().find(|r| r.label == label).cloned();
            if restated
                .iter()
                .any(|pair| range_and_status(pair).0 == label)
            {
                continue;
            }
            let (before, after) = match restated
                .iter()
                .find(|pair| range_and_status(pair).1 == label)
            {
                Some((before, after)) => (Some(before.clone()), Some(after.clone())),
                None => (find(&old), find(&new)),
            };
            match (before, after) {
                (None, None) => {}
                (Some(removed), None) => {
                    let keys = old.iter().filter_map(|response| response.key);
                    let kind = if removed.key.is_some_and(|key| key.success_among(keys)) {
                        ChangeKind::SuccessStatusRemoved
                    } else {
                        ChangeKind::ErrorStatusRemoved
                    };
                    self.push(kind, None, &at, format!("response {label} was removed"));
                }
                (None, Some(_)) => self.push(
                    ChangeKind::ResponseStatusAdded,
                    None,
                    &at,
                    format!("a new response {label}"),
                ),
                (Some(old_response), Some(new_response)) => {
                    let at = child(here, new_response.label);
                    self.documentation(
                        old_response.value.get("description"),
                        new_response.value.get("description"),
                        &child(&at, "description"),
                    );
                    let subject = format!("the {label} response");
                    self.headers(&old_response, &new_response, &at, &subject);
                    self.content(
                        old_response.value.get("content"),
                        new_response.value.get("content"),
                        &child(&at, "content"),
                        self.side(Direction::Response),
                        &subject,
                    );
                }
            }
        }
    }

    pub(super) fn content(
        &mut self,
        old: Option<&'a Value>,
        new: Option<&'a Value>,
        here: &str,
        direction: Direction,
        subject: &str,
    ) {
        let (old, new) = (object(old), object(new));
        // Matched by essence: `application/JSON` is `application/json`.
        let find = |content: &'a serde_json::Map<String, Value>, media_type: &str| {
            let wanted = media_type_essence(media_type);
            content
                .iter()
                .find(|(candidate, _)| media_type_essence(candidate) == wanted)
                .map(|(_, media)| media)
        };
        for (media_type, old_media) in old {
            let at = child(here, media_type);
            let Some(new_media) = find(new, media_type) else {
                self.push(
                    ChangeKind::MediaTypeRemoved,
                    Some(direction),
                    &at,
                    format!("{subject} no longer offers `{media_type}`"),
                );
                continue;
            };
            self.documentation(
                old_media.get("example"),
                new_media.get("example"),
                &child(&at, "example"),
            );
            let there = child(&at, "schema");
            // No schema, `true` and `{}` all allow any body.
            let constraining = |media: &'a Value| {
                media
                    .get("schema")
                    .filter(|schema| !schema::allows_all(Some(schema)))
            };
            match (constraining(old_media), constraining(new_media)) {
                (Some(old_schema), Some(new_schema)) => {
                    self.schema(old_schema, new_schema, &there, direction, subject)
                }
                (None, Some(_)) => self.push(
                    ChangeKind::ConstraintAdded,
                    Some(direction),
                    &there,
                    format!("{subject}: `{media_type}` now has a schema"),
                ),
                (Some(_), None) => self.push(
                    ChangeKind::ConstraintRemoved,
                    Some(direction),
                    &there,
                    format!("{subject}: `{media_type}` no longer has a schema"),
                ),
                (None, None) => {}
            }
        }
        for media_type in new
            .keys()
            .filter(|media_type| find(old, media_type).is_none())
        {
            self.push(
                ChangeKind::MediaTypeAdded,
                Some(direction),
                &child(here, media_type),
                format!("{subject} also offers `{media_type}`"),
            );
        }
    }

    /// Compares a parameter or header that either side describes by
    /// `content` (a media type and its schema) instead of `schema`, and
    /// says whether it did. From `schema` to `content` or back, the value
    /// is written another way on the wire.
    pub(super) fn described_by_content(
        &mut self,
        old: &'a Value,
        new: &'a Value,
        here: &str,
        direction: Direction,
        subject: &str,
    ) -> bool {
        match (old.get("content"), new.get("content")) {
            (None, None) => false,
            (Some(old_content), Some(new_content)) => {
                self.content(
                    Some(old_content),
                    Some(new_content),
                    &child(here, "content"),
                    direction,
                    subject,
                );
                true
            }
            (old_content, _) => {
                let (before, after) = if old_content.is_some() {
                    ("a media type", "a schema")
                } else {
                    ("a schema", "a media type")
                };
                self.push(
                    ChangeKind::ParameterSerializationChanged,
                    None,
                    here,
                    format!("{subject} is written differently: by {before}, now by {after}"),
                );
                true
            }
        }
    }

    fn headers(&mut self, old: &Response<'a>, new: &Response<'a>, here: &str, subject: &str) {
        let (old_headers, new_headers) = (old.headers(), new.headers());
        let required = |header: &Value| {
            header
                .get("required")
                .and_then(Value::as_bool)
                .unwrap_or(false)
        };
        let find = |headers: &[(&str, &'a Value)], name: &str| {
            headers
                .iter()
                .find(|(candidate, _)| candidate.eq_ignore_ascii_case(name))
                .map(|(_, header)| *header)
        };
        let base = child(here, "headers");
        let direction = self.side(Direction::Response);
        for (name, before) in &old_headers {
            let at = child(&base, name);
            let what = format!("{subject}, header `{name}`");
            let Some(after) = find(&new_headers, name) else {
                let kind = if required(before) {
                    ChangeKind::ResponseRequiredHeaderRemoved
                } else {
                    ChangeKind::ResponseOptionalHeaderRemoved
                };
                self.push(kind, Some(direction), &at, format!("{what} was removed"));
                continue;
            };
            match (required(before), required(after)) {
                (true, false) => self.push(
                    ChangeKind::ResponseHeaderBecameOptional,
                    Some(direction),
                    &at,
                    format!("{what} became optional"),
                ),
                (false, true) => self.push(
                    ChangeKind::ResponseHeaderBecameRequired,
                    Some(direction),
                    &at,
                    format!("{what} became required"),
                ),
                _ => {}
            }
            self.documentation(
                before.get("description"),
                after.get("description"),
                &child(&at, "description"),
            );
            self.lifecycle(before, after, &at, &what);
            if self.described_by_content(before, after, &at, direction, &what) {
                continue;
            }
            if let (Some(old_schema), Some(new_schema)) =
                (before.get("schema"), after.get("schema"))
            {
                self.schema(
                    old_schema,
                    new_schema,
                    &child(&at, "schema"),
                    direction,
                    &what,
                );
            }
        }
        for (name, _) in &new_headers {
            if find(&old_headers, name).is_none() {
                self.push(
                    ChangeKind::ResponseHeaderAdded,
                    Some(direction),
                    &child(&base, name),
                    format!("{subject} has a new header `{name}`"),
                );
            }
        }
    }
}

/// Responses one side states by a status and the other by the range that
/// holds it (`200` became `2XX`, or the other way): the same response,
/// compared across. Each pair is (old, new), of responses found on one
/// side only. Every status the range holds pairs with it: `200` and `201`
/// that became one `2XX` are both still described, and a `2XX` that became
/// `200` and `201` describes both of them.
fn restated_statuses<'a>(
    removed: &[Response<'a>],
    added: &[Response<'a>],
) -> Vec<(Response<'a>, Response<'a>)> {
    let holds = |range: Option<ResponseKey>, code: Option<ResponseKey>| match (range, code) {
        (Some(range @ ResponseKey::Range(_)), Some(ResponseKey::Code(code))) => range.covers(code),
        _ => false,
    };
    let mut pairs: Vec<(Response<'a>, Response<'a>)> = Vec::new();
    for before in removed {
        for after in added {
            if holds(after.key, before.key) || holds(before.key, after.key) {
                pairs.push((before.clone(), after.clone()));
            }
        }
    }
    pairs
}
