//! Multi-file specs: a `$ref` to another file inside the spec's folder tree
//! is followed, because specs are often split (`$ref: ./schemas/pet.yaml`).
//!
//! Every file referred to is read once and grafted into the document under
//! [`BUNDLED`], keyed by its path relative to the spec's folder; its
//! references are rewritten to point there, so that everything downstream
//! reads one document with local references only. A reference to a URL, to
//! a file outside the folder (also through a symbolic link), or to a file
//! that does not exist is refused with the file and pointer where it is
//! written. Nothing is fetched.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde_json::{Map, Value};

use super::{Document, pointer_token, read, walk};
use crate::error::Error;

/// The key of the document root under which the other files are grafted.
/// It is not an extension (`x-`), so that the one walk over references
/// reads the grafted files like the rest of the document.
pub const BUNDLED: &str = "$bundled";

/// Keywords below which a reference stands for a schema.
const SCHEMA_PLACES: [&str; 12] = [
    "schema",
    "schemas",
    "properties",
    "items",
    "allOf",
    "anyOf",
    "oneOf",
    "not",
    "additionalProperties",
    "prefixItems",
    "patternProperties",
    "$defs",
];

/// What bundling found: the files and where their schemas were grafted.
#[derive(Debug, Clone, Default)]
pub(super) struct Bundle {
    /// The first reference to another file, as written (file, pointer),
    /// when there is one: what regeneration, which reads one file, names.
    pub first_external: Option<(PathBuf, String)>,
    /// Pointers to grafted items that are referred to as schemas.
    pub schemas: Vec<String>,
}

/// A reference to another file, to be checked once every file is grafted.
struct Target {
    /// The file that holds the reference, as named in errors.
    file: PathBuf,
    /// Where in it the reference is written.
    written: String,
    /// The reference as written.
    reference: String,
    /// The file it names, canonical.
    target: PathBuf,
    /// Where it points in the bundled document.
    pointer: String,
}

struct Bundler {
    /// The spec's folder, canonical: no reference may leave it.
    folder: PathBuf,
    /// The spec file itself, canonical.
    root_file: PathBuf,
    /// The grafted files, by key.
    grafts: BTreeMap<String, Value>,
    /// Every reference to another file, checked once all are grafted.
    targets: Vec<Target>,
    bundle: Bundle,
}

impl Document {
    /// Follows every reference to another file (see the module
    /// documentation); the document must have been read from `self.file`.
    pub(super) fn bundle(&mut self) -> Result<(), Error> {
        let canonical = |path: &Path| {
            path.canonicalize().map_err(|cause| Error::Read {
                file: path.to_owned(),
                cause,
            })
        };
        let root_file = canonical(&self.file)?;
        let folder = root_file.parent().map(Path::to_owned).unwrap_or_default();
        let mut bundler = Bundler {
            folder,
            root_file: root_file.clone(),
            grafts: BTreeMap::new(),
            targets: Vec::new(),
            bundle: Bundle::default(),
        };
        let mut root = std::mem::take(&mut self.root);
        let rewritten = bundler.rewrite(&mut root, &self.file, &root_file, "");
        self.root = root;
        rewritten?;
        if !bundler.grafts.is_empty()
            && let Some(object) = self.root.as_object_mut()
        {
            let grafts: Map<String, Value> = bundler.grafts.into_iter().collect();
            object.insert(BUNDLED.into(), Value::Object(grafts));
        }
        // A pointer into a file that exists but has nothing there is
        // refused like a missing file, where the reference is written.
        for target in &bundler.targets {
            if self.root.pointer(&target.pointer).is_none() {
                let fragment = target.reference.split_once('#').map_or("", |(_, f)| f);
                return Err(Error::Invalid {
                    file: target.file.clone(),
                    operation: None,
                    pointer: target.written.clone(),
                    problem: format!(
                        "`{}` points to `#{fragment}` in {}, which has nothing there",
                        target.reference,
                        target.target.display()
                    ),
                    hint: "correct the pointer after `#` (a JSON pointer into that file)".into(),
                });
            }
        }
        self.bundle = bundler.bundle;
        Ok(())
    }

    /// Regeneration reads one file: a document that refers to others is
    /// refused, naming the first reference.
    pub fn check_single_file(&self) -> Result<(), Error> {
        match &self.bundle.first_external {
            None => Ok(()),
            Some((file, at)) => Err(Error::Invalid {
                file: file.clone(),
                operation: None,
                pointer: at.clone(),
                problem: "the generator reads one file, and this reference is to another".into(),
                hint: "move the referenced definition under `components` of the spec and refer to it as `#/components/...`".into(),
            }),
        }
    }
}

impl Document {
    /// Where `pointer` into the bundled document is written: the file that
    /// holds it (the spec itself, or a file grafted under [`BUNDLED`]) and
    /// the pointer inside that file. Every error and warning names these,
    /// never the grafted place.
    pub fn as_written(&self, pointer: &str) -> (PathBuf, String) {
        match grafted(pointer) {
            Some((key, inside)) => (self.folder().join(key), inside.to_owned()),
            None => (self.file.clone(), pointer.to_owned()),
        }
    }

