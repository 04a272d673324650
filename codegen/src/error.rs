//! The one error type of the generator: every variant names the spec file and
//! says where in it the problem is and what to do about it.

use std::fmt;
use std::path::PathBuf;

/// Why a spec could not be turned into a client.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The spec file could not be read.
    // The cause is part of the message and not a `source`: error chains
    // (`{:#}`) would print it twice.
    #[error("{}: cannot read the spec: {cause}", file.display())]
    Read {
        /// The spec file.
        file: PathBuf,
        /// What the operating system said.
        cause: std::io::Error,
    },

    /// The file is not well-formed YAML or JSON.
    #[error("{}{}: {message}\n  fix: {hint}", file.display(), position_suffix(*line, *column))]
    Syntax {
        /// The spec file.
        file: PathBuf,
        /// 1-based line of the problem, when the parser knows it.
        line: Option<usize>,
        /// 1-based column of the problem, when the parser knows it.
        column: Option<usize>,
        /// What the parser said.
        message: String,
        /// What to do about it.
        hint: String,
    },

    /// The document parses but is not a spec the generator can use.
    #[error("{}: {}: {problem}\n  fix: {hint}", file.display(), Where { operation: operation.as_deref(), pointer })]
    Invalid {
        /// The spec file.
        file: PathBuf,
        /// The operationId concerned, when the problem is inside one operation.
        operation: Option<String>,
        /// A JSON pointer to the offending item (`""` is the whole document).
        pointer: String,
        /// What is wrong.
        problem: String,
        /// What to do about it.
        hint: String,
    },

    /// progenitor refused the spec, or stopped on a shape none of our checks
    /// caught; either way nothing was written.
    #[error("{}: the generator cannot handle this spec: {message}\n  fix: {hint}", file.display())]
    Unsupported {
        /// The spec file.
        file: PathBuf,
        /// What progenitor said, or the message of its panic.
        message: String,
        /// What to do about it.
        hint: String,
    },

    /// The generated tokens are not valid Rust: a bug in the generator, not
    /// in the spec.
    #[error("{}: the generated code does not parse as Rust ({message}); this is a generator bug, please report it with the spec", file.display())]
    Format {
        /// The spec file.
        file: PathBuf,
        /// What syn said.
        message: String,
    },
}

fn position_suffix(line: Option<usize>, column: Option<usize>) -> String {
    match (line, column) {
        (Some(line), Some(column)) => format!(":{line}:{column}"),
        (Some(line), None) => format!(":{line}"),
        _ => String::new(),
    }
}

struct Where<'a> {
    operation: Option<&'a str>,
    pointer: &'a str,
}

impl fmt::Display for Where<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let pointer = if self.pointer.is_empty() {
            "the document root"
        } else {
            self.pointer
        };
        match self.operation {
            Some(operation) => write!(f, "operation `{operation}` at {pointer}"),
            None => write!(f, "at {pointer}"),
        }
    }
}
