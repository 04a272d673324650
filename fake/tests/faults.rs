//! Faults aimed at chosen calls (by operation, key id, token, nth call or
//! predicate), and faults that act before they lose the answer.

use std::time::{Duration, Instant, SystemTime};

use deepgram_keys::{Client, CreateKey, Error};
use deepgram_keys_fake::{FakeDeepgram, Fault, Matcher, OWNER_MEMBER_ID, Operation};

fn status(err: &Error) -> Option<u16> {
    err.status().map(|status| status.as_u16())
}

fn key_ids(fake: &FakeDeepgram) -> Vec<String> {
    fake.keys(fake.project_id())
        .into_iter()
        .map(|key| key.api_key.api_key_id)
        .collect()
}

fn no_retries(fake: &FakeDeepgram) -> Client {
    fake.client_builder().max_retries(0).build().unwrap()
}

#[tokio::test]
async fn a_fault_aimed_at_one_key_leaves_the_other_keys_alone() {
    let fake = FakeDeepgram::start();
    let project = fake.project_id();
    let spared = fake.add_key(project, OWNER_MEMBER_ID, &CreateKey::new("a", ["member"]));
    let doomed = fake.add_key(project, OWNER_MEMBER_ID, &CreateKey::new("b", ["member"]));
    fake.fail(
        Matcher::operation(Operation::DeleteKey).key_id(&doomed.api_key_id),
        u32::MAX,
        Fault::status(500),
    );
    let client = fake.client();
    client
        .delete_key(project, &spared.api_key_id)
        .await
        .unwrap();
    let err = client
        .delete_key(project, &doomed.api_key_id)
        .await
        .unwrap_err();
    assert_eq!(status(&err), Some(500));
    assert_eq!(key_ids(&fake), [fake.owner_key_id(), &doomed.api_key_id]);
    let deletes = fake.requests_for(Operation::DeleteKey);
    assert_eq!(deletes.len(), 4, "one delete, then one with two retries");
    assert_eq!(deletes[0].fault, None);
    assert!(
        deletes[1..]
            .iter()
            .all(|request| request.fault == Some(Fault::status(500))
                && request.path_key_id.as_deref() == Some(doomed.api_key_id.as_str())),
        "{deletes:?}"
    );
    // Other operations on that key are not hit either.
    client.get_key(project, &doomed.api_key_id).await.unwrap();
}

#[tokio::test]
async fn a_fault_aimed_at_a_token_hits_only_calls_made_with_it() {
    let fake = FakeDeepgram::start();
    let project = fake.project_id();
    let reader = fake.add_key(
        project,
        OWNER_MEMBER_ID,
        &CreateKey::new("r", ["keys:read"]),
    );
    fake.fail(
        Matcher::any().token(reader.key.expose_secret()),
        u32::MAX,
        Fault::status(503),
    );
    let as_reader = fake
        .client_builder()
        .api_key(reader.key.clone())
        .max_retries(0)
        .build()
        .unwrap();
    let err = as_reader.list_keys(project, None).await.unwrap_err();
    assert_eq!(status(&err), Some(503));
    fake.client().list_keys(project, None).await.unwrap();
    let lists = fake.requests_for(Operation::ListKeys);
    assert_eq!(
        lists
            .iter()
            .map(|request| request.auth_key_id.as_deref())
            .collect::<Vec<_>>(),
        [Some(reader.api_key_id.as_str()), Some(fake.owner_key_id())],
        "the log names the key each call was made with"
    );
}

#[tokio::test]
async fn nth_counts_every_matching_call_and_hits_only_its_own() {
    let fake = FakeDeepgram::start();
    let project = fake.project_id();
    let client = no_retries(&fake);
    let owner = fake.owner_key_id().to_owned();
    // A plain 500 takes the first get; the 503 waits for the second, which
    // it counts from the moment it was injected.
    fake.fail_next(Operation::GetKey, 1, Fault::status(500));
    fake.fail(
        Matcher::operation(Operation::GetKey).nth(2),
        1,
        Fault::status(503),
    );
    let statuses = [
        client.get_key(project, &owner).await.err(),
        client.get_key(project, &owner).await.err(),
        client.get_key(project, &owner).await.err(),
    ];
    assert_eq!(
        statuses.each_ref().map(|err| err.as_ref().and_then(status)),
        [Some(500), Some(503), None]
    );
    // Calls of other operations are not counted.
    fake.fail(
        Matcher::operation(Operation::GetKey).nth(2),
        1,
        Fault::status(503),
    );
    client.list_keys(project, None).await.unwrap();
    client.get_key(project, &owner).await.unwrap();
    let err = client.get_key(project, &owner).await.unwrap_err();
    assert_eq!(status(&err), Some(503));
}

