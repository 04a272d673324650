//! What the fake knows (projects, members, keys, its clock, the faults to
//! inject, the request log) and how it answers one call. Pure and
//! synchronous: the server around it only moves bytes.

use std::collections::BTreeMap;
use std::sync::Arc;

use chrono::{DateTime, Utc};
use serde_json::{Value, json};

use crate::clock::{Clock, micros, timestamp};
use crate::errors::{ErrorForm, Failure, Observed, bad_request, unauthorized};
use crate::faults::Rules;
use crate::new_key::{NewKey, ParsedCreate, read_create_body};
use crate::scopes::{Scopes, check_call, check_grant};
use crate::{GetKeyShape, Operation, RecordedRequest};
use deepgram_keys::types::{ApiKey, KeyWithMember, Member};

#[derive(Debug, Default)]
pub(super) struct State {
    projects: BTreeMap<String, Project>,
    clock: Clock,
    pub(super) get_key_shape: GetKeyShape,
    pub(super) error_form: ErrorForm,
    pub(crate) faults: Rules,
    pub(super) requests: Vec<RecordedRequest>,
}

#[derive(Debug, Default)]
struct Project {
    members: BTreeMap<String, Member>,
    /// In creation order, which is the order `list_keys` answers in.
    keys: Vec<StoredKey>,
}

#[derive(Debug, Clone)]
pub(super) struct StoredKey {
    api_key_id: String,
    secret: String,
    member_id: String,
    comment: String,
    /// Shared, so that handing a caller's scopes out of the lock is cheap.
    scopes: Arc<Scopes>,
    tags: Vec<String>,
    expiration_date: Option<DateTime<Utc>>,
    created: DateTime<Utc>,
}

/// One request, as the server hands it over.
pub(super) struct Call<'a> {
    pub(super) operation: Operation,
    pub(super) authorization: Option<&'a str>,
    pub(super) project_id: &'a str,
    pub(super) key_id: Option<&'a str>,
    /// The `status` query parameter; `Err` when the query does not parse.
    pub(super) status: Result<Option<&'a str>, String>,
    /// A create's body, read before the lock was taken.
    pub(super) create: Option<PreparedCreate>,
}

/// The per-scope work of a create, done without the fake's lock: the body
/// read, and whether the key holding `grant`'s scopes may grant those asked
/// for.
pub(super) struct PreparedCreate {
    pub(super) parsed: Result<ParsedCreate, Failure>,
    pub(super) grant: Option<(Arc<Scopes>, Result<(), Failure>)>,
}

/// What the fake answers, before the request id and error form are applied.
#[derive(Debug)]
pub(super) enum Reply {
    Ok(Value),
    /// A new key, turned into JSON (per-scope work) once the lock is free.
    Created(Box<StoredKey>),
    Err(Failure),
}

impl State {
    pub(super) fn now(&self) -> DateTime<Utc> {
        self.clock.now()
    }

    pub(super) fn clock(&mut self) -> &mut Clock {
        &mut self.clock
    }

    pub(super) fn add_project(&mut self, project_id: &str) {
        self.projects.entry(project_id.to_owned()).or_default();
    }

    pub(super) fn add_member(&mut self, project_id: &str, member: Member) {
        self.projects
            .entry(project_id.to_owned())
            .or_default()
            .members
            .insert(member.member_id.clone(), member);
    }

    /// Adds a key as if `member_id` had created it; `secret` when the test
    /// chose one. `body` is a create request's body, checked as one.
    pub(super) fn add_key(
        &mut self,
        project_id: &str,
        member_id: &str,
        body: &[u8],
        secret: Option<String>,
    ) -> Result<Value, String> {
        let now = self.now();
        let request = read_create_body(body, now).map_err(|failure| {
            let details = failure.details.map(|details| format!(" ({details})"));
            format!("{}{}", failure.message, details.unwrap_or_default())
        })?;
        let project = self.projects.get_mut(project_id).ok_or_else(|| {
            format!("the fake has no project {project_id:?}; add it with `add_project` first")
        })?;
        if !project.members.contains_key(member_id) {
            return Err(format!(
                "project {project_id:?} has no member {member_id:?}; add it with `add_member` first"
            ));
        }
        Ok(created_json(
            &project.insert(member_id, request, secret, now),
        ))
    }

