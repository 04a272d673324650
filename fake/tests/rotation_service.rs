//! A key-rotation service written the way an ops team writes one, from the
//! crates' docs alone, and tested on the fake: rotation with verification
//! and rollback, a failure on exactly the verification, a create whose
//! answer is lost (no orphan is left), 429 and 503, the expiry sweep with
//! the clock moved and a chosen delete failing, and 20 rotations at once.

mod service {
    //! The service: no workaround, only the crate's public API.

    use deepgram_keys::{Client, CreateKey, CreateKeyResponse, Error, Expiry, KeyStatus};

    /// What a rotation made, for the report.
    #[derive(Debug)]
    pub struct Rotated {
        pub new: CreateKeyResponse,
        /// Deepgram's id of the create request, to quote to support.
        pub create_request_id: Option<String>,
    }

    /// Why a rotation failed, and what it left behind: the keys there were
    /// before, the old key among them, unless the variant says otherwise.
    #[derive(Debug)]
    pub enum RotationError {
        /// Nothing was created.
        NotCreated(Error),
        /// A key was made (or may have been) but failed; it was deleted
        /// again.
        RolledBack { step: &'static str, cause: Error },
        /// The rollback itself failed: this key is left over and must be
        /// deleted by hand. The service reports it rather than hide it.
        Orphaned { key_id: String, cause: Error },
        /// The old key's delete failed, and whether the old key is still
        /// there could not be told: both are kept, since deleting the new
        /// key could leave none. A person decides.
        BothKept { new_key_id: String, cause: Error },
    }

    /// Replaces `old_key_id` with a new key of the same comment, scopes and
    /// tags (and `expiry`, if given), proves that the new secret works,
    /// then deletes the old key. On any failure after the create the new
    /// key is deleted again while the old key is still there, so that no key
    /// is orphaned and the application is never left without one; a create
    /// whose outcome is unknown is cleaned up by listing the keys.
    pub async fn rotate(
        client: &Client,
        project: &str,
        old_key_id: &str,
        expiry: Option<Expiry>,
    ) -> Result<Rotated, RotationError> {
        let old = client
            .get_key(project, old_key_id)
            .await
            .map_err(RotationError::NotCreated)?
            .api_key;
        let request = CreateKey::new(&old.comment, &old.scopes)
            .tags(old.tags.iter().flatten())
            .expiry(expiry);
        // The keys there before the create: a create whose answer is lost
        // made none of them, however alike they look.
        let before: Vec<String> = client
            .list_keys(project, None)
            .await
            .map_err(RotationError::NotCreated)?
            .into_iter()
            .map(|entry| entry.api_key.api_key_id)
            .collect();
        let created = match client.create_key(project, &request).with_request_id().await {
            Ok(created) => created,
            Err(cause) if cause.is_outcome_unknown() => {
                // The key may exist: find it by what it was asked to be.
                return Err(clean_up_unknown_create(client, project, &old, &before, cause).await);
            }
            Err(cause) => return Err(RotationError::NotCreated(cause)),
        };
        let new = created.value;
        if let Err(cause) = verify(client, project, &new).await {
            return Err(roll_back(client, project, &new.api_key_id, "verify", cause).await);
        }
        if let Err(cause) = client.delete_key_if_exists(project, old_key_id).await {
            // A delete whose answer was lost may have removed the old key
            // before its retries failed: then the new key is the only one.
            match client.get_key(project, old_key_id).await {
                Ok(_) => {
                    let step = "delete the old key";
                    return Err(roll_back(client, project, &new.api_key_id, step, cause).await);
                }
                Err(gone) if gone.status().is_some_and(|status| status.as_u16() == 404) => {}
                Err(_) => {
                    return Err(RotationError::BothKept {
                        new_key_id: new.api_key_id,
                        cause,
                    });
                }
            }
        }
        Ok(Rotated {
            new,
            create_request_id: created.request_id,
        })
    }

    /// The new secret authenticates: a client like `client` but with the
    /// new key reads the new key. A key without `keys:read` is refused with
    /// 403, which still proves the secret is valid (a bad one gets 401).
    async fn verify(client: &Client, project: &str, new: &CreateKeyResponse) -> Result<(), Error> {
        let as_new = client.with_api_key(new.key.clone())?;
        match as_new.get_key(project, &new.api_key_id).await {
            Ok(_) => Ok(()),
            Err(err) if err.status().is_some_and(|status| status.as_u16() == 403) => Ok(()),
            Err(err) => Err(err),
        }
    }

