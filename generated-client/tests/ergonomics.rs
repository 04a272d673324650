//! What an application needs besides the four calls: a client with another
//! key, the request id of a success, deletion that tolerates a key already
//! gone, and 403 hints that fit the key's scopes. Against the fake.

use std::time::Duration;

use deepgram_keys::{CreateKey, Error};
use deepgram_keys_fake::{FakeDeepgram, Fault, Matcher, OWNER_MEMBER_ID, Operation};

fn status(err: &Error) -> Option<u16> {
    err.status().map(|status| status.as_u16())
}

#[tokio::test]
async fn a_client_with_another_key_keeps_every_other_setting() {
    let fake = FakeDeepgram::start();
    let project = fake.project_id();
    let reader = fake.add_key(
        project,
        OWNER_MEMBER_ID,
        &CreateKey::new("r", ["keys:read"]),
    );
    let owner = fake
        .client_builder()
        .max_retries(0)
        .timeout(Duration::from_millis(300))
        .user_agent_suffix("rotator/1.0")
        .build()
        .unwrap();
    let as_reader = owner.with_api_key(reader.key.clone()).unwrap();
    assert_eq!(as_reader.base_url(), owner.base_url());

    as_reader.list_keys(project, None).await.unwrap();
    let listed = fake.requests_for(Operation::ListKeys).pop().unwrap();
    assert_eq!(
        listed.auth_key_id.as_deref(),
        Some(reader.api_key_id.as_str())
    );
    assert!(
        listed
            .header("user-agent")
            .unwrap()
            .ends_with(" rotator/1.0")
    );

    // No retries, as set on the original.
    fake.fail_next(Operation::ListKeys, 1, Fault::status(503));
    let err = as_reader.list_keys(project, None).await.unwrap_err();
    assert_eq!((status(&err), err.api().unwrap().attempts), (Some(503), 1));
    // The same timeout.
    fake.fail_next(Operation::ListKeys, 1, Fault::delay(Duration::from_secs(3)));
    let err = as_reader.list_keys(project, None).await.unwrap_err();
    assert!(
        matches!(err, Error::Timeout { timeout, .. } if timeout == Duration::from_millis(300)),
        "{err:?}"
    );

    // to_builder gives the same settings, to change one.
    let patient = as_reader.to_builder().max_retries(2).build().unwrap();
    fake.fail_next(Operation::ListKeys, 2, Fault::status(503));
    patient.list_keys(project, None).await.unwrap();
    let last = fake.requests_for(Operation::ListKeys).pop().unwrap();
    assert_eq!(
        last.auth_key_id.as_deref(),
        Some(reader.api_key_id.as_str())
    );
}

#[tokio::test]
async fn a_success_gives_its_request_id_and_attempts() {
    let fake = FakeDeepgram::start();
    let project = fake.project_id();
    let client = fake.client();
    fake.fail_next(Operation::CreateKey, 1, Fault::status(429));
    let created = client
        .create_key(project, &CreateKey::new("ci", ["member"]))
        .with_request_id()
        .await
        .unwrap();
    let sent = fake.requests_for(Operation::CreateKey);
    assert_eq!(
        created.request_id.as_deref(),
        Some(sent[1].request_id.as_str())
    );
    assert_eq!(created.attempts, 2);
    assert_eq!(created.comment, "ci", "an Output dereferences to the value");
    let key = created.into_inner();

    let got = client
        .get_key(project, &key.api_key_id)
        .with_request_id()
        .await
        .unwrap();
    let logged = fake.requests_for(Operation::GetKey).pop().unwrap();
    assert_eq!(got.request_id, Some(logged.request_id));
    assert_eq!(got.attempts, 1);

    // A failure's request id, in one call.
    let err = client
        .get_key(project, "0f4d7f8c-2a44-4a55-9d5c-7a3f2c1b9e10")
        .await
        .unwrap_err();
    let logged = fake.requests_for(Operation::GetKey).pop().unwrap();
    assert_eq!(err.request_id(), Some(logged.request_id.as_str()));
    let refused = client.get_key(project, "").await.unwrap_err();
    assert_eq!(refused.request_id(), None, "nothing was sent");
}

