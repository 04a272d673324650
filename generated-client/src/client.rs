//! The client applications use: construction, the four operations, and the
//! translation of the generated client's results into [`Error`].

use std::sync::Arc;

use progenitor_client::ResponseValue;
use reqwest::StatusCode;

use crate::config::{ClientBuilder, Config};
use crate::create::CreateKey;
use crate::error::{ApiError, Error, RawBody, is_error_form};
use crate::generated::Client as GeneratedClient;
use crate::hooks::CallState;
use crate::operation::Operation;
use crate::output::{Call, Output};
use crate::path_segment;
use crate::redact::Redactor;
use crate::response::{MAX_ERROR_BODY, Received, cut_at_char_boundary, request_id};
use crate::secret::ApiKeySecret;
use crate::telemetry;
use crate::types::{CreateKeyResponse, DeleteKeyResponse, KeyStatus, KeyWithMember};
use crate::wire::{ErrorBody, GetKeyResponse};

/// A client for Deepgram's project keys API.
///
/// Cheap to clone: clones share one connection pool. Build one with
/// [`Client::from_env`], [`Client::new`] or [`Client::builder`].
#[derive(Clone, Debug)]
pub struct Client {
    config: Arc<Config>,
}

impl Client {
    /// A client with the default settings and the given API key.
    pub fn new(api_key: impl Into<ApiKeySecret>) -> Result<Self, Error> {
        Self::builder().api_key(api_key).build()
    }

    /// A client configured from the environment: the API key from
    /// `DEEPGRAM_API_KEY` and, when set, the base URL from
    /// `DEEPGRAM_BASE_URL`. See [`ClientBuilder::from_env`] to change other
    /// settings too.
    pub fn from_env() -> Result<Self, Error> {
        ClientBuilder::from_env().build()
    }

    pub(crate) fn with_config(config: Config) -> Self {
        Self {
            config: Arc::new(config),
        }
    }

    /// A builder for every setting.
    pub fn builder() -> ClientBuilder {
        ClientBuilder::default()
    }

    /// The base URL requests go to.
    pub fn base_url(&self) -> &str {
        &self.config.base_url
    }

    /// A builder holding every setting of this client (API key, base URL,
    /// timeout, retries, backoff, user-agent suffix, the plain-`http://`
    /// opt-in) and its HTTP client, to build a client that differs in some.
    /// Clients built from it share this one's connection pool.
    pub fn to_builder(&self) -> ClientBuilder {
        self.config.settings.clone()
    }

    /// A client like this one that authenticates with another API key: the
    /// same base URL, timeout, retries, backoff and connection pool. For
    /// example to check that a new key works:
    ///
    /// ```no_run
    /// # async fn run(client: deepgram_keys::Client, created: deepgram_keys::CreateKeyResponse) -> Result<(), deepgram_keys::Error> {
    /// let as_new_key = client.with_api_key(created.key.clone())?;
    /// as_new_key.get_key("project", &created.api_key_id).await?;
    /// # Ok(())
    /// # }
    /// ```
    pub fn with_api_key(&self, api_key: impl Into<ApiKeySecret>) -> Result<Client, Error> {
        self.to_builder().api_key(api_key).build()
    }

