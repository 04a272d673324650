//! The operations of a document, each with what applies to it: the path
//! item's parameters merged with its own, its responses and request body,
//! all through resolved `$ref`s.

use serde_json::Value;

use super::{Document, ResponseKey, child, object};

/// The HTTP methods a path item may hold, in OpenAPI's order. Other keys of
/// a path item (`parameters`, `summary`, extensions) are not operations.
pub(super) const METHODS: [&str; 8] = [
    "get", "put", "post", "delete", "options", "head", "patch", "trace",
];

/// Header parameters OpenAPI says to ignore: the HTTP layer and the security
/// schemes own these headers (Deepgram's document declares `Authorization`).
const IGNORED_HEADERS: [&str; 3] = ["Accept", "Content-Type", "Authorization"];

/// One operation, found at `/paths/{path}/{method}`.
#[derive(Debug, Clone)]
pub struct Operation<'d> {
    document: &'d Document,
    /// The path template, e.g. `/v1/projects/{project_id}/keys`.
    pub path: &'d str,
    /// The method, lower case.
    pub method: &'static str,
    /// The (resolved) path item that holds it.
    pub item: &'d Value,
    /// The operation object.
    pub value: &'d Value,
    /// A JSON pointer to the operation object.
    pub pointer: String,
}

/// A parameter as an operation sees it.
#[derive(Debug, Clone)]
pub struct Parameter<'d> {
    /// Its `name`.
    pub name: &'d str,
    /// Its `in`: `path`, `query`, `header` or `cookie`.
    pub location: &'d str,
    /// The (resolved) parameter object.
    pub value: &'d Value,
    /// Where it is listed: in the operation, or in the path item.
    pub pointer: String,
}

/// One declared response of an operation.
#[derive(Debug, Clone)]
pub struct Response<'d> {
    document: &'d Document,
    /// The key as written (`200`, `4XX`, `default`).
    pub label: &'d str,
    /// The key as read, `None` when it is not a valid response key.
    pub key: Option<ResponseKey>,
    /// The (resolved) response object.
    pub value: &'d Value,
    /// A JSON pointer to the key's entry.
    pub pointer: String,
}

impl Document {
    /// Every operation, in document order.
    pub fn operations(&self) -> Vec<Operation<'_>> {
        self.operations_in(self.root().get("paths"), "/paths")
    }

    /// The operations of the webhooks (OpenAPI 3.1: `webhooks` maps a name
    /// to a path item that the API calls, not one it serves). The webhook's
    /// name stands where a path would.
    pub fn webhooks(&self) -> Vec<Operation<'_>> {
        self.operations_in(self.root().get("webhooks"), "/webhooks")
    }

    /// The operations of the path items in `items` (a map of path, webhook
    /// name or callback expression to path item), found at `base`.
    fn operations_in<'d>(&'d self, items: Option<&'d Value>, base: &str) -> Vec<Operation<'d>> {
        let mut found = Vec::new();
        for (path, item) in object(items) {
            let item = self.resolved(item);
            let item_pointer = child(base, path);
            for method in METHODS {
                if let Some(value) = item.get(method) {
                    found.push(Operation {
                        document: self,
                        path,
                        method,
                        item,
                        value,
                        pointer: child(&item_pointer, method),
                    });
                }
            }
        }
        found
    }

    /// The operation with this operationId.
    pub fn operation(&self, id: &str) -> Option<Operation<'_>> {
        self.operations()
            .into_iter()
            .find(|operation| operation.id() == Some(id))
    }
}

