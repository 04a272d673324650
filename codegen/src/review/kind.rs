//! What kinds of change spec-diff knows, and how much each matters: the
//! whole rulebook of "what is breaking" in one table.
//!
//! The rule of the field: requests may not narrow, responses may not widen.
//! A schema change that narrows what is allowed breaks requests (clients
//! send values the server now refuses) and is safe for responses; one that
//! widens it is the other way round.

use serde::Serialize;

/// How much a change matters to existing clients.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Severity {
    /// Existing clients may fail.
    Breaking,
    /// Existing clients keep working.
    NonBreaking,
    /// Worth a reviewer's look; nothing changes for clients.
    Info,
}

/// Which side of the wire a schema describes: what may change safely is
/// opposite for the two.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Direction {
    /// What clients send.
    Request,
    /// What clients receive.
    Response,
}

/// Every kind of wire change, named in reports in kebab case
/// (`RequestPropertyBecameRequired` is `request-property-became-required`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
#[allow(missing_docs)] // each name is its documentation; the table says what it means
pub enum ChangeKind {
    // The document
    DocumentationChanged,
    ExampleChanged,
    ServersChanged,
    SecurityRequirementChanged,
    SecuritySchemeAdded,
    SecuritySchemeChanged,
    SecuritySchemeRemoved,
    // Operations
    OperationAdded,
    OperationRemoved,
    OperationIdChanged,
    /// Upstream renamed an operation or its path parameters (see
    /// `crate::upstream`); matched by method and path template, it is the
    /// same operation.
    UpstreamNameChanged,
    // Parameters
    ParameterAddedOptional,
    ParameterAddedRequired,
    ParameterBecameOptional,
    ParameterBecameRequired,
    ParameterRemoved,
    // Request bodies
    RequestBodyAddedOptional,
    RequestBodyAddedRequired,
    RequestBodyBecameRequired,
    RequestBodyRemoved,
    // Responses and media types
    ResponseStatusAdded,
    SuccessStatusRemoved,
    ErrorStatusRemoved,
    MediaTypeAdded,
    MediaTypeRemoved,
    // Schemas, on one side of the wire
    RequestTypeChanged,
    ResponseTypeChanged,
    FormatChanged,
    RequestBecameNullable,
    RequestBecameNonNullable,
    ResponseBecameNullable,
    ResponseBecameNonNullable,
    RequestEnumValueAdded,
    RequestEnumValueRemoved,
    ResponseEnumValueAdded,
    ResponseEnumValueRemoved,
    RequestPropertyAddedOptional,
    RequestPropertyAddedRequired,
    RequestPropertyBecameOptional,
    RequestPropertyBecameRequired,
    RequestPropertyRemoved,
    RequestPropertyRemovedFromClosedObject,
    ResponsePropertyAdded,
    ResponsePropertyBecameOptional,
    ResponsePropertyBecameRequired,
    ResponseOptionalPropertyRemoved,
    ResponseRequiredPropertyRemoved,
    // Schemas, either side: narrowing breaks requests, widening responses
    EnumAdded,
    EnumRemoved,
    BoundTightened,
    BoundLoosened,
    PatternChanged,
    PatternRemoved,
    DefaultChanged,
    VariantAdded,
    VariantRemoved,
    /// Every old value is still valid: integer to number, or any type.
    TypeWidened,
    /// Every new value was valid before: number to integer, or a type where
    /// there was none.
    TypeNarrowed,
}

impl ChangeKind {
    /// The one table of severities. `direction` is the side of the wire the
    /// changed schema describes, for the kinds that apply to both.
    pub fn severity(self, direction: Option<Direction>) -> Severity {
        use ChangeKind::*;
        use Severity::{Breaking, Info, NonBreaking};
        // Narrowing what a schema allows breaks requests; widening it breaks
        // responses.
        let narrows = match direction {
            Some(Direction::Response) => NonBreaking,
            _ => Breaking,
        };
        let widens = match direction {
            Some(Direction::Response) => Breaking,
            _ => NonBreaking,
        };
        match self {
            DocumentationChanged | ExampleChanged | ServersChanged | OperationIdChanged => Info,
            UpstreamNameChanged => Info,
            // Clients do not know a value they were never told about; they
            // must tolerate it, but nothing they did stops working.
            ResponseEnumValueAdded => Info,

            SecurityRequirementChanged | SecuritySchemeChanged | SecuritySchemeRemoved => Breaking,
            OperationRemoved | ParameterRemoved | ParameterAddedRequired => Breaking,
            ParameterBecameRequired | RequestBodyAddedRequired | RequestBodyBecameRequired => {
                Breaking
            }
            RequestBodyRemoved | SuccessStatusRemoved | MediaTypeRemoved => Breaking,
            RequestTypeChanged | ResponseTypeChanged | FormatChanged => Breaking,
            RequestBecameNonNullable | ResponseBecameNullable | RequestEnumValueRemoved => Breaking,
            RequestPropertyAddedRequired | RequestPropertyBecameRequired => Breaking,
            // A server that forbids unknown fields rejects a request that
            // still sends the removed property.
            RequestPropertyRemovedFromClosedObject => Breaking,
            ResponsePropertyBecameOptional | ResponseRequiredPropertyRemoved => Breaking,

            SecuritySchemeAdded | OperationAdded | ParameterAddedOptional => NonBreaking,
            ParameterBecameOptional | RequestBodyAddedOptional | ResponseStatusAdded => NonBreaking,
            ErrorStatusRemoved | MediaTypeAdded => NonBreaking,
            RequestBecameNullable | ResponseBecameNonNullable => NonBreaking,
            RequestEnumValueAdded | ResponseEnumValueRemoved => NonBreaking,
            RequestPropertyAddedOptional | RequestPropertyBecameOptional => NonBreaking,
            // A server that ignores unknown fields still accepts it.
            RequestPropertyRemoved => NonBreaking,
            ResponsePropertyAdded | ResponsePropertyBecameRequired => NonBreaking,
            ResponseOptionalPropertyRemoved => NonBreaking,

            EnumAdded | BoundTightened | PatternChanged | DefaultChanged | VariantRemoved => {
                narrows
            }
            TypeNarrowed => narrows,
            EnumRemoved | BoundLoosened | PatternRemoved | VariantAdded | TypeWidened => widens,
        }
    }
}

/// The kebab-case name reports use; the serde name is the one definition
/// of the spelling.
impl std::fmt::Display for ChangeKind {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match serde_json::to_value(self) {
            Ok(serde_json::Value::String(name)) => f.write_str(&name),
            _ => write!(f, "{self:?}"),
        }
    }
}