    /// Lists the keys of a project, each with the member who owns it.
    ///
    /// `status` keeps only active or only expired keys; `None` lists all.
    /// Needs a key with the `keys:read`, `keys:write`, `admin` or `owner`
    /// scope.
    pub fn list_keys<'a>(
        &'a self,
        project_id: &'a str,
        status: Option<KeyStatus>,
    ) -> Call<'a, Vec<KeyWithMember>> {
        Call::new(async move {
            let ids = [("project_id", project_id)];
            let response = self
                .call(Operation::ListKeys, &ids, async |raw| {
                    raw.list_keys(project_id, status).await
                })
                .await?;
            Ok(response.map(|list| list.api_keys))
        })
    }

    /// Gets one key and the member who owns it.
    ///
    /// Deepgram has documented two shapes for this response; both arrive as
    /// the same [`KeyWithMember`], the shape [`list_keys`](Self::list_keys)
    /// returns. Needs a key with the `keys:read`, `keys:write`, `admin` or
    /// `owner` scope.
    pub fn get_key<'a>(&'a self, project_id: &'a str, key_id: &'a str) -> Call<'a, KeyWithMember> {
        Call::new(async move {
            let ids = [("project_id", project_id), ("key_id", key_id)];
            let response = self
                .call(Operation::GetKey, &ids, async |raw| {
                    raw.get_key(project_id, key_id).await
                })
                .await?;
            Ok(response.map(KeyWithMember::from))
        })
    }

    /// Creates a key. The response holds the new secret, which Deepgram
    /// returns only this once.
    ///
    /// Needs a key with the `keys:write`, `admin` or `owner` scope, which
    /// may grant only scopes it holds itself (`owner` may grant any, `admin`
    /// any but `owner`). The service may add scopes: `keys:write` brings
    /// `keys:read`.
    ///
    /// The request is never sent twice once it may have reached the service,
    /// since that could create two keys; see the crate docs on retries.
    pub fn create_key<'a, State>(
        &'a self,
        project_id: &'a str,
        request: &CreateKey<State>,
    ) -> Call<'a, CreateKeyResponse> {
        const OPERATION: Operation = Operation::CreateKey;
        let body = request.to_wire();
        Call::new(async move {
            let body = body.map_err(|reason| Error::InvalidRequest {
                operation: OPERATION,
                reason,
            })?;
            let ids = [("project_id", project_id)];
            self.call(OPERATION, &ids, async |raw| {
                raw.create_key(project_id, &body).await
            })
            .await
        })
    }

    /// Deletes a key; requests made with it fail from then on. Needs a key
    /// with the `keys:write`, `admin` or `owner` scope.
    ///
    /// A key that does not exist is a 404 [`Error::Api`], also when a retry
    /// of this very call finds the key gone because the first attempt
    /// deleted it and its answer was lost. To have the key gone either way,
    /// use [`delete_key_if_exists`](Self::delete_key_if_exists).
    pub fn delete_key<'a>(
        &'a self,
        project_id: &'a str,
        key_id: &'a str,
    ) -> Call<'a, DeleteKeyResponse> {
        Call::new(async move {
            let ids = [("project_id", project_id), ("key_id", key_id)];
            self.call(Operation::DeleteKey, &ids, async |raw| {
                raw.delete_key(project_id, key_id).await
            })
            .await
        })
    }

    /// Deletes a key if it exists: `Ok` once the key is gone, whether this
    /// call deleted it, a first attempt did (and its answer was lost), or it
    /// was never there. Deepgram's 404 for an unknown key counts as gone;
    /// any other error, a 404 for an unknown project or from a proxy
    /// included, is returned as [`delete_key`](Self::delete_key) returns it.
    pub fn delete_key_if_exists<'a>(
        &'a self,
        project_id: &'a str,
        key_id: &'a str,
    ) -> Call<'a, ()> {
        Call::new(async move {
            match self.delete_key(project_id, key_id).with_request_id().await {
                Ok(deleted) => Ok(deleted.map(|_| ())),
                Err(Error::Api(api)) if api.is_unknown_key() => Ok(Output {
                    value: (),
                    request_id: api.request_id.clone(),
                    attempts: api.attempts,
                }),
                Err(err) => Err(err),
            }
        })
    }

    /// Checks the ids that go into the request path, runs one generated
    /// method with a fresh [`CallState`] and turns its outcome into this
    /// crate's types, all inside the call's span.
    async fn call<T>(
        &self,
        operation: Operation,
        path_ids: &[(&str, &str)],
        send: impl AsyncFnOnce(
            &GeneratedClient,
        ) -> Result<ResponseValue<T>, progenitor_client::Error<ErrorBody>>,
    ) -> Result<Output<T>, Error> {
        let id = |name: &str| {
            path_ids
                .iter()
                .find(|(field, _)| *field == name)
                .map(|(_, id)| *id)
        };
        let span = telemetry::call(
            operation,
            id("project_id").unwrap_or_default(),
            id("key_id"),
        );
        span.run(async {
            for (name, id) in path_ids {
                path_segment::check_id(operation, name, id)?;
            }
            let path_ids = path_ids.iter().map(|(_, id)| (*id).to_owned()).collect();
            let http = self
                .config
                .http
                .current()
                .map_err(|source| Error::Transport {
                    operation,
                    base_url: self.config.base_url.clone(),
                    attempts: 0,
                    source,
                })?;
            let raw = GeneratedClient::new_with_client(
                &self.config.base_url,
                http,
                CallState::new(Arc::clone(&self.config), path_ids),
            );
            let result = send(&raw).await;
            let (received, attempts) = (raw.inner.received(), raw.inner.attempts());
            if let Some(received) = &received
                && received.status.is_success()
            {
                self.check_success(operation, received)?;
            }
            let request_id = received
                .as_ref()
                .and_then(|received| request_id(&received.headers, &self.config.redactor));
            result
                .map(|value| Output {
                    request_id,
                    attempts,
                    value: value.into_inner(),
                })
                .map_err(|err| self.translate(operation, err, received, attempts))
        })
        .await
    }

    /// What the generated code cannot see in a success: a body cut at the
    /// limit, and a confirmation of `delete_key` that is one of Deepgram's
    /// error forms (it accepts any JSON object).
    fn check_success(&self, operation: Operation, received: &Received) -> Result<(), Error> {
        if received.cut {
            return Err(Error::BodyTooLarge {
                operation,
                status: received.status,
                limit: self.config.success_limit(operation.id()),
            });
        }
        if operation == Operation::DeleteKey && is_error_form(&received.body) {
            return Err(Error::Decode {
                operation,
                status: received.status,
                body: RawBody::new(&received.body, false, &self.config.redactor),
                reason: "the body is one of Deepgram's error forms, not a confirmation".into(),
            });
        }
        Ok(())
    }

    fn translate(
        &self,
        operation: Operation,
        err: progenitor_client::Error<ErrorBody>,
        received: Option<Received>,
        attempts: u32,
    ) -> Error {
        use progenitor_client::Error as Generated;
        let redactor = &self.config.redactor;
        // Every error status, whatever the generated code made of its body
        // (it reads any JSON object as an empty `ErrorBody`): built from the
        // response as received.
        if let Some(received) = received.as_ref().filter(|r| !r.status.is_success()) {
            let api = ApiError::from_response(
                operation,
                received.status,
                &received.headers,
                &received.body,
                received.cut,
                redactor,
            );
            return ApiError { attempts, ..api }.into();
        }
        match err {
            Generated::CommunicationError(source)
            | Generated::ResponseBodyError(source)
            | Generated::InvalidUpgrade(source)
                if source.is_timeout() && !source.is_connect() =>
            {
                Error::Timeout {
                    operation,
                    timeout: self.config.timeout,
                    attempts,
                }
            }
            Generated::CommunicationError(source)
            | Generated::ResponseBodyError(source)
            | Generated::InvalidUpgrade(source) => Error::Transport {
                operation,
                base_url: self.config.base_url.clone(),
                attempts,
                source,
            },
            Generated::InvalidResponsePayload(body, source) => {
                // serde quotes the values it rejects, at any length.
                let reason = source.to_string();
                let reason = cut_at_char_boundary(&reason, MAX_ERROR_BODY);
                Error::Decode {
                    operation,
                    status: received.map_or(StatusCode::OK, |received| received.status),
                    body: shown_body(operation, &body, redactor),
                    reason: redactor.redact(reason),
                }
            }
            // A success status the spec does not declare.
            Generated::UnexpectedResponse(response) => {
                let status = response.status();
                Error::Decode {
                    operation,
                    status,
                    body: shown_body(
                        operation,
                        received.as_ref().map_or(&[][..], |received| &received.body),
                        redactor,
                    ),
                    reason: format!("the spec declares no {status} response"),
                }
            }
            Generated::ErrorResponse(response) => {
                // Unreachable in practice: the hooks keep every error
                // response. Report it as it came rather than panic.
                ApiError::new(operation, response.status()).into()
            }
            Generated::InvalidRequest(reason) | Generated::Custom(reason) => {
                Error::InvalidRequest { operation, reason }
            }
        }
    }
}

