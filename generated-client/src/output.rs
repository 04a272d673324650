//! What a call returns: a future of the value, which can also give the
//! request id of the success ([`Call::with_request_id`]).

use std::fmt;
use std::future::Future;
use std::ops::Deref;
use std::pin::Pin;
use std::task::{Context, Poll};

use crate::error::Error;

type Boxed<'a, T> = Pin<Box<dyn Future<Output = Result<Output<T>, Error>> + Send + 'a>>;

/// A call to the keys API, returned by each [`Client`](crate::Client)
/// method. Awaiting it gives the value; [`with_request_id`](Self::with_request_id)
/// gives the value with Deepgram's request id and the attempts made.
///
/// ```no_run
/// # async fn run(client: deepgram_keys::Client) -> Result<(), deepgram_keys::Error> {
/// use deepgram_keys::CreateKey;
///
/// let created = client
///     .create_key("project", &CreateKey::new("ci", ["usage:read"]))
///     .with_request_id()
///     .await?;
/// println!("created {} (request id {:?})", created.api_key_id, created.request_id);
/// let key = created.into_inner();
/// # let _ = key;
/// # Ok(())
/// # }
/// ```
#[must_use = "a call does nothing unless awaited"]
pub struct Call<'a, T> {
    future: Boxed<'a, T>,
}

impl<'a, T> Call<'a, T> {
    pub(crate) fn new(future: impl Future<Output = Result<Output<T>, Error>> + Send + 'a) -> Self {
        Self {
            future: Box::pin(future),
        }
    }

    /// The value together with the `dg-request-id` of the response that
    /// brought it, as an [`Output`]: what Deepgram support asks for when a
    /// call did something unexpected. Failed calls carry theirs in
    /// [`Error::request_id`].
    pub fn with_request_id(self) -> impl Future<Output = Result<Output<T>, Error>> + Send + 'a
    where
        T: 'a,
    {
        self.future
    }
}

impl<T> Future for Call<'_, T> {
    type Output = Result<T, Error>;

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        self.future
            .as_mut()
            .poll(cx)
            .map(|result| result.map(Output::into_inner))
    }
}

impl<T> fmt::Debug for Call<'_, T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Call").finish_non_exhaustive()
    }
}

/// A successful call's value with what is known about its response; it
/// dereferences to the value.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct Output<T> {
    /// What the call returned.
    pub value: T,
    /// The `dg-request-id` of the response, when it had one (with the
    /// client's API key replaced, should a server echo it there).
    pub request_id: Option<String>,
    /// How many requests the call sent, retries included.
    pub attempts: u32,
}

impl<T> Output<T> {
    /// The value, without the rest.
    pub fn into_inner(self) -> T {
        self.value
    }

    pub(crate) fn map<U>(self, change: impl FnOnce(T) -> U) -> Output<U> {
        Output {
            value: change(self.value),
            request_id: self.request_id,
            attempts: self.attempts,
        }
    }
}

impl<T> Deref for Output<T> {
    type Target = T;

    fn deref(&self) -> &T {
        &self.value
    }
}
