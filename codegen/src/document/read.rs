//! Stage 1's text: a spec file (YAML or JSON) read into a JSON value, for
//! [`Document::load`](super::Document::load) and
//! [`Document::parse`](super::Document::parse).

use std::path::Path;

use serde_json::Value;
use serde_yaml_ng::Value as Yaml;

use super::pointer;
use crate::error::Error;

/// The text of `file`.
pub(super) fn read(file: &Path) -> Result<String, Error> {
    std::fs::read_to_string(file).map_err(|cause| Error::Read {
        file: file.to_owned(),
        cause,
    })
}

/// Parses spec text as JSON when `file`'s name ends in `.json`, as YAML
/// otherwise (YAML is a superset of JSON, so either parses); `file` is only
/// used to name the source in errors.
pub(super) fn parse(file: &Path, text: &str) -> Result<Value, Error> {
    if text.trim().is_empty() {
        return Err(Error::Syntax {
            file: file.to_owned(),
            line: None,
            column: None,
            message: "the file is empty".into(),
            hint: "write an OpenAPI 3.0.3 document, starting with `openapi: 3.0.3`".into(),
        });
    }
    let is_json = file.extension().is_some_and(|ext| ext == "json");
    if is_json {
        return serde_json::from_str(text).map_err(|err| Error::Syntax {
            file: file.to_owned(),
            line: Some(err.line()),
            column: Some(err.column()),
            message: format!("invalid JSON: {err}"),
            hint: "fix the JSON syntax at that position".into(),
        });
    }
    let yaml: Yaml = serde_yaml_ng::from_str(text).map_err(|err| {
        let location = err.location();
        Error::Syntax {
            file: file.to_owned(),
            line: location.as_ref().map(|l| l.line()),
            column: location.as_ref().map(|l| l.column()),
            message: format!("invalid YAML: {err}"),
            hint: "fix the YAML syntax at that position (check indentation and quoting)".into(),
        }
    })?;
    let mut path = Vec::new();
    yaml_to_json(yaml, &mut path).map_err(|problem| Error::Invalid {
        file: file.to_owned(),
        operation: None,
        pointer: pointer(&path),
        problem,
        hint: "OpenAPI documents are JSON data: use string keys and finite numbers".into(),
    })
}

/// Converts YAML to JSON, turning the scalar keys YAML allows (`200:` is an
/// integer key) into the strings OpenAPI means by them.
fn yaml_to_json(yaml: Yaml, path: &mut Vec<String>) -> Result<Value, String> {
    Ok(match yaml {
        Yaml::Null => Value::Null,
        Yaml::Bool(b) => Value::Bool(b),
        Yaml::Number(n) => {
            if let Some(i) = n.as_i64() {
                Value::from(i)
            } else if let Some(u) = n.as_u64() {
                Value::from(u)
            } else {
                let f = n.as_f64().unwrap_or(f64::NAN);
                serde_json::Number::from_f64(f)
                    .map(Value::Number)
                    .ok_or_else(|| format!("{n} is not a number JSON can hold"))?
            }
        }
        Yaml::String(s) => Value::String(s),
        Yaml::Sequence(items) => {
            let mut out = Vec::with_capacity(items.len());
            for (index, item) in items.into_iter().enumerate() {
                path.push(index.to_string());
                out.push(yaml_to_json(item, path)?);
                path.pop();
            }
            Value::Array(out)
        }
        Yaml::Mapping(mapping) => {
            let mut out = serde_json::Map::with_capacity(mapping.len());
            for (key, value) in mapping {
                let key = match key {
                    Yaml::String(s) => s,
                    Yaml::Number(n) => n.to_string(),
                    Yaml::Bool(b) => b.to_string(),
                    other => {
                        return Err(format!("a mapping key must be a scalar, found {other:?}"));
                    }
                };
                path.push(key.clone());
                let value = yaml_to_json(value, path)?;
                path.pop();
                out.insert(key, value);
            }
            Value::Object(out)
        }
        Yaml::Tagged(tagged) => yaml_to_json(tagged.value, path)?,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn integer_status_keys_become_strings() {
        let value = parse(
            Path::new("x.yaml"),
            "responses:\n  200: {description: ok}\n",
        )
        .unwrap();
        assert_eq!(value["responses"]["200"]["description"], "ok");
    }

    #[test]
    fn json_errors_carry_line_and_column() {
        let err = parse(Path::new("x.json"), "{\n  \"a\": ,\n}").unwrap_err();
        let Error::Syntax { line, column, .. } = err else {
            panic!("expected a syntax error, got {err}");
        };
        assert_eq!((line, column), (Some(2), Some(8)));
    }
}