impl<'d> Operation<'d> {
    /// Its operationId, when it has a non-blank one.
    pub fn id(&self) -> Option<&'d str> {
        self.value
            .get("operationId")
            .and_then(Value::as_str)
            .filter(|id| !id.trim().is_empty())
    }

    /// Whether it has no `security` of its own, so the document's applies
    /// (`security: []` is its own: no authentication).
    pub fn inherits_security(&self) -> bool {
        self.value.get("security").is_none()
    }

    /// How reports name it: `GET /path (operationId)`.
    pub fn label(&self) -> String {
        format!(
            "{} {} ({})",
            self.method.to_uppercase(),
            self.path,
            self.id().unwrap_or("?")
        )
    }

    /// Its parameters: the path item's, then its own; one of its own
    /// replaces the path item's of the same name and location. The headers
    /// OpenAPI says to ignore are left out.
    pub fn parameters(&self) -> Vec<Parameter<'d>> {
        // The path item holding this operation, wherever it sits (`paths`,
        // `webhooks` or a callback).
        let path_item = self
            .pointer
            .rsplit_once('/')
            .map_or_else(String::new, |(item, _)| item.to_owned());
        let sources = [
            (self.item.get("parameters"), child(&path_item, "parameters")),
            (
                self.value.get("parameters"),
                child(&self.pointer, "parameters"),
            ),
        ];
        let mut found: Vec<Parameter<'d>> = Vec::new();
        for (list, base) in sources {
            let list = list.and_then(Value::as_array).map(Vec::as_slice);
            for (index, parameter) in list.unwrap_or_default().iter().enumerate() {
                let value = self.document.resolved(parameter);
                let text = |field: &str| value.get(field).and_then(Value::as_str).unwrap_or("");
                let (name, location) = (text("name"), text("in"));
                if location == "header"
                    && IGNORED_HEADERS
                        .iter()
                        .any(|ignored| ignored.eq_ignore_ascii_case(name))
                {
                    continue;
                }
                let parameter = Parameter {
                    name,
                    location,
                    value,
                    pointer: format!("{base}/{index}"),
                };
                found.retain(|existing| !existing.same_as(&parameter));
                found.push(parameter);
            }
        }
        found
    }

    /// Its declared responses, in document order.
    pub fn responses(&self) -> Vec<Response<'d>> {
        let base = child(&self.pointer, "responses");
        object(self.value.get("responses"))
            .iter()
            .map(|(label, value)| Response {
                document: self.document,
                label,
                key: ResponseKey::parse(label),
                value: self.document.resolved(value),
                pointer: child(&base, label),
            })
            .collect()
    }

    /// The response that describes `status`: its exact code, else its
    /// range, else `default`.
    pub fn response_for(&self, status: u16) -> Option<Response<'d>> {
        let responses = self.responses();
        let keyed = responses
            .iter()
            .filter_map(|response| Some((response.key?, response)));
        ResponseKey::best_match(keyed, status).map(|(_, response)| response.clone())
    }

    /// Its callbacks: each name with the operations the API calls back
    /// (the callback expression stands where a path would).
    pub fn callbacks(&self) -> Vec<(&'d str, Vec<Operation<'d>>)> {
        let base = child(&self.pointer, "callbacks");
        object(self.value.get("callbacks"))
            .iter()
            .map(|(name, callback)| {
                let callback = self.document.resolved(callback);
                let operations = self
                    .document
                    .operations_in(Some(callback), &child(&base, name));
                (name.as_str(), operations)
            })
            .collect()
    }

    /// Its (resolved) request body, if it has one.
    pub fn request_body(&self) -> Option<&'d Value> {
        self.value
            .get("requestBody")
            .map(|body| self.document.resolved(body))
    }
}

impl Parameter<'_> {
    /// Its name as it is matched: a header's in lower case, since HTTP
    /// header names are case-insensitive; any other exactly.
    pub fn matching_name(&self) -> String {
        if self.location == "header" {
            self.name.to_ascii_lowercase()
        } else {
            self.name.to_owned()
        }
    }

    /// Whether `other` is the same parameter: same location, same name.
    fn same_as(&self, other: &Parameter) -> bool {
        self.location == other.location && self.matching_name() == other.matching_name()
    }

    /// Whether callers must send it.
    pub fn required(&self) -> bool {
        self.value
            .get("required")
            .and_then(Value::as_bool)
            .unwrap_or(false)
    }
}