#[tokio::test]
async fn calls_can_be_spawned_and_joined_as_futures() {
    let fake = FakeDeepgram::start();
    let client = fake.client();
    let project = fake.project_id().to_owned();
    let spawned = tokio::spawn({
        let client = client.clone();
        async move { client.list_keys(&project, None).await }
    });
    let (listed, again) = tokio::join!(spawned, client.list_keys(fake.project_id(), None));
    assert_eq!(listed.unwrap().unwrap(), again.unwrap());
}

#[tokio::test]
async fn deleting_if_exists_is_done_once_the_key_is_gone_however_it_went() {
    let fake = FakeDeepgram::start();
    let project = fake.project_id();
    let client = fake.client();
    let add = || {
        fake.add_key(project, OWNER_MEMBER_ID, &CreateKey::new("k", ["member"]))
            .api_key_id
    };

    let present = add();
    client
        .delete_key_if_exists(project, &present)
        .await
        .unwrap();
    client
        .delete_key_if_exists(project, &present)
        .await
        .unwrap();
    let err = client.delete_key(project, &present).await.unwrap_err();
    assert_eq!(status(&err), Some(404), "delete_key itself still says 404");

    // The first attempt deletes, its answer is lost, the retry finds nothing.
    let lost = add();
    fake.fail(
        Matcher::operation(Operation::DeleteKey).key_id(&lost),
        1,
        Fault::drop_connection_after_acting(),
    );
    let deleted = client
        .delete_key_if_exists(project, &lost)
        .with_request_id()
        .await
        .unwrap();
    assert_eq!(deleted.attempts, 2);
    assert_eq!(fake.keys(project).len(), 1, "only the owner key is left");

    // An unknown project is not a key already gone.
    let err = client
        .delete_key_if_exists("0f4d7f8c-2a44-4a55-9d5c-7a3f2c1b9e10", &present)
        .await
        .unwrap_err();
    assert_eq!(
        err.api().unwrap().code.as_deref(),
        Some("PROJECT_NOT_FOUND")
    );
    // Nor is a failure of another kind.
    let doomed = add();
    fake.fail(
        Matcher::operation(Operation::DeleteKey).key_id(&doomed),
        3,
        Fault::status(500),
    );
    let err = client
        .delete_key_if_exists(project, &doomed)
        .await
        .unwrap_err();
    assert_eq!(status(&err), Some(500));
}

#[tokio::test]
async fn a_403_hint_says_what_this_operation_needs() {
    let fake = FakeDeepgram::start();
    let project = fake.project_id();
    let add = |scopes: &[&str]| {
        let key = fake.add_key(
            project,
            OWNER_MEMBER_ID,
            &CreateKey::new("k", scopes.iter().copied()),
        );
        fake.client().with_api_key(key.key).unwrap()
    };
    let reader = add(&["keys:read"]);
    reader.list_keys(project, None).await.unwrap();
    let err = reader
        .create_key(project, &CreateKey::new("c", ["member"]))
        .await
        .unwrap_err();
    assert_eq!(status(&err), Some(403));
    let shown = err.to_string();
    assert!(
        shown.contains("`keys:write`") && shown.contains("`keys:read` only lists and gets"),
        "{shown}"
    );
    let err = reader
        .delete_key(project, fake.owner_key_id())
        .await
        .unwrap_err();
    assert!(
        err.to_string().contains("creating and deleting keys needs"),
        "{err}"
    );

    let member = add(&["member"]);
    let err = member.list_keys(project, None).await.unwrap_err();
    let shown = err.to_string();
    assert!(
        shown.contains("reading keys needs a key with the `keys:read`"),
        "{shown}"
    );

    let writer = add(&["keys:write"]);
    let err = writer
        .create_key(project, &CreateKey::new("c", ["usage:read"]))
        .await
        .unwrap_err();
    let shown = err.to_string();
    assert!(
        shown.contains("grants only scopes it holds itself"),
        "{shown}"
    );
}