    async fn roll_back(
        client: &Client,
        project: &str,
        new_key_id: &str,
        step: &'static str,
        cause: Error,
    ) -> RotationError {
        match client.delete_key_if_exists(project, new_key_id).await {
            Ok(_) => RotationError::RolledBack { step, cause },
            Err(_) => RotationError::Orphaned {
                key_id: new_key_id.to_owned(),
                cause,
            },
        }
    }

    /// Deletes every key that looks like the one the lost create made: not
    /// there `before` the create, with the old key's comment, scopes and tags.
    async fn clean_up_unknown_create(
        client: &Client,
        project: &str,
        old: &deepgram_keys::ApiKey,
        before: &[String],
        cause: Error,
    ) -> RotationError {
        let keys = match client.list_keys(project, None).await {
            Ok(keys) => keys,
            Err(_) => {
                return RotationError::Orphaned {
                    key_id: "<unknown: the list failed>".to_owned(),
                    cause,
                };
            }
        };
        let made = keys.into_iter().map(|entry| entry.api_key).filter(|key| {
            !before.contains(&key.api_key_id)
                && key.comment == old.comment
                && key.tags == old.tags
                && old.scopes.iter().all(|scope| key.scopes.contains(scope))
        });
        for key in made {
            if client
                .delete_key_if_exists(project, &key.api_key_id)
                .await
                .is_err()
            {
                return RotationError::Orphaned {
                    key_id: key.api_key_id,
                    cause,
                };
            }
        }
        RotationError::RolledBack {
            step: "create",
            cause,
        }
    }

    /// What a sweep did.
    #[derive(Debug, Default)]
    pub struct Swept {
        pub deleted: Vec<String>,
        pub failed: Vec<(String, Error)>,
    }

