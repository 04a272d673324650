//! The one reader of a spec: every tool (regen's validator, spec-diff, the
//! sample tool, the upstream tooling) sees the document through this model,
//! so a rule about the spec is written once.
//!
//! It works on the parsed JSON value, before any typed model: a document
//! that openapiv3 cannot read still gets findings with JSON pointers, and a
//! normalisation step (3.1 to 3.0, say) can run on the value first.

mod bundle;
mod keywords;
mod media;
mod normalize;
mod objects;
mod operations;
mod pointer;
mod read;
mod references;
mod schemas;
mod status;
mod walk;

use std::path::{Path, PathBuf};

use serde_json::Value;

use crate::error::Error;

pub use bundle::BUNDLED;
pub use keywords::{DOCUMENTATION, is_annotation, is_documentation};
pub use media::{is_json, media_type_essence};
pub use normalize::{Dialect, normalize};
pub use objects::{Definition, MergedObject};
use operations::METHODS;
pub use operations::{Operation, Parameter, Response};
pub use pointer::{child, pointer, pointer_token};
pub use references::{RefProblem, Unwrapped};
pub use status::ResponseKey;
pub(crate) use walk::{is_named_map, references};

/// A parsed spec and the file it came from (named in every error).
#[derive(Debug, Clone)]
pub struct Document {
    file: PathBuf,
    root: Value,
    /// Read from OpenAPI 3.1 for review: never generated from.
    from_3_1: bool,
    /// The other files its references led to.
    bundle: bundle::Bundle,
}

impl Document {
    /// A document parsed from `file` (or from text labelled `file`).
    pub fn new(file: impl Into<PathBuf>, root: Value) -> Self {
        Self {
            file: file.into(),
            root,
            from_3_1: false,
            bundle: bundle::Bundle::default(),
        }
    }

    /// Stage 1: reads and parses `file` (YAML, or JSON when it ends in
    /// `.json`), with the files its relative `$ref`s lead to inside its
    /// folder (see [`BUNDLED`]). Every tool reads a spec file here.
    pub fn load(file: &Path) -> Result<Self, Error> {
        let mut document = Self::parse(file, &read::read(file)?)?;
        document.bundle()?;
        Ok(document)
    }

    /// Parses spec text that is not read from a file of its own (a git
    /// revision, a download); `file` names it in errors. A reference to
    /// another file is not followed: it is reported as such.
    pub fn parse(file: &Path, text: &str) -> Result<Self, Error> {
        Ok(Self::new(file, read::parse(file, text)?))
    }

    /// The document read for review: OpenAPI 3.1 and 3.0 normalised to one
    /// meaning (see [`normalize()`]). Only the review tools read a
    /// document so; regeneration reads it as written and refuses 3.1.
    pub fn normalized(mut self) -> Self {
        self.from_3_1 = Dialect::of(&self.root) == Dialect::V31;
        normalize::normalize_with(&mut self.root, self.bundle.schemas.as_slice());
        self
    }

    /// Whether the document was read from OpenAPI 3.1 (see
    /// [`Document::normalized`]): for review only, never generated from.
    pub fn is_from_3_1(&self) -> bool {
        self.from_3_1
    }

    /// The file the document came from.
    pub fn file(&self) -> &Path {
        &self.file
    }

    /// The whole document.
    pub fn root(&self) -> &Value {
        &self.root
    }

    /// A finding in this document.
    pub fn invalid(
        &self,
        operation: Option<&str>,
        pointer: impl Into<String>,
        problem: impl Into<String>,
        hint: impl Into<String>,
    ) -> Error {
        let (file, pointer) = self.as_written(&pointer.into());
        Error::Invalid {
            file,
            operation: operation.map(str::to_owned),
            pointer,
            problem: problem.into(),
            hint: hint.into(),
        }
    }

    /// The object at `pointer`, or an empty one.
    pub fn object_at(&self, pointer: &str) -> &serde_json::Map<String, Value> {
        object(self.root.pointer(pointer))
    }
}

/// A problem that does not stop a review: where it is and what to do.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Finding {
    /// The file that holds the problem, when it is not the spec itself but
    /// a file its references lead to.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub file: Option<PathBuf>,
    /// The operationId concerned, when the problem is inside one operation.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub operation: Option<String>,
    /// A JSON pointer to the item (`""` is the whole document).
    pub pointer: String,
    /// What is wrong.
    pub problem: String,
    /// What to do about it.
    pub fix: String,
}

impl Finding {
    /// The finding an [`Error::Invalid`] in `document` reports; `None` for
    /// other errors, which stop a review.
    pub fn of(error: Error, document: &Document) -> Option<Self> {
        match error {
            Error::Invalid {
                file,
                operation,
                pointer,
                problem,
                hint,
                ..
            } => Some(Self {
                file: (file != document.file).then_some(file),
                operation,
                pointer,
                problem,
                fix: hint,
            }),
            _ => None,
        }
    }
}

static EMPTY: std::sync::LazyLock<serde_json::Map<String, Value>> =
    std::sync::LazyLock::new(serde_json::Map::new);

/// The object at `value`, or an empty one.
pub fn object(value: Option<&Value>) -> &serde_json::Map<String, Value> {
    value.and_then(Value::as_object).unwrap_or(&EMPTY)
}
