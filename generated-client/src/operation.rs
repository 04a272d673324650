//! The four operations of the keys API, named once for the client, its
//! errors, its spans and the fake.

use std::fmt;

/// One of the four operations of the keys API: which call an
/// [`Error`](crate::Error) or an [`ApiError`](crate::ApiError) came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Operation {
    /// `GET /v1/projects/{project_id}/keys`
    ListKeys,
    /// `POST /v1/projects/{project_id}/keys`
    CreateKey,
    /// `GET /v1/projects/{project_id}/keys/{key_id}`
    GetKey,
    /// `DELETE /v1/projects/{project_id}/keys/{key_id}`
    DeleteKey,
}

impl Operation {
    /// Every operation.
    pub const ALL: [Operation; 4] = [
        Self::ListKeys,
        Self::CreateKey,
        Self::GetKey,
        Self::DeleteKey,
    ];

    /// Its operationId in the OpenAPI document, which is also the name of the
    /// [`Client`](crate::Client) method.
    pub fn id(self) -> &'static str {
        match self {
            Self::ListKeys => "list_keys",
            Self::CreateKey => "create_key",
            Self::GetKey => "get_key",
            Self::DeleteKey => "delete_key",
        }
    }

    /// Whether the request path names a key as well as a project.
    pub(crate) fn has_key_id(self) -> bool {
        matches!(self, Self::GetKey | Self::DeleteKey)
    }
}

impl fmt::Display for Operation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.id())
    }
}

/// Compares with an operationId, such as `"create_key"`.
impl PartialEq<str> for Operation {
    fn eq(&self, id: &str) -> bool {
        self.id() == id
    }
}

/// Compares with an operationId, such as `"create_key"`.
impl PartialEq<&str> for Operation {
    fn eq(&self, id: &&str) -> bool {
        self.id() == *id
    }
}

/// Written as its operationId.
impl serde::Serialize for Operation {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.id())
    }
}