#[tokio::test]
async fn a_predicate_picks_calls_by_what_they_carry() {
    let fake = FakeDeepgram::start();
    let project = fake.project_id();
    fake.fail(
        Matcher::operation(Operation::CreateKey).when(|request| {
            request
                .json()
                .is_some_and(|body| body["comment"] == "doomed")
        }),
        u32::MAX,
        Fault::status(400),
    );
    let client = fake.client();
    client
        .create_key(project, &CreateKey::new("fine", ["member"]))
        .await
        .unwrap();
    let err = client
        .create_key(project, &CreateKey::new("doomed", ["member"]))
        .await
        .unwrap_err();
    assert_eq!(status(&err), Some(400));
    assert_eq!(fake.keys(project).len(), 2, "the owner key and `fine`");

    fake.clear_faults();
    client
        .create_key(project, &CreateKey::new("doomed", ["member"]))
        .await
        .unwrap();
}

#[tokio::test]
async fn dropping_after_acting_acts_for_every_operation_and_loses_the_answer() {
    let fake = FakeDeepgram::start();
    let project = fake.project_id();
    let client = no_retries(&fake);
    let lost = Fault::drop_connection_after_acting();
    assert!(lost.acts() && !Fault::drop_connection().acts());

    fake.fail_next(Operation::CreateKey, 1, lost.clone());
    let err = client
        .create_key(project, &CreateKey::new("orphan", ["member"]))
        .await
        .unwrap_err();
    assert_eq!(status(&err), None, "{err:?}");
    let keys = fake.keys(project);
    assert_eq!(
        keys.len(),
        2,
        "the key was made although its answer was lost"
    );
    let orphan = keys[1].api_key.api_key_id.clone();
    assert_eq!(keys[1].api_key.comment, "orphan");
    let create = &fake.requests_for(Operation::CreateKey)[0];
    assert_eq!((create.status, create.fault.as_ref()), (None, Some(&lost)));

    for operation in [Operation::ListKeys, Operation::GetKey] {
        fake.fail_next(operation, 1, lost.clone());
    }
    assert_eq!(
        status(&client.list_keys(project, None).await.unwrap_err()),
        None
    );
    assert_eq!(
        status(&client.get_key(project, &orphan).await.unwrap_err()),
        None
    );

    fake.fail_next(Operation::DeleteKey, 1, lost.clone());
    let err = client.delete_key(project, &orphan).await.unwrap_err();
    assert_eq!(status(&err), None, "{err:?}");
    assert_eq!(
        key_ids(&fake),
        [fake.owner_key_id()],
        "deleted all the same"
    );
}

#[tokio::test]
async fn a_retried_delete_whose_first_answer_was_lost_gets_404() {
    let fake = FakeDeepgram::start();
    let project = fake.project_id();
    let key = fake.add_key(project, OWNER_MEMBER_ID, &CreateKey::new("k", ["member"]));
    fake.fail_next(
        Operation::DeleteKey,
        1,
        Fault::drop_connection_after_acting(),
    );
    let err = fake
        .client()
        .delete_key(project, &key.api_key_id)
        .await
        .unwrap_err();
    assert_eq!(status(&err), Some(404), "{err:?}");
    assert_eq!(fake.requests_for(Operation::DeleteKey).len(), 2);
    assert_eq!(key_ids(&fake), [fake.owner_key_id()]);
}

