//! Comparing request bodies, responses, their headers and media types.

use std::collections::BTreeSet;

use serde_json::Value;

use super::Differ;
use crate::document::{Operation, Response, ResponseKey, child, object};
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
        for label in labels {
            let at = child(here, label);
            let find =
                |responses: &[Response<'a>]| responses.iter().find(|r| r.label == label).cloned();
            match (find(&old), find(&new)) {
                (None, None) => {}
                (Some(removed), None) => {
                    let kind = if removed.key.is_some_and(ResponseKey::may_be_success) {
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

    fn content(
        &mut self,
        old: Option<&'a Value>,
        new: Option<&'a Value>,
        here: &str,
        direction: Direction,
        subject: &str,
    ) {
        let (old, new) = (object(old), object(new));
        for (media_type, old_media) in old {
            let at = child(here, media_type);
            let Some(new_media) = new.get(media_type) else {
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
            match (old_media.get("schema"), new_media.get("schema")) {
                (Some(old_schema), Some(new_schema)) => {
                    self.schema(old_schema, new_schema, &there, direction, subject)
                }
                // No schema allows any body.
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
            .filter(|media_type| !old.contains_key(*media_type))
        {
            self.push(
                ChangeKind::MediaTypeAdded,
                Some(direction),
                &child(here, media_type),
                format!("{subject} also offers `{media_type}`"),
            );
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
