//! Sample response bodies, named `{status}-{case}.json` (or `.txt` for a
//! plain-text body): under `tests/fixtures/{operationId}/` the bodies of
//! one operation, and under `tests/fixtures/errors/` the error bodies the
//! service sends for every operation alike, which count as fixtures of
//! each operation.

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

/// The folder of error bodies shared by every operation.
pub const SHARED_ERRORS: &str = "errors";

/// Every fixture, sorted by operation and file name; each operation has
/// its own fixtures and every shared error body.
pub fn all() -> Result<Vec<Fixture>, String> {
    let shared = read_dir(&fixtures_dir().join(SHARED_ERRORS))?;
    let mut fixtures = Vec::new();
    for folder in read_dir(&fixtures_dir())? {
        let operation = file_name(&folder);
        if operation == SHARED_ERRORS {
            continue;
        }
        let mut files = read_dir(&folder)?;
        files.extend(shared.iter().cloned());
        files.sort_by_key(|file| file_name(file));
        for file in files {
            fixtures.push(fixture(&operation, file)?);
        }
    }
    Ok(fixtures)
}

fn fixture(operation: &str, file: PathBuf) -> Result<Fixture, String> {
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
    Ok(Fixture {
        operation: operation.to_owned(),
        status,
        case: case.to_owned(),
        file,
        body,
    })
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
