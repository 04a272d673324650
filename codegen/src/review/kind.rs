//! What kinds of change spec-diff knows, and how much each matters: the
//! whole rulebook of "what is breaking" in one table.
//!
//! The rule of the field: requests may not narrow, responses may not widen.
//! A schema change that narrows what is allowed breaks requests (clients
//! send values the server now refuses) and is safe for responses; one that
//! widens it is the other way round. `RULES.md`, next to this file, says
//! what is compared and where these rules differ from oasdiff's, and why.

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

impl Direction {
    /// The other side: a webhook's request is what clients receive, and
    /// inside `not` narrowing the inner schema widens the outer one.
    pub fn flipped(self) -> Self {
        match self {
            Self::Request => Self::Response,
            Self::Response => Self::Request,
        }
    }
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
    SecuritySchemeAdded,
    SecuritySchemeChanged,
    SecuritySchemeRemoved,
    // Security requirements (of the document or an operation)
    /// Clients must now authenticate where they needed not, or with another
    /// scheme as well.
    SecurityRequirementAdded,
    /// A scope more is needed.
    SecurityScopeAdded,
    /// A way in more, or one scheme or requirement fewer.
    SecurityRequirementRemoved,
    /// A scope fewer is needed.
    SecurityScopeRemoved,
    // Operations
    OperationAdded,
    OperationRemoved,
    OperationIdChanged,
    /// Upstream renamed an operation or its path parameters (see
    /// `crate::upstream`); matched by method and path template, it is the
    /// same operation.
    UpstreamNameChanged,
    // Webhooks (3.1) and callbacks: requests the API sends to the client
    WebhookAdded,
    WebhookRemoved,
    CallbackAdded,
    CallbackRemoved,
    // Lifecycle: `deprecated`, `x-sunset`, `x-stability-level`
    Deprecated,
    Reactivated,
    SunsetAdded,
    /// The promised date is gone: the deprecated thing may go at any time.
    SunsetRemoved,
    /// Clients have less time than they were promised.
    SunsetBroughtForward,
    SunsetPostponed,
    /// From stable towards beta, alpha or draft.
    StabilityDecreased,
    StabilityIncreased,
    /// An `x-sunset` that is not a date or an unknown `x-stability-level`
    /// changed: the lifecycle promise cannot be checked.
    LifecycleUnreadable,
    /// Schemas nested deeper than spec-diff compares (see
    /// `http/schema.rs`): what changed below cannot be checked.
    SchemaTooDeep,
    // Parameters
    ParameterAddedOptional,
    ParameterAddedRequired,
    ParameterBecameOptional,
    ParameterBecameRequired,
    ParameterRemoved,
    /// Its `style` or `explode` changed: the same value is written
    /// differently, so a server reading the new way misreads old clients.
    ParameterSerializationChanged,
    /// The same path parameter (same position in the template) under
    /// another name: nothing changes on the wire.
    PathParameterRenamed,
    // Request bodies
    RequestBodyAddedOptional,
    RequestBodyAddedRequired,
    RequestBodyBecameRequired,
    RequestBodyRemoved,
    // Responses, their headers and media types
    ResponseStatusAdded,
    SuccessStatusRemoved,
    ErrorStatusRemoved,
    ResponseHeaderAdded,
    ResponseHeaderBecameOptional,
    ResponseHeaderBecameRequired,
    ResponseOptionalHeaderRemoved,
    ResponseRequiredHeaderRemoved,
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
    ResponseExtensibleEnumValueAdded,
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
    /// No pattern any more, or one that matches every string (`.*`).
    PatternRemoved,
    DefaultChanged,
    /// `multipleOf` added, or the new one a multiple of the old one: every
    /// new value was valid before.
    MultipleOfTightened,
    /// `multipleOf` removed, or the new one divides the old one.
    MultipleOfLoosened,
    /// Neither divides the other (2 to 3): which values pass moves both
    /// ways.
    MultipleOfChanged,
    /// `uniqueItems: true` where there was none.
    UniqueItemsAdded,
    UniqueItemsRemoved,
    VariantAdded,
    VariantRemoved,
    /// The schema became `false`: no value is valid any more.
    SchemaBecameFalse,
    /// The schema was `false` and now admits values: nothing was valid
    /// before, so no client sent or decoded a value it relied on.
    SchemaNoLongerFalse,
    /// Every old value is still valid: integer to number, or any type.
    TypeWidened,
    /// Every new value was valid before: number to integer, or a type where
    /// there was none.
    TypeNarrowed,
    /// A member more in an `allOf`: values must match it too.
    AllOfMemberAdded,
    AllOfMemberRemoved,
    /// An applicator more (`contains`, `propertyNames`, `prefixItems`,
    /// `then`, `patternProperties`, `dependentSchemas`, `unevaluated*`,
    /// `additionalProperties`, `contentSchema`, `dependentRequired`
    /// entries, ...): values must satisfy it too.
    ConstraintAdded,
    ConstraintRemoved,
    /// The `if` of a conditional, or the schema under `not`, changed:
    /// which values pass moves both ways.
    ConditionChanged,
    /// `contentMediaType` or `contentEncoding` changed: the same string
    /// means something else.
    ContentEncodingChanged,
    /// A discriminator is a hint for readers; the schemas say what is valid.
    DiscriminatorAdded,
    DiscriminatorRemoved,
    DiscriminatorPropertyChanged,
    DiscriminatorMappingAdded,
    DiscriminatorMappingRemoved,
    DiscriminatorMappingChanged,
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
            UpstreamNameChanged | PathParameterRenamed => Info,
            // An `x-extensible-enum` tells clients to expect values it does
            // not list; a plain `enum` promised them the list.
            ResponseExtensibleEnumValueAdded => Info,
            DiscriminatorAdded | DiscriminatorRemoved => Info,
            Deprecated | Reactivated | SunsetAdded | SunsetPostponed | StabilityIncreased => Info,