    /// Deletes every key whose expiry has passed (by the service's clock),
    /// carrying on past a delete that fails.
    pub async fn expire_sweep(client: &Client, project: &str) -> Result<Swept, Error> {
        let mut swept = Swept::default();
        for entry in client.list_keys(project, Some(KeyStatus::Expired)).await? {
            let key_id = entry.api_key.api_key_id;
            match client.delete_key_if_exists(project, &key_id).await {
                Ok(_) => swept.deleted.push(key_id),
                Err(err) => swept.failed.push((key_id, err)),
            }
        }
        Ok(swept)
    }
}

use std::time::Duration;

use deepgram_keys::chrono::{DateTime, Utc};
use deepgram_keys::{CreateKey, CreateKeyResponse, Expiry};
use deepgram_keys_fake::{FakeDeepgram, Fault, Matcher, OWNER_MEMBER_ID, Operation};
use service::{RotationError, expire_sweep, rotate};

fn key_ids(fake: &FakeDeepgram) -> Vec<String> {
    fake.keys(fake.project_id())
        .into_iter()
        .map(|key| key.api_key.api_key_id)
        .collect()
}

fn billing_key(fake: &FakeDeepgram) -> CreateKeyResponse {
    fake.add_key(
        fake.project_id(),
        OWNER_MEMBER_ID,
        &CreateKey::new("billing export", ["usage:read", "keys:read"])
            .tags(["team:billing", "prod"]),
    )
}

/// The verification call and only it: a `get_key` of a key made with that
/// key's own secret.
fn verification() -> Matcher {
    Matcher::operation(Operation::GetKey)
        .when(|request| request.auth_key_id.is_some() && request.auth_key_id == request.path_key_id)
}

#[tokio::test]
async fn a_rotation_keeps_comment_scopes_and_tags_verifies_and_deletes_the_old_key() {
    let fake = FakeDeepgram::start();
    let project = fake.project_id();
    let old = billing_key(&fake);
    let rotated = rotate(
        &fake.client(),
        project,
        &old.api_key_id,
        Some(Expiry::TimeToLive(Duration::from_secs(86_400))),
    )
    .await
    .unwrap();
    let new = &rotated.new;
    assert_eq!(key_ids(&fake), [fake.owner_key_id(), &new.api_key_id]);
    assert_eq!(new.comment, "billing export");
    assert_eq!(new.scopes, ["usage:read", "keys:read"]);
    assert_eq!(
        new.tags.as_deref(),
        Some(&["team:billing".to_owned(), "prod".to_owned()][..])
    );
    assert!(new.expiration_date.is_some());
    // The report can quote the create's request id: the one the fake sent.
    let create = &fake.requests_for(Operation::CreateKey)[0];
    assert_eq!(
        rotated.create_request_id.as_deref(),
        Some(create.request_id.as_str())
    );
    // The new secret was proven with a call made with it.
    let verified = fake
        .requests_for(Operation::GetKey)
        .into_iter()
        .filter(|request| request.auth_key_id.as_deref() == Some(new.api_key_id.as_str()))
        .count();
    assert_eq!(verified, 1);
}

#[tokio::test]
async fn a_key_that_may_not_read_keys_is_verified_by_its_403() {
    let fake = FakeDeepgram::start();
    let project = fake.project_id();
    let old = fake.add_key(project, OWNER_MEMBER_ID, &CreateKey::new("asr", ["member"]));
    let rotated = rotate(&fake.client(), project, &old.api_key_id, None)
        .await
        .unwrap();
    assert_eq!(
        key_ids(&fake),
        [fake.owner_key_id(), &rotated.new.api_key_id]
    );
    assert_eq!(rotated.new.expiration_date, None);
}

#[tokio::test]
async fn a_failure_on_exactly_the_verification_rolls_the_rotation_back() {
    let fake = FakeDeepgram::start();
    let project = fake.project_id();
    let old = billing_key(&fake);
    let before = key_ids(&fake);
    fake.fail(verification(), u32::MAX, Fault::status(503));
    let err = rotate(&fake.client(), project, &old.api_key_id, None)
        .await
        .unwrap_err();
    let RotationError::RolledBack {
        step: "verify",
        cause,
    } = err
    else {
        panic!("{err:?}")
    };
    assert_eq!(cause.status().map(|status| status.as_u16()), Some(503));
    assert_eq!(
        key_ids(&fake),
        before,
        "the new key is gone, the old one stays"
    );
    // Only the verification failed: the read of the old key went through.
    let gets = fake.requests_for(Operation::GetKey);
    assert_eq!(gets[0].fault, None);
    assert!(gets[1..].iter().all(|get| get.fault.is_some()), "{gets:?}");
}

#[tokio::test]
async fn a_create_whose_answer_is_lost_leaves_no_orphan() {
    let fake = FakeDeepgram::start();
    let project = fake.project_id();
    let old = billing_key(&fake);
    let unrelated = fake.add_key(
        project,
        OWNER_MEMBER_ID,
        &CreateKey::new("other", ["member"]),
    );
    let before = key_ids(&fake);
    fake.fail_next(
        Operation::CreateKey,
        1,
        Fault::drop_connection_after_acting(),
    );
    let err = rotate(&fake.client(), project, &old.api_key_id, None)
        .await
        .unwrap_err();
    let RotationError::RolledBack {
        step: "create",
        cause,
    } = err
    else {
        panic!("{err:?}")
    };
    assert!(cause.is_outcome_unknown(), "{cause:?}");
    assert_eq!(
        fake.requests_for(Operation::CreateKey).len(),
        1,
        "never sent twice"
    );
    assert_eq!(
        key_ids(&fake),
        before,
        "the key the create made was found and deleted"
    );
    assert!(key_ids(&fake).contains(&unrelated.api_key_id));
}

#[tokio::test]
async fn rate_limits_and_unavailable_reads_and_deletes_are_ridden_out() {
    let fake = FakeDeepgram::start();
    let project = fake.project_id();
    let old = billing_key(&fake);
    fake.fail_next(
        Operation::GetKey,
        1,
        Fault::status(429).retry_after(Duration::from_secs(0)),
    );
    fake.fail_next(Operation::CreateKey, 1, Fault::status(429));
    fake.fail(verification(), 1, Fault::status(503));
    fake.fail(
        Matcher::operation(Operation::DeleteKey).key_id(&old.api_key_id),
        2,
        Fault::status(503),
    );
    let rotated = rotate(&fake.client(), project, &old.api_key_id, None)
        .await
        .unwrap();
    assert_eq!(
        key_ids(&fake),
        [fake.owner_key_id(), &rotated.new.api_key_id]
    );
    assert_eq!(
        fake.requests_for(Operation::CreateKey).len(),
        2,
        "a 429 is safe to retry"
    );
}

#[tokio::test]
async fn a_503_on_create_is_not_retried_and_changes_nothing() {
    let fake = FakeDeepgram::start();
    let project = fake.project_id();
    let old = billing_key(&fake);
    let before = key_ids(&fake);
    fake.fail_next(Operation::CreateKey, 1, Fault::status(503));
    let err = rotate(&fake.client(), project, &old.api_key_id, None)
        .await
        .unwrap_err();
    let RotationError::NotCreated(cause) = err else {
        panic!("{err:?}")
    };
    assert_eq!(cause.status().map(|status| status.as_u16()), Some(503));
    assert!(
        !cause.is_outcome_unknown(),
        "a 503 says the service did nothing"
    );
    assert_eq!(fake.requests_for(Operation::CreateKey).len(), 1);
    assert_eq!(key_ids(&fake), before);
}

#[tokio::test]
async fn the_sweep_deletes_what_expired_by_the_moved_clock_and_reports_a_failed_delete() {
    let fake = FakeDeepgram::start();
    let project = fake.project_id();
    let start: DateTime<Utc> = "2030-01-01T00:00:00Z".parse().unwrap();
    fake.set_now(start);
    let add = |comment: &str, ttl_hours: u64| {
        fake.add_key(
            project,
            OWNER_MEMBER_ID,
            &CreateKey::new(comment, ["member"]).ttl(Duration::from_secs(ttl_hours * 3600)),
        )
    };
    let (hour, day, stuck, week) = (add("1h", 1), add("24h", 24), add("2h", 2), add("1w", 168));
    let nothing = expire_sweep(&fake.client(), project).await.unwrap();
    assert!(nothing.deleted.is_empty() && nothing.failed.is_empty());

    fake.advance(Duration::from_secs(25 * 3600));
    fake.fail(
        Matcher::operation(Operation::DeleteKey).key_id(&stuck.api_key_id),
        u32::MAX,
        Fault::status(500),
    );
    let swept = expire_sweep(&fake.client(), project).await.unwrap();
    assert_eq!(swept.deleted, [hour.api_key_id, day.api_key_id]);
    let [(failed_id, cause)] = &swept.failed[..] else {
        panic!("{swept:?}")
    };
    assert_eq!(failed_id, &stuck.api_key_id);
    assert_eq!(cause.status().map(|status| status.as_u16()), Some(500));
    assert_eq!(
        key_ids(&fake),
        [fake.owner_key_id(), &stuck.api_key_id, &week.api_key_id]
    );

    fake.clear_faults();
    let retried = expire_sweep(&fake.client(), project).await.unwrap();
    assert_eq!(retried.deleted, [stuck.api_key_id]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn twenty_rotations_at_once_each_replace_their_own_key() {
    let fake = FakeDeepgram::start();
    let project = fake.project_id().to_owned();
    let olds: Vec<CreateKeyResponse> = (0..20)
        .map(|n| {
            fake.add_key(
                &project,
                OWNER_MEMBER_ID,
                &CreateKey::new(format!("service {n}"), ["usage:read"]).tag(format!("n:{n}")),
            )
        })
        .collect();
    let client = fake.client();
    let rotations = olds.iter().map(|old| {
        let (client, project, old_key_id) =
            (client.clone(), project.clone(), old.api_key_id.clone());
        tokio::spawn(async move { rotate(&client, &project, &old_key_id, None).await })
    });
    let mut news = Vec::new();
    for rotation in rotations.collect::<Vec<_>>() {
        news.push(rotation.await.unwrap().unwrap().new);
    }
    for (n, (old, new)) in olds.iter().zip(&news).enumerate() {
        assert_eq!(new.comment, format!("service {n}"));
        assert_eq!(new.tags.as_deref(), Some(&[format!("n:{n}")][..]));
        assert_ne!(new.api_key_id, old.api_key_id);
    }
    let mut expected: Vec<String> = news.iter().map(|new| new.api_key_id.clone()).collect();
    expected.push(fake.owner_key_id().to_owned());
    expected.sort();
    let mut ids = key_ids(&fake);
    ids.sort();
    assert_eq!(
        ids, expected,
        "20 new keys and the owner's, no old key, no orphan"
    );
    assert_eq!(fake.requests_for(Operation::CreateKey).len(), 20);
}

#[tokio::test]
async fn a_rollback_that_fails_names_the_key_left_over() {
    let fake = FakeDeepgram::start();
    let project = fake.project_id();
    let old = billing_key(&fake);
    fake.fail(verification(), u32::MAX, Fault::status(503));
    let old_key_id = old.api_key_id.clone();
    fake.fail(
        Matcher::operation(Operation::DeleteKey)
            .when(move |request| request.path_key_id.as_deref() != Some(old_key_id.as_str())),
        u32::MAX,
        Fault::status(500),
    );
    let err = rotate(&fake.client(), project, &old.api_key_id, None)
        .await
        .unwrap_err();
    let RotationError::Orphaned { key_id, cause } = err else {
        panic!("{err:?}")
    };
    assert_eq!(cause.status().map(|status| status.as_u16()), Some(503));
    assert_eq!(
        key_ids(&fake),
        [fake.owner_key_id(), &old.api_key_id, &key_id],
        "the report names exactly the key left over"
    );
}

#[tokio::test]
async fn a_lost_create_answer_spares_a_key_with_the_same_settings() {
    let fake = FakeDeepgram::start();
    let project = fake.project_id();
    let old = billing_key(&fake);
    // Another replica's key: same comment, scopes and tags, made later.
    let sibling = billing_key(&fake);
    let before = key_ids(&fake);
    fake.fail_next(
        Operation::CreateKey,
        1,
        Fault::drop_connection_after_acting(),
    );
    let err = rotate(&fake.client(), project, &old.api_key_id, None)
        .await
        .unwrap_err();
    assert!(
        matches!(err, RotationError::RolledBack { step: "create", .. }),
        "{err:?}"
    );
    assert_eq!(key_ids(&fake), before, "only the lost create's key went");
    assert!(key_ids(&fake).contains(&sibling.api_key_id));
}

#[tokio::test]
async fn a_failed_delete_of_the_old_key_rolls_back_only_while_it_is_there() {
    let fake = FakeDeepgram::start();
    let project = fake.project_id();
    let old = billing_key(&fake);
    let old_delete = || Matcher::operation(Operation::DeleteKey).key_id(&old.api_key_id);

    // The delete fails and the old key is still there: roll back.
    fake.fail(old_delete(), u32::MAX, Fault::status(500));
    let before = key_ids(&fake);
    let err = rotate(&fake.client(), project, &old.api_key_id, None)
        .await
        .unwrap_err();
    assert!(
        matches!(
            err,
            RotationError::RolledBack {
                step: "delete the old key",
                ..
            }
        ),
        "{err:?}"
    );
    assert_eq!(key_ids(&fake), before);

    // Nor can the old key be looked at (its second get on, the first being
    // the rotation's own): both keys are kept and the report names the new.
    let old_looked_at = Matcher::operation(Operation::GetKey)
        .key_id(&old.api_key_id)
        .nth(2);
    fake.fail(old_looked_at, u32::MAX, Fault::status(503));
    let err = rotate(&fake.client(), project, &old.api_key_id, None)
        .await
        .unwrap_err();
    let RotationError::BothKept { new_key_id, cause } = err else {
        panic!("{err:?}")
    };
    assert_eq!(cause.status().map(|status| status.as_u16()), Some(500));
    let mut kept = before.clone();
    kept.push(new_key_id.clone());
    assert_eq!(key_ids(&fake), kept);
    fake.clear_faults();
    // The person decides: the old key stays, the spare new one goes.
    fake.client()
        .delete_key(project, &new_key_id)
        .await
        .unwrap();

    // The delete acts but its answer is lost, and the retries meet 503s:
    // the old key is gone, so the new key stays and the rotation succeeded.
    fake.fail(old_delete(), 1, Fault::drop_connection_after_acting());
    fake.fail(old_delete(), u32::MAX, Fault::status(503));
    let rotated = rotate(&fake.client(), project, &old.api_key_id, None)
        .await
        .unwrap();
    assert_eq!(
        key_ids(&fake),
        [fake.owner_key_id(), &rotated.new.api_key_id]
    );
}