impl<'d> Response<'d> {
    /// The schema of its JSON body (see [`super::is_json`]), if it has one.
    pub fn json_schema(&self) -> Option<&'d Value> {
        object(self.value.get("content"))
            .iter()
            .find(|(media_type, _)| super::is_json(media_type))
            .and_then(|(_, media)| media.get("schema"))
    }

    /// Its headers by name, each resolved. `Content-Type` is left out, as
    /// OpenAPI says: the media types own it.
    pub fn headers(&self) -> Vec<(&'d str, &'d Value)> {
        object(self.value.get("headers"))
            .iter()
            .filter(|(name, _)| !name.eq_ignore_ascii_case("Content-Type"))
            .map(|(name, header)| (name.as_str(), self.document.resolved(header)))
            .collect()
    }

    /// The schema of a body that is not JSON, if it declares one.
    pub fn other_schema(&self) -> Option<&'d Value> {
        object(self.value.get("content"))
            .iter()
            .find(|(media_type, _)| !super::is_json(media_type))
            .and_then(|(_, media)| media.get("schema"))
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn document() -> Document {
        Document::new(
            "spec.yaml",
            json!({
                "paths": {
                    "/things/{id}": {
                        "parameters": [
                            {"name": "id", "in": "path", "required": true},
                            {"name": "verbose", "in": "query"},
                        ],
                        "summary": "not an operation",
                        "get": {
                            "operationId": "get_thing",
                            "parameters": [{"$ref": "#/components/parameters/Verbose"}],
                            "responses": {
                                "200": {"$ref": "#/components/responses/Ok"},
                                "4XX": {"description": "client"},
                                "default": {"description": "other"},
                            },
                        },
                        "x-extension": {"operationId": "no"},
                    }
                },
                "components": {
                    "parameters": {"Verbose": {"name": "verbose", "in": "query", "required": true}},
                    "responses": {"Ok": {"description": "ok", "content": {"application/json; charset=utf-8": {"schema": {"type": "string"}}}}},
                },
            }),
        )
    }

    #[test]
    fn operations_are_the_method_keys_only() {
        let doc = document();
        let operations = doc.operations();
        assert_eq!(operations.len(), 1);
        assert_eq!(operations[0].label(), "GET /things/{id} (get_thing)");
        assert_eq!(operations[0].pointer, "/paths/~1things~1{id}/get");
    }

    #[test]
    fn an_operation_parameter_replaces_the_path_items() {
        let doc = document();
        let operation = doc.operation("get_thing").unwrap();
        let parameters: Vec<(&str, bool, String)> = operation
            .parameters()
            .iter()
            .map(|p| (p.name, p.required(), p.pointer.clone()))
            .collect();
        assert_eq!(
            parameters,
            [
                ("id", true, "/paths/~1things~1{id}/parameters/0".to_owned()),
                (
                    "verbose",
                    true,
                    "/paths/~1things~1{id}/get/parameters/0".to_owned()
                ),
            ]
        );
    }

    #[test]
    fn a_status_finds_its_response_through_refs_and_ranges() {
        let doc = document();
        let operation = doc.operation("get_thing").unwrap();
        let ok = operation.response_for(200).unwrap();
        assert_eq!(ok.json_schema(), Some(&json!({"type": "string"})));
        assert_eq!(operation.response_for(404).unwrap().label, "4XX");
        assert_eq!(operation.response_for(503).unwrap().label, "default");
    }

    #[test]
    fn webhooks_callbacks_and_headers_are_read_through_refs() {
        let doc = Document::new(
            "spec.yaml",
            json!({
                "webhooks": {"newThing": {"post": {"operationId": "on_new_thing"}}},
                "paths": {"/things": {"post": {
                    "operationId": "subscribe",
                    "callbacks": {"done": {"{$request.body#/url}": {"post": {"operationId": "on_done"}}}},
                    "responses": {"200": {"description": "ok", "headers": {
                        "Content-Type": {"schema": {"type": "string"}},
                        "X-Id": {"$ref": "#/components/headers/Id"},
                    }}},
                }}},
                "components": {"headers": {"Id": {"required": true}}},
            }),
        );
        let webhooks = doc.webhooks();
        assert_eq!(webhooks.len(), 1);
        assert_eq!(webhooks[0].pointer, "/webhooks/newThing/post");
        assert_eq!(webhooks[0].id(), Some("on_new_thing"));
        let subscribe = doc.operation("subscribe").unwrap();
        let callbacks = subscribe.callbacks();
        assert_eq!(callbacks.len(), 1);
        assert_eq!(callbacks[0].0, "done");
        assert_eq!(
            callbacks[0].1[0].pointer,
            "/paths/~1things/post/callbacks/done/{$request.body#~1url}/post"
        );
        let ok = subscribe.response_for(200).unwrap();
        assert_eq!(ok.headers(), [("X-Id", &json!({"required": true}))]);
    }
}