    /// Every key of a project as `list_keys` would show it, expired ones
    /// included; `None` for an unknown project.
    pub(super) fn keys(&self, project_id: &str) -> Option<Vec<KeyWithMember>> {
        let project = self.projects.get(project_id)?;
        Some(
            project
                .keys
                .iter()
                .map(|key| KeyWithMember {
                    member: project.members[&key.member_id].clone(),
                    api_key: ApiKey {
                        api_key_id: key.api_key_id.clone(),
                        comment: key.comment.clone(),
                        created: key.created,
                        expiration_date: key.expiration_date,
                        scopes: key.scopes.listed().to_vec(),
                        tags: (!key.tags.is_empty()).then(|| key.tags.clone()),
                    },
                })
                .collect(),
        )
    }

    /// The id of the live key whose secret is `token`, in any project.
    pub(crate) fn key_id_of_token(&self, token: &str) -> Option<String> {
        self.caller(token, self.now())
            .map(|caller| caller.key.api_key_id)
    }

    /// The scopes of the live key whose secret is `token`.
    pub(super) fn scopes_of_token(&self, token: &str) -> Option<Arc<Scopes>> {
        self.caller(token, self.now())
            .map(|caller| caller.key.scopes)
    }

    fn caller(&self, token: &str, now: DateTime<Utc>) -> Option<Caller> {
        self.projects
            .iter()
            .find_map(|(project_id, project)| {
                let key = project.keys.iter().find(|key| key.secret == token)?;
                Some(Caller {
                    project_id: project_id.clone(),
                    key: key.clone(),
                })
            })
            .filter(|caller| !is_expired(&caller.key, now))
    }

    /// Answers one call, acting on it when it is allowed.
    pub(super) fn answer(&mut self, call: Call<'_>) -> Reply {
        let now = self.now();
        let answered = self
            .authenticate(call.authorization, now)
            .and_then(|caller| self.answer_as(&caller, call, now));
        match answered {
            Ok(reply) => reply,
            Err(failure) => Reply::Err(failure),
        }
    }

    fn authenticate(
        &self,
        authorization: Option<&str>,
        now: DateTime<Utc>,
    ) -> Result<Caller, Failure> {
        let token = authorization.and_then(token_of).ok_or_else(unauthorized)?;
        self.caller(token, now).ok_or_else(unauthorized)
    }

