//! The operations of a document, each with what applies to it: the path
//! item's parameters merged with its own, its responses and request body,
//! all through resolved `$ref`s.

use serde_json::Value;

use super::{Document, ResponseKey, child, object, pointer};

/// The HTTP methods a path item may hold, in OpenAPI's order. Other keys of
/// a path item (`parameters`, `summary`, extensions) are not operations.
pub const METHODS: [&str; 8] = [
    "get", "put", "post", "delete", "options", "head", "patch", "trace",
];

/// Header parameters OpenAPI says to ignore: the HTTP layer and the security
/// schemes own these headers (Deepgram's document declares `Authorization`).
pub const IGNORED_HEADERS: [&str; 3] = ["Accept", "Content-Type", "Authorization"];

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
        let mut found = Vec::new();
        for (path, item) in self.object_at("/paths") {
            let item = self.resolved(item);
            let item_pointer = pointer(["paths", path.as_str()]);
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
        let path_item = pointer(["paths", self.path]);
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
                found.retain(|existing| (existing.name, existing.location) != (name, location));
                found.push(Parameter {
                    name,
                    location,
                    value,
                    pointer: format!("{base}/{index}"),
                });
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

    /// Its (resolved) request body, if it has one.
    pub fn request_body(&self) -> Option<&'d Value> {
        self.value
            .get("requestBody")
            .map(|body| self.document.resolved(body))
    }
}

impl Parameter<'_> {
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
}
