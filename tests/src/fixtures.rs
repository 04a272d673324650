//! Sample response bodies under `tests/fixtures/{operationId}/`, named
//! `{status}-{case}.json` (or `.txt` for a plain-text body).

use std::path::{Path, PathBuf};

/// One sample response body.
pub struct Fixture {
    /// The operationId it answers.
    pub operation: String,
    /// Its HTTP status.
    pub status: u16,
    /// What it shows, from the file name.
    pub case: String,
    /// Where it is.
    pub file: PathBuf,
    /// The body, byte for byte.
    pub body: Vec<u8>,
}

/// The fixtures folder.
pub fn fixtures_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures")
}

/// Every fixture, sorted by operation and file name.
pub fn all() -> Result<Vec<Fixture>, String> {
    let mut fixtures = Vec::new();
    for operation in read_dir(&fixtures_dir())? {
        let operation_name = file_name(&operation);
        for file in read_dir(&operation)? {
            let name = file_name(&file);
            let stem = name
                .rsplit_once('.')
                .map_or(name.as_str(), |(stem, _)| stem);
            let (status, case) = stem
                .split_once('-')
                .and_then(|(status, case)| Some((status.parse::<u16>().ok()?, case)))
                .ok_or_else(|| {
                    format!(
                        "{}: name fixtures `{{status}}-{{case}}.json`",
                        file.display()
                    )
                })?;
            let body = std::fs::read(&file).map_err(|err| format!("{}: {err}", file.display()))?;
            fixtures.push(Fixture {
                operation: operation_name.clone(),
                status,
                case: case.to_owned(),
                file,
                body,
            });
        }
    }
    Ok(fixtures)
}

fn read_dir(dir: &Path) -> Result<Vec<PathBuf>, String> {
    let mut entries = std::fs::read_dir(dir)
        .map_err(|err| format!("{}: {err}", dir.display()))?
        .map(|entry| entry.map(|entry| entry.path()))
        .collect::<Result<Vec<_>, _>>()
        .map_err(|err| format!("{}: {err}", dir.display()))?;
    entries.sort();
    Ok(entries)
}

fn file_name(path: &Path) -> String {
    path.file_name()
        .map(|name| name.to_string_lossy().into_owned())
        .unwrap_or_default()
}