    fn answer_as(
        &mut self,
        caller: &Caller,
        call: Call<'_>,
        now: DateTime<Utc>,
    ) -> Result<Reply, Failure> {
        let project_id = call.project_id;
        if !self.projects.contains_key(project_id) {
            return Err(not_found_project(project_id));
        }
        if caller.project_id != project_id {
            return Err(Failure::new(
                403,
                "FORBIDDEN",
                "This key does not belong to the project.",
            ));
        }
        check_call(call.operation, &caller.key.scopes)?;
        let project = self.projects.get_mut(project_id).expect("checked above");
        match call.operation {
            Operation::ListKeys => {
                let status = call
                    .status
                    .clone()
                    .map_err(|reason| bad_request("Invalid query string.", reason))?;
                let keep = match status {
                    None => None,
                    Some("active") => Some(false),
                    Some("expired") => Some(true),
                    Some(other) => {
                        return Err(bad_request(
                            "Invalid query string.",
                            format!("unknown variant `{other}`, expected `active` or `expired`"),
                        ));
                    }
                };
                let api_keys: Vec<Value> = project
                    .keys
                    .iter()
                    .filter(|key| keep.is_none_or(|expired| is_expired(key, now) == expired))
                    .map(|key| entry_json(&project.members[&key.member_id], key))
                    .collect();
                Ok(Reply::Ok(json!({ "api_keys": api_keys })))
            }
            Operation::GetKey => {
                let key = find_key(project, call.key_id.unwrap_or_default())?;
                let member = &project.members[&key.member_id];
                Ok(Reply::Ok(match self.get_key_shape {
                    GetKeyShape::Flat => entry_json(member, key),
                    GetKeyShape::Wrapped => {
                        let mut nested = member_json(member);
                        nested["api_key"] = api_key_json(key);
                        json!({"item": {"member": nested}})
                    }
                }))
            }
            Operation::DeleteKey => {
                let key_id = find_key(project, call.key_id.unwrap_or_default())?
                    .api_key_id
                    .clone();
                project.keys.retain(|key| key.api_key_id != key_id);
                Ok(Reply::Ok(
                    json!({"message": "Successfully deleted the API key!"}),
                ))
            }
            Operation::CreateKey => {
                let Some(prepared) = call.create else {
                    return Err(Failure::new(500, "INTERNAL", "The create was not read."));
                };
                let parsed = prepared.parsed?;
                match prepared.grant {
                    // Judged outside the lock against this very caller's scopes.
                    Some((scopes, granted)) if Arc::ptr_eq(&scopes, &caller.key.scopes) => granted?,
                    _ => check_grant(&caller.key.scopes, parsed.requested())?,
                }
                let request = parsed.at(now)?;
                let key = project.insert(&caller.key.member_id, request, None, now);
                Ok(Reply::Created(Box::new(key)))
            }
        }
    }
}

impl Project {
    /// Stores a new key of `member_id`; returns it.
    fn insert(
        &mut self,
        member_id: &str,
        request: NewKey,
        secret: Option<String>,
        now: DateTime<Utc>,
    ) -> StoredKey {
        let key = StoredKey {
            api_key_id: uuid(),
            secret: secret.unwrap_or_else(new_secret),
            member_id: member_id.to_owned(),
            comment: request.comment,
            scopes: request.scopes,
            tags: request.tags,
            expiration_date: request.expiration_date,
            created: micros(now),
        };
        self.keys.push(key.clone());
        key
    }
}

/// The secret in an `Authorization: Token ...` header value.
pub(crate) fn token_of(authorization: &str) -> Option<&str> {
    authorization
        .strip_prefix("Token ")
        .map(str::trim)
        .filter(|token| !token.is_empty())
}

struct Caller {
    project_id: String,
    key: StoredKey,
}

fn find_key<'p>(project: &'p Project, key_id: &str) -> Result<&'p StoredKey, Failure> {
    project
        .keys
        .iter()
        .find(|key| key.api_key_id == key_id)
        .ok_or_else(|| match uuid_problem(key_id) {
            Some(problem) => malformed_id(problem),
            None => Failure::new(404, "NOT_FOUND", "API key not found."),
        })
}

fn not_found_project(project_id: &str) -> Failure {
    match uuid_problem(project_id) {
        Some(problem) => malformed_id(problem),
        None => Failure::new(404, "PROJECT_NOT_FOUND", "Project not found.")
            .observed(Observed::ModernWithoutRequestId),
    }
}

/// Deepgram parses ids it does not know as UUIDs and answers a malformed one
/// in plain text. Ids the test seeded are found before this is asked, so
/// they may have any form.
pub(super) fn malformed_id(problem: String) -> Failure {
    Failure::new(404, "NOT_FOUND", format!("UUID parsing failed: {problem}"))
        .observed(Observed::PlainText)
}