/// The body of a success that failed to decode, as an error shows it:
/// redacted, or for `create_key` withheld, as it may hold the new secret.
fn shown_body(operation: Operation, body: &[u8], redactor: &Redactor) -> RawBody {
    if operation == Operation::CreateKey {
        RawBody::withheld(body.len())
    } else {
        RawBody::new(body, false, redactor)
    }
}

impl From<GetKeyResponse> for KeyWithMember {
    fn from(response: GetKeyResponse) -> Self {
        match response {
            GetKeyResponse::KeyWithMember(key) => key,
            GetKeyResponse::WrappedKey(wrapped) => {
                let member = wrapped.item.member;
                KeyWithMember {
                    api_key: member.api_key,
                    member: crate::types::Member {
                        member_id: member.member_id,
                        email: member.email,
                        first_name: member.first_name,
                        last_name: member.last_name,
                    },
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_spec_version_is_the_crate_version() {
        use progenitor_client::ClientInfo;
        assert_eq!(
            <GeneratedClient as ClientInfo<CallState>>::api_version(),
            env!("CARGO_PKG_VERSION"),
            "openapi/keys.yaml `info.version` and generated-client/Cargo.toml `version` must move together"
        );
    }

    #[test]
    fn debug_output_hides_the_api_key() {
        let client = Client::new("secret-token-value").unwrap();
        let shown = format!("{client:?}");
        assert!(!shown.contains("secret-token-value"), "{shown}");
    }
}