            SecurityRequirementAdded | SecurityScopeAdded | SecuritySchemeChanged => Breaking,
            // A removed parameter breaks both ways: a server may refuse
            // what it no longer knows, and a receiver (a webhook's) loses
            // a value it read.
            OperationRemoved | ParameterRemoved => Breaking,
            // A receiver that relied on being called is not called any more.
            WebhookRemoved | CallbackRemoved => Breaking,
            // The lifecycle is a promise to clients about time to migrate.
            SunsetRemoved | SunsetBroughtForward | StabilityDecreased => Breaking,
            // Fail closed: a promise that cannot be read cannot be kept.
            LifecycleUnreadable => Breaking,
            // Fail closed: what could not be compared may have broken.
            SchemaTooDeep => Breaking,
            ParameterSerializationChanged => Breaking,
            RequestBodyAddedRequired | RequestBodyBecameRequired => Breaking,
            RequestBodyRemoved | SuccessStatusRemoved | MediaTypeRemoved => Breaking,
            ResponseRequiredHeaderRemoved | ResponseHeaderBecameOptional => Breaking,
            RequestTypeChanged | ResponseTypeChanged | FormatChanged => Breaking,
            ConditionChanged | ContentEncodingChanged | MultipleOfChanged => Breaking,
            DiscriminatorPropertyChanged | DiscriminatorMappingChanged => Breaking,
            RequestBecameNonNullable | ResponseBecameNullable | RequestEnumValueRemoved => Breaking,
            RequestPropertyAddedRequired | RequestPropertyBecameRequired => Breaking,
            // A server that forbids unknown fields rejects a request that
            // still sends the removed property.
            RequestPropertyRemovedFromClosedObject => Breaking,
            ResponsePropertyBecameOptional | ResponseRequiredPropertyRemoved => Breaking,
            // Responses may not widen: a client that decodes to the listed
            // values (a generated Rust enum, an exhaustive match) fails on
            // a value it was never told about.
            ResponseEnumValueAdded => Breaking,

            SecuritySchemeAdded | OperationAdded | ParameterAddedOptional => NonBreaking,
            // The requirements that used a scheme change too, and say so.
            SecuritySchemeRemoved => NonBreaking,
            SecurityRequirementRemoved | SecurityScopeRemoved => NonBreaking,
            WebhookAdded | CallbackAdded => NonBreaking,
            RequestBodyAddedOptional | ResponseStatusAdded => NonBreaking,
            ErrorStatusRemoved | MediaTypeAdded => NonBreaking,
            // Clients cannot count on a header that was optional.
            ResponseHeaderAdded | ResponseHeaderBecameRequired => NonBreaking,
            ResponseOptionalHeaderRemoved => NonBreaking,
            RequestBecameNullable | ResponseBecameNonNullable => NonBreaking,
            RequestEnumValueAdded | ResponseEnumValueRemoved => NonBreaking,
            RequestPropertyAddedOptional | RequestPropertyBecameOptional => NonBreaking,
            // A server that ignores unknown fields still accepts it.
            RequestPropertyRemoved => NonBreaking,
            ResponsePropertyAdded | ResponsePropertyBecameRequired => NonBreaking,
            ResponseOptionalPropertyRemoved => NonBreaking,
            DiscriminatorMappingAdded => NonBreaking,
            // Fewer requests are refused; and a client reads a response
            // value whatever it matches: a pattern documents a response,
            // nothing parses by it (unlike a length, which sizes storage).
            PatternRemoved => NonBreaking,
            // A schema that allowed nothing had no value to break.
            SchemaNoLongerFalse => NonBreaking,

            EnumAdded | BoundTightened | PatternChanged | DefaultChanged | VariantRemoved => {
                narrows
            }
            TypeNarrowed | AllOfMemberAdded | ConstraintAdded | SchemaBecameFalse => narrows,
            MultipleOfTightened | UniqueItemsAdded => narrows,
            DiscriminatorMappingRemoved => narrows,
            // A parameter the sender must now send narrows what is sent:
            // a client's request (breaking), or the API's request to a
            // webhook or callback, whose receiver only gains a value.
            ParameterAddedRequired | ParameterBecameRequired => narrows,
            ParameterBecameOptional => widens,
            EnumRemoved | BoundLoosened | VariantAdded | TypeWidened => widens,
            AllOfMemberRemoved | ConstraintRemoved => widens,
            MultipleOfLoosened | UniqueItemsRemoved => widens,
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
