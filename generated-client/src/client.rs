//! The client applications use: construction, the four operations, and the
//! translation of the generated client's results into [`Error`].

use std::sync::Arc;

use progenitor_client::ResponseValue;
use reqwest::StatusCode;

use crate::config::{ClientBuilder, Config};
use crate::create::CreateKey;
use crate::error::{ApiError, Error, RawBody};
use crate::generated::Client as GeneratedClient;
use crate::hooks::CallState;
use crate::operation::Operation;
use crate::path_segment;
use crate::secret::{ApiKeySecret, redact_body, redact_secrets};
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

    /// Lists the keys of a project, each with the member who owns it.
    ///
    /// `status` keeps only active or only expired keys; `None` lists all.
    pub async fn list_keys(
        &self,
        project_id: &str,
        status: Option<KeyStatus>,
    ) -> Result<Vec<KeyWithMember>, Error> {
        let ids = [("project_id", project_id)];
        let response = self
            .call(Operation::ListKeys, &ids, async |raw| {
                raw.list_keys(project_id, status).await
            })
            .await?;
        Ok(response.api_keys)
    }

    /// Gets one key and the member who owns it.
    ///
    /// Deepgram has documented two shapes for this response; both arrive as
    /// the same [`KeyWithMember`], the shape [`list_keys`](Self::list_keys)
    /// returns.
    pub async fn get_key(&self, project_id: &str, key_id: &str) -> Result<KeyWithMember, Error> {
        let ids = [("project_id", project_id), ("key_id", key_id)];
        let response = self
            .call(Operation::GetKey, &ids, async |raw| {
                raw.get_key(project_id, key_id).await
            })
            .await?;
        Ok(KeyWithMember::from(response))
    }

    /// Creates a key. The response holds the new secret, which Deepgram
    /// returns only this once.
    ///
    /// The request is never sent twice once it may have reached the service,
    /// since that could create two keys; see the crate docs on retries.
    pub async fn create_key<State>(
        &self,
        project_id: &str,
        request: &CreateKey<State>,
    ) -> Result<CreateKeyResponse, Error> {
        const OPERATION: Operation = Operation::CreateKey;
        let body = request.to_wire().map_err(|reason| Error::InvalidRequest {
            operation: OPERATION,
            reason,
        })?;
        let ids = [("project_id", project_id)];
        self.call(OPERATION, &ids, async |raw| {
            raw.create_key(project_id, &body).await
        })
        .await
    }

    /// Deletes a key; requests made with it fail from then on.
    pub async fn delete_key(
        &self,
        project_id: &str,
        key_id: &str,
    ) -> Result<DeleteKeyResponse, Error> {
        let ids = [("project_id", project_id), ("key_id", key_id)];
        self.call(Operation::DeleteKey, &ids, async |raw| {
            raw.delete_key(project_id, key_id).await
        })
        .await
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
    ) -> Result<T, Error> {
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
            let raw = GeneratedClient::new_with_client(
                &self.config.base_url,
                self.config.http.clone(),
                CallState::new(Arc::clone(&self.config), path_ids),
            );
            match send(&raw).await {
                Ok(value) => Ok(value.into_inner()),
                Err(err) => Err(self.translate(operation, err, &raw.inner).await),
            }
        })
        .await
    }

    async fn translate(
        &self,
        operation: Operation,
        err: progenitor_client::Error<ErrorBody>,
        state: &CallState,
    ) -> Error {
        use progenitor_client::Error as Generated;
        let attempts = state.attempts();
        // Every error status, whatever the generated code made of its body
        // (it reads any JSON object as an empty `ErrorBody`): built from the
        // response as received.
        if let Some(response) = state.error_response() {
            let api = ApiError::from_response(
                operation,
                response.status,
                &response.headers,
                &response.body,
            );
            let redact = |text: String| redact_secrets(&text, &self.config.api_key);
            return ApiError {
                code: api.code.map(redact),
                message: api.message.map(redact),
                details: api.details.map(redact),
                request_id: api.request_id.map(redact),
                raw_body: api.raw_body.map(redact),
                attempts,
                ..api
            }
            .into();
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
            Generated::InvalidResponsePayload(body, source) => Error::Decode {
                operation,
                status: StatusCode::OK,
                body: RawBody::new(&body, &self.config.api_key),
                reason: redact_secrets(&redact_body(&source.to_string()), &self.config.api_key),
            },
            // A success status the spec does not declare.
            Generated::UnexpectedResponse(response) => {
                let status = response.status();
                match response.bytes().await {
                    Ok(body) => Error::Decode {
                        operation,
                        status,
                        body: RawBody::new(&body, &self.config.api_key),
                        reason: format!("the spec declares no {status} response"),
                    },
                    Err(source) => Error::Transport {
                        operation,
                        base_url: self.config.base_url.clone(),
                        attempts,
                        source,
                    },
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