/// Why `id` is not a hyphenated UUID, or `None` when it is one.
fn uuid_problem(id: &str) -> Option<String> {
    if let Some((index, found)) = id
        .chars()
        .enumerate()
        .find(|(_, c)| !(c.is_ascii_hexdigit() || *c == '-'))
    {
        return Some(format!(
            "invalid character: expected an optional prefix of `urn:uuid:` followed by [0-9a-fA-F-], found `{found}` at {}",
            index + 1
        ));
    }
    let groups: Vec<usize> = id.split('-').map(str::len).collect();
    (groups != [8, 4, 4, 4, 12]).then(|| {
        format!("invalid group length: expected groups of 8-4-4-4-12 hex digits, found {groups:?}")
    })
}

fn is_expired(key: &StoredKey, now: DateTime<Utc>) -> bool {
    key.expiration_date.is_some_and(|when| when <= now)
}

fn member_json(member: &Member) -> Value {
    let mut json = json!({"member_id": member.member_id, "email": member.email});
    if let Some(first_name) = &member.first_name {
        json["first_name"] = json!(first_name);
    }
    if let Some(last_name) = &member.last_name {
        json["last_name"] = json!(last_name);
    }
    json
}

fn api_key_json(key: &StoredKey) -> Value {
    let mut json = json!({
        "api_key_id": key.api_key_id,
        "comment": key.comment,
        "scopes": key.scopes.listed(),
        "created": timestamp(key.created),
    });
    optional_key_fields(key, &mut json);
    json
}

fn entry_json(member: &Member, key: &StoredKey) -> Value {
    json!({"member": member_json(member), "api_key": api_key_json(key)})
}

/// A new key as `create_key` returns it, secret included.
pub(super) fn created_json(key: &StoredKey) -> Value {
    let mut json = json!({
        "api_key_id": key.api_key_id,
        "key": key.secret,
        "comment": key.comment,
        "scopes": key.scopes.listed(),
        "created": timestamp(key.created),
    });
    optional_key_fields(key, &mut json);
    json
}

/// `tags` only when the key has some, `expiration_date` only when it
/// expires: Deepgram leaves both out otherwise.
fn optional_key_fields(key: &StoredKey, json: &mut Value) {
    if !key.tags.is_empty() {
        json["tags"] = json!(key.tags);
    }
    if let Some(when) = key.expiration_date {
        json["expiration_date"] = json!(timestamp(when));
    }
}

/// A random version-4 UUID, as Deepgram's ids and request ids are.
pub(super) fn uuid() -> String {
    let (high, low) = (fastrand::u64(..), fastrand::u64(..));
    format!(
        "{:08x}-{:04x}-4{:03x}-{:04x}-{:012x}",
        high >> 32,
        (high >> 16) & 0xffff,
        high & 0x0fff,
        0x8000 | (low >> 48) & 0x3fff,
        low & 0xffff_ffff_ffff
    )
}

/// A new key's secret: 40 hex digits, as Deepgram's.
pub(super) fn new_secret() -> String {
    (0..40)
        .map(|_| char::from_digit(fastrand::u32(..16), 16).unwrap_or('0'))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn uuids_and_secrets_have_deepgrams_shapes() {
        for _ in 0..100 {
            let id = uuid();
            assert_eq!(uuid_problem(&id), None, "{id}");
            assert_eq!(id.as_bytes()[14], b'4', "{id}");
            assert!(
                matches!(id.as_bytes()[19], b'8' | b'9' | b'a' | b'b'),
                "{id}"
            );
            let secret = new_secret();
            assert_eq!(secret.len(), 40);
            assert!(secret.chars().all(|c| c.is_ascii_hexdigit()));
        }
    }

    #[test]
    fn malformed_ids_are_told_apart_from_unknown_ones() {
        assert!(uuid_problem("x").unwrap().contains("found `x` at 1"));
        assert!(uuid_problem("0f4d7f8c-2a44").unwrap().contains("[8, 4]"));
        assert!(uuid_problem("").is_some());
        assert_eq!(uuid_problem("0f4d7f8c-2a44-4a55-9d5c-7a3f2c1b9e10"), None);
    }
}