#[tokio::test]
async fn a_call_the_client_gave_up_on_still_happens() {
    let fake = FakeDeepgram::start();
    let project = fake.project_id();
    fake.fail_next(
        Operation::CreateKey,
        1,
        Fault::delay(Duration::from_millis(600)),
    );
    let impatient = fake
        .client_builder()
        .timeout(Duration::from_millis(200))
        .build()
        .unwrap();
    let err = impatient
        .create_key(project, &CreateKey::new("late", ["member"]))
        .await
        .unwrap_err();
    assert!(matches!(err, Error::Timeout { .. }), "{err:?}");
    let deadline = Instant::now() + Duration::from_secs(5);
    while fake.keys(project).len() < 2 {
        assert!(Instant::now() < deadline, "the late create never happened");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    assert_eq!(fake.keys(project)[1].api_key.comment, "late");
}

#[test]
fn a_matcher_shows_no_secret_in_debug() {
    let matcher = Matcher::any()
        .token("0123456789abcdef0123456789abcdef01234567")
        .when(|_| true);
    let shown = format!("{matcher:?}");
    assert!(!shown.contains("0123456789abcdef"), "{shown}");
    assert!(shown.contains("<fn>"), "{shown}");
}

#[tokio::test]
async fn faults_at_the_edges_of_their_values_answer_as_logged() {
    // Each of these panicked the connection task, which dropped the call
    // (retry_after(Duration::MAX), dates outside 1970..=9999), or sent
    // another status than the log showed (status(100)).
    let far_future = SystemTime::UNIX_EPOCH + Duration::from_secs(400_000_000_000);
    let before_1970 = SystemTime::UNIX_EPOCH - Duration::from_secs(86_400);
    for (fault, sent) in [
        (Fault::status(429).retry_after(Duration::MAX), 429),
        (
            Fault::status(503).retry_after(Duration::from_secs(u64::MAX)),
            503,
        ),
        (Fault::status(429).retry_after_date(far_future), 429),
        (Fault::status(429).retry_after_date(before_1970), 429),
        (Fault::status(100), 500),
        (Fault::status(0), 500),
        (Fault::status(1000), 500),
    ] {
        let fake = FakeDeepgram::start();
        fake.fail_next(Operation::ListKeys, 1, fault.clone());
        let err = no_retries(&fake)
            .list_keys(fake.project_id(), None)
            .await
            .unwrap_err();
        assert_eq!(status(&err), Some(sent), "{fault:?}: {err}");
        let logged = fake.requests_for(Operation::ListKeys);
        assert_eq!(logged[0].status, Some(sent), "{fault:?}");
    }
}

#[tokio::test]
async fn a_fake_on_every_interface_hands_out_a_loopback_url() {
    let everywhere = std::net::SocketAddr::from(([0, 0, 0, 0], 0));
    let fake = FakeDeepgram::builder().address(everywhere).start().unwrap();
    assert!(
        fake.url().starts_with("http://127.0.0.1:"),
        "{}",
        fake.url()
    );
    fake.client()
        .list_keys(fake.project_id(), None)
        .await
        .unwrap();
}

#[tokio::test]
async fn a_garbled_or_cut_answer_acts_and_the_client_cannot_read_it() {
    let fake = FakeDeepgram::start();
    let project = fake.project_id();
    let client = no_retries(&fake);
    for (fault, comment) in [
        (Fault::malformed_body(), "garbled"),
        (Fault::truncated_body(), "cut"),
    ] {
        assert!(fault.acts(), "{fault:?}");
        let matcher = Matcher::operation(Operation::CreateKey).when(move |request| {
            request
                .json()
                .is_some_and(|body| body["comment"] == comment)
        });
        fake.fail(matcher, 1, fault.clone());
        let err = client
            .create_key(project, &CreateKey::new(comment, ["member"]))
            .await
            .unwrap_err();
        assert!(err.is_outcome_unknown(), "{fault:?}: {err:?}");
        let made: Vec<_> = fake
            .keys(project)
            .into_iter()
            .filter(|key| key.api_key.comment == comment)
            .collect();
        assert_eq!(made.len(), 1, "{fault:?}: the create acted once");
        let logged = fake.requests_for(Operation::CreateKey).pop().unwrap();
        assert_eq!((logged.fault, logged.status), (Some(fault), Some(200)));
    }
    // A read gets them too, and is retried past them by default.
    fake.fail(Operation::ListKeys, 1, Fault::malformed_body());
    let err = no_retries(&fake)
        .list_keys(project, None)
        .await
        .unwrap_err();
    assert!(matches!(err, Error::Decode { .. }), "{err:?}");
    fake.fail(Operation::ListKeys, 1, Fault::truncated_body());
    let listed = fake.client().list_keys(project, None).await.unwrap();
    assert_eq!(listed.len(), 3);
}