    /// A local reference into the bundled document as the user would write
    /// it from the spec's folder: `#/$bundled/pet.yaml/x` is `pet.yaml#/x`.
    pub fn reference_as_written(&self, reference: &str) -> String {
        match reference.strip_prefix('#').and_then(grafted) {
            Some((key, inside)) => format!("{key}#{inside}"),
            None => reference.to_owned(),
        }
    }

    /// The folder of the spec file, as it was named.
    fn folder(&self) -> &Path {
        self.file.parent().unwrap_or(Path::new(""))
    }
}

/// The file key and the pointer inside it, when `pointer` leads into a
/// grafted file.
fn grafted(pointer: &str) -> Option<(String, &str)> {
    let rest = pointer.strip_prefix(&format!("/{}/", pointer_token(BUNDLED)))?;
    let (token, inside) = rest.split_at(rest.find('/').unwrap_or(rest.len()));
    Some((token.replace("~1", "/").replace("~0", "~"), inside))
}

impl Bundler {
    /// Rewrites the references of `value`, the content of `file` (as named
    /// in errors; `canonical` is its canonical path), grafted at `prefix`.
    fn rewrite(
        &mut self,
        value: &mut Value,
        file: &Path,
        canonical: &Path,
        prefix: &str,
    ) -> Result<(), Error> {
        for at in walk::reference_pointers(value) {
            let Some(object) = value.pointer_mut(&at).and_then(Value::as_object_mut) else {
                continue;
            };
            let Some(reference) = object.get("$ref").and_then(Value::as_str) else {
                continue;
            };
            let written = format!("{at}/$ref");
            let refused = |problem: String, hint: &str| Error::Invalid {
                file: file.to_owned(),
                operation: None,
                pointer: written.clone(),
                problem,
                hint: hint.to_owned(),
            };
            let (path, fragment) = reference.split_once('#').unwrap_or((reference, ""));
            let rewritten = if path.is_empty() {
                format!("#{prefix}{fragment}")
            } else if path.contains("://") || path.starts_with("//") {
                return Err(refused(
                    format!(
                        "`{reference}` is a URL; references are followed to files only, and nothing is fetched"
                    ),
                    "save the document in the spec's folder and refer to it by a relative path",
                ));
            } else {
                let target = canonical.parent().unwrap_or(Path::new("")).join(path);
                let Ok(target) = target.canonicalize() else {
                    return Err(refused(
                        format!(
                            "`{reference}` refers to {}, which does not exist",
                            target.display()
                        ),
                        "create the file, or correct the path (relative to the file that holds the reference)",
                    ));
                };
                if !target.starts_with(&self.folder) {
                    return Err(refused(
                        format!(
                            "`{reference}` refers to {}, outside the spec's folder {}",
                            target.display(),
                            self.folder.display()
                        ),
                        "move the file into the spec's folder (or a folder below it)",
                    ));
                }
                if target.is_dir() {
                    return Err(refused(
                        format!(
                            "`{reference}` refers to {}, which is a folder",
                            target.display()
                        ),
                        "refer to a file in it",
                    ));
                }
                if self.bundle.first_external.is_none() {
                    self.bundle.first_external = Some((file.to_owned(), written.clone()));
                }
                let graft = self.graft(&target).map_err(|err| match err {
                    // Said where the reference is written, not only in the
                    // file it names.
                    Error::Syntax { message, .. } if message.contains("empty") => refused(
                        format!(
                            "`{reference}` refers to {}, which is empty",
                            target.display()
                        ),
                        "write the definition into the file, or refer to another",
                    ),
                    other => other,
                })?;
                let rewritten = format!("#{graft}{fragment}");
                self.targets.push(Target {
                    file: file.to_owned(),
                    written: written.clone(),
                    reference: reference.to_owned(),
                    target: target.clone(),
                    pointer: rewritten[1..].to_owned(),
                });
                let schema_place = at.split('/').any(|token| SCHEMA_PLACES.contains(&token));
                if schema_place {
                    self.bundle.schemas.push(rewritten[1..].to_owned());
                }
                rewritten
            };
            object.insert("$ref".into(), Value::String(rewritten));
        }
        Ok(())
    }

    /// Where the file `target` (canonical, inside the folder) is grafted,
    /// reading and grafting it first if it is not yet.
    fn graft(&mut self, target: &Path) -> Result<String, Error> {
        if target == self.root_file {
            return Ok(String::new());
        }
        let key = target
            .strip_prefix(&self.folder)
            .unwrap_or(target)
            .to_string_lossy()
            .replace('\\', "/");
        let prefix = format!("/{}/{}", pointer_token(BUNDLED), pointer_token(&key));
        if self.grafts.contains_key(&key) {
            return Ok(prefix);
        }
        // Claimed before its references are followed, so that files that
        // refer to each other are read once.
        self.grafts.insert(key.clone(), Value::Null);
        let mut content = read::parse(target, &read::read(target)?)?;
        self.rewrite(&mut content, target, target, &prefix)?;
        self.grafts.insert(key, content);
        Ok(prefix)
    }
}
