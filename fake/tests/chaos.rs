//! The chaos campaign (issue 18): one `deepgram_keys::Client`, 16 concurrent
//! workers against the fake, each call a random operation with a random
//! fault aimed at that very call, and the promises checked after every call
//! and at the end of every round:
//!
//! - a create is never sent twice, but after a 429 (the fake's log);
//! - no key is lost or invented: the fake's keys are the creates that
//!   succeeded or whose outcome is unknown, minus the deletes;
//! - every call ends within 150 ms of its timeout (of a timer started with
//!   it, which a loaded machine fires late as it fires the client's);
//! - `is_outcome_unknown()` is never set for reads and deletes, never for a
//!   create the service refused with a 4xx or 429, and always for a create that acted but
//!   whose answer was lost or garbled;
//! - no error shows a secret (a run of 13 or more hex digits: a token or a
//!   new key is 40, an id's longest group 12);
//! - the fake's log, its fault rules and the process's memory stay bounded.
//!
//! `CHAOS_SEED` (default 18) and `CHAOS_CALLS` (default 2,000) choose the
//! campaign; a failure names the seed and the call to rerun. The long run:
//! `CHAOS_CALLS=100000 cargo test -p deepgram-keys-fake --test chaos -- --nocapture`
//! (its figure is in the README).

use std::collections::{BTreeMap, HashMap, HashSet};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, OnceLock};
use std::time::{Duration, Instant, SystemTime};

use deepgram_keys::{Client, CreateKey, Error};
use deepgram_keys_fake::{FakeDeepgram, Fault, Matcher, Operation};

const WORKERS: u64 = 16;
/// The client's timeout for a whole call, retries included.
const TIMEOUT: Duration = Duration::from_millis(300);
/// How long after its timeout a call may end, counted from when a timer
/// started with the call for the client's timeout fired: on 2 shared cores
/// under load timers fire late (up to 300 ms has been seen), and the
/// client's own timer no earlier than this one. A client that outlives its
/// deadline waits for a 1 s `Retry-After` or a delay of 600 ms or more, and
/// is caught.
const SLACK: Duration = Duration::from_millis(150);
/// Calls per round; between rounds the campaign checks the fake and resets.
const ROUND: u64 = 1_000;
/// Longer than any fault keeps the fake busy after the client gave up.
const SETTLE: Duration = Duration::from_millis(1_100);
/// The client's retries (its default).
const MAX_RETRIES: u32 = 2;

fn setting(name: &str, default: u64) -> u64 {
    match std::env::var(name) {
        Ok(value) => value
            .parse()
            .unwrap_or_else(|_| panic!("{name}={value:?} is not a whole number")),
        Err(_) => default,
    }
}

/// The fault kinds the campaign draws from, as counted in its summary.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Kind {
    NoFault,
    ServerError,
    SlowServerError,
    Unavailable,
    RateLimited,
    RetryAfterPastDeadline,
    RetryAfterDate,
    ClientError,
    DropBeforeActing,
    DropAfterActing,
    ShortDelay,
    DelayPastDeadline,
    MalformedBody,
    TruncatedBody,
}

fn draw(rng: &mut fastrand::Rng) -> (Kind, Option<Fault>) {
    let millis = |range: std::ops::Range<u64>, rng: &mut fastrand::Rng| {
        Duration::from_millis(rng.u64(range))
    };
    let past_deadline = TIMEOUT + millis(300..600, rng);
    let (kind, fault) = match rng.u32(0..14) {
        0 => (Kind::NoFault, None),
        1 => (
            Kind::ServerError,
            Some(Fault::status([500, 502, 504][rng.usize(0..3)])),
        ),
        2 => (
            Kind::SlowServerError,
            Some(Fault::status(500).after(millis(50..400, rng))),
        ),
        3 => (
            Kind::Unavailable,
            Some(Fault::status(503).retry_after(Duration::ZERO)),
        ),
        4 => (Kind::RateLimited, Some(Fault::status(429))),
        5 => (
            Kind::RetryAfterPastDeadline,
            Some(Fault::status([429, 503][rng.usize(0..2)]).retry_after(Duration::from_secs(1))),
        ),
        6 => (
            Kind::RetryAfterDate,
            Some(Fault::status(429).retry_after_date(SystemTime::now() + Duration::from_secs(2))),
        ),
        7 => (
            Kind::ClientError,
            Some(Fault::status([400, 401, 403, 404, 408][rng.usize(0..5)])),
        ),
        8 => (Kind::DropBeforeActing, Some(Fault::drop_connection())),
        9 => (
            Kind::DropAfterActing,
            Some(Fault::drop_connection_after_acting()),
        ),
        10 => (Kind::ShortDelay, Some(Fault::delay(millis(0..100, rng)))),
        11 => (Kind::DelayPastDeadline, Some(Fault::delay(past_deadline))),
        12 => (Kind::MalformedBody, Some(Fault::malformed_body())),
        _ => (Kind::TruncatedBody, Some(Fault::truncated_body())),
    };
    (kind, fault)
}

/// What the workers know of the keys, for one round.
#[derive(Default)]
struct Ledger {
    /// Creates that returned the key: comment to id.
    created: HashMap<String, String>,
    /// Creates whose outcome is unknown, by comment.
    maybe_created: HashSet<String>,
    /// Creates the service refused, by comment.
    refused: HashSet<String>,
    /// Keys whose delete returned `Ok`, and when.
    deleted: HashMap<String, Instant>,
    /// Keys whose delete failed: the key may be gone.
    maybe_deleted: HashSet<String>,
}

/// What the campaign counts for its summary.
#[derive(Default)]
struct Tally {
    calls: BTreeMap<String, u64>,
    faults: BTreeMap<Kind, u64>,
    errors: u64,
    outcome_unknown: u64,
    slowest: Duration,
}

struct Campaign {
    seed: u64,
    fake: FakeDeepgram,
    client: Client,
    ledger: Mutex<Ledger>,
    tally: Mutex<Tally>,
}

/// The longest run of hex digits in `text`.
fn longest_hex_run(text: &str) -> usize {
    text.split(|c: char| !c.is_ascii_hexdigit())
        .map(str::len)
        .max()
        .unwrap_or(0)
}

impl Campaign {
    async fn call(&self, index: u64, rng: &mut fastrand::Rng, live: &mut Vec<(String, String)>) {
        let project = self.fake.project_id();
        let (kind, fault) = draw(rng);
        let active = Arc::new(AtomicBool::new(true));
        let when = Arc::clone(&active);
        let is_active = move || when.load(Ordering::SeqCst);
        let operation = match rng.u32(0..4) {
            0 => Operation::ListKeys,
            1 => Operation::CreateKey,
            2 => Operation::GetKey,
            _ => Operation::DeleteKey,
        };
        // Own keys only, so that a fault aimed by key id hits this call; an
        // id that does not exist a third of the time.
        let target = match operation {
            Operation::GetKey | Operation::DeleteKey if !live.is_empty() && rng.u32(0..3) > 0 => {
                Some(live[rng.usize(0..live.len())].clone())
            }
            _ => None,
        };
        let unknown_id = format!("{:08x}-0000-4000-8000-{:012x}", index, rng.u64(..1 << 48));
        let key_id = target.as_ref().map_or(unknown_id, |(id, _)| id.clone());
        let comment = format!("chaos {} call {index}", self.seed);
        let matcher = match operation {
            Operation::CreateKey => {
                let comment = comment.clone();
                Matcher::operation(operation).when(move |request| {
                    is_active()
                        && request
                            .json()
                            .is_some_and(|body| body["comment"] == comment.as_str())
                })
            }
            Operation::ListKeys => Matcher::operation(operation).when(move |_| is_active()),
            _ => Matcher::operation(operation)
                .key_id(key_id.clone())
                .when(move |_| is_active()),
        };
        if let Some(fault) = &fault {
            self.fake.fail(matcher, 1, fault.clone());
        }
        let context = format!(
            "CHAOS_SEED={} call {index}: {operation} with {kind:?} ({fault:?})",
            self.seed
        );
        let started = Instant::now();
        let deadline = Arc::new(OnceLock::new());
        let probe = tokio::spawn({
            let deadline = Arc::clone(&deadline);
            async move {
                tokio::time::sleep(TIMEOUT).await;
                deadline.get_or_init(Instant::now);
            }
        });
        let outcome = match operation {
            Operation::ListKeys => self.client.list_keys(project, None).await.map(|list| {
                let ids: HashSet<String> = list
                    .into_iter()
                    .map(|entry| entry.api_key.api_key_id)
                    .collect();
                for (id, _) in live.iter() {
                    assert!(
                        ids.contains(id),
                        "{context}: own key {id} missing from a list"
                    );
                }
                let ledger = self.ledger.lock().unwrap();
                // A delete that returned before this list started must show.
                let deleted = ids
                    .iter()
                    .find(|id| ledger.deleted.get(*id).is_some_and(|when| *when < started));
                assert_eq!(deleted, None, "{context}: a deleted key is listed");
            }),
            Operation::CreateKey => {
                let request = CreateKey::new(comment.clone(), ["member"]);
                self.client
                    .create_key(project, &request)
                    .await
                    .map(|created| {
                        assert_eq!(created.comment, comment, "{context}");
                        let id = created.api_key_id.clone();
                        live.push((id.clone(), comment.clone()));
                        let mut ledger = self.ledger.lock().unwrap();
                        let earlier = ledger.created.insert(comment.clone(), id);
                        assert_eq!(earlier, None, "{context}: two creates with one comment");
                    })
            }
            Operation::GetKey => self.client.get_key(project, &key_id).await.map(|got| {
                let (id, comment) = target.as_ref().unwrap_or_else(|| {
                    panic!("{context}: a key that does not exist was found: {got:?}")
                });
                assert_eq!(
                    (&got.api_key.api_key_id, &got.api_key.comment),
                    (id, comment),
                    "{context}"
                );
            }),
            Operation::DeleteKey => {
                let deleted = self.client.delete_key(project, &key_id).await;
                let mut ledger = self.ledger.lock().unwrap();
                if target.is_some() {
                    live.retain(|(id, _)| *id != key_id);
                    match &deleted {
                        Ok(_) => {
                            ledger.deleted.insert(key_id.clone(), Instant::now());
                        }
                        Err(_) => {
                            ledger.maybe_deleted.insert(key_id.clone());
                        }
                    }
                } else {
                    assert!(
                        deleted.is_err(),
                        "{context}: deleted a key that does not exist"
                    );
                }
                deleted.map(drop)
            }
        };
        let ended = Instant::now();
        let took = ended - started;
        probe.abort();
        active.store(false, Ordering::SeqCst);
        if let Some(deadline) = deadline.get() {
            assert!(
                ended <= *deadline + SLACK,
                "{context}: took {took:?}, {:?} after a timer of the client's timeout {TIMEOUT:?} fired; {outcome:?}",
                ended - *deadline
            );
        }
        if let Err(err) = &outcome {
            self.check_error(&context, operation, kind, &comment, err);
        }
        let mut tally = self.tally.lock().unwrap();
        *tally.calls.entry(operation.to_string()).or_default() += 1;
        *tally.faults.entry(kind).or_default() += 1;
        tally.errors += u64::from(outcome.is_err());
        tally.slowest = tally.slowest.max(took);
        if outcome.as_ref().is_err_and(Error::is_outcome_unknown) {
            tally.outcome_unknown += 1;
        }
    }

    fn check_error(
        &self,
        context: &str,
        operation: Operation,
        kind: Kind,
        comment: &str,
        err: &Error,
    ) {
        for shown in [err.to_string(), format!("{err:?}")] {
            assert!(
                longest_hex_run(&shown) <= 12,
                "{context}: a secret-shaped run of hex digits in the error: {shown}"
            );
            assert!(
                !shown.contains(self.fake.owner_token().expose_secret()),
                "{context}: the token in the error: {shown}"
            );
        }
        assert!(
            matches!(
                err,
                Error::Api(_)
                    | Error::Timeout { .. }
                    | Error::Transport { .. }
                    | Error::Decode { .. }
            ),
            "{context}: an error of a kind no fault causes: {err:?}"
        );
        let unknown = err.is_outcome_unknown();
        if operation != Operation::CreateKey {
            assert!(
                !unknown,
                "{context}: a {operation} cannot have an unknown outcome: {err:?}"
            );
            return;
        }
        let mut ledger = self.ledger.lock().unwrap();
        if let Some(api) = err.api() {
            // A 4xx or 429 is a refusal. A 5xx may come after the key was
            // made, and the client cannot see that the fake's did not act:
            // which 5xx are outcome unknown is the client's rule, tested in
            // generated-client/tests/outcomes.rs.
            assert!(
                !unknown || api.status.is_server_error(),
                "{context}: the service said no, yet outcome unknown: {err:?}"
            );
            if unknown {
                ledger.maybe_created.insert(comment.to_owned());
            } else {
                ledger.refused.insert(comment.to_owned());
            }
        } else {
            // Every other failure of a create happens after it was sent.
            assert!(
                unknown,
                "{context}: the create was sent, its outcome is unknown: {err:?}"
            );
            ledger.maybe_created.insert(comment.to_owned());
        }
        let acted = matches!(
            kind,
            Kind::DropAfterActing
                | Kind::MalformedBody
                | Kind::TruncatedBody
                | Kind::DelayPastDeadline
        );
        assert!(
            !acted || unknown,
            "{context}: the create acted and failed, so its outcome must be unknown: {err:?}"
        );
    }

    /// Checks the fake against the ledger once every call of the round and
    /// every fault it started have ended, then resets both.
    async fn end_round(&self, round: u64, round_calls: u64) {
        tokio::time::sleep(SETTLE).await;
        let context = format!("CHAOS_SEED={} round {round}", self.seed);
        let log = self.fake.requests();
        let most = round_calls * u64::from(MAX_RETRIES + 1);
        assert!(
            log.len() as u64 <= most,
            "{context}: {} requests logged for {round_calls} calls",
            log.len()
        );
        let mut sends: HashMap<String, Vec<Option<u16>>> = HashMap::new();
        for request in log
            .iter()
            .filter(|r| r.operation == Some(Operation::CreateKey))
        {
            let comment = request
                .json()
                .and_then(|body| body["comment"].as_str().map(str::to_owned));
            sends
                .entry(comment.unwrap_or_default())
                .or_default()
                .push(request.status);
        }
        for (comment, statuses) in &sends {
            let (last, earlier) = statuses.split_last().expect("one send at least");
            assert!(
                earlier.iter().all(|status| *status == Some(429)),
                "{context}: create {comment:?} sent again after an answer other than 429: {statuses:?} then {last:?}"
            );
        }
        let ledger = std::mem::take(&mut *self.ledger.lock().unwrap());
        let keys = self.fake.keys(self.fake.project_id());
        let mut in_fake = HashMap::new();
        for key in keys
            .iter()
            .filter(|key| key.api_key.api_key_id != self.fake.owner_key_id())
        {
            let (id, comment) = (&key.api_key.api_key_id, &key.api_key.comment);
            let known = ledger.created.get(comment) == Some(id);
            assert!(
                known || ledger.maybe_created.contains(comment),
                "{context}: key {id} ({comment:?}) was never reported created nor outcome unknown"
            );
            assert!(
                !ledger.deleted.contains_key(id),
                "{context}: deleted key {id} is still there"
            );
            let earlier = in_fake.insert(comment.clone(), id.clone());
            assert_eq!(earlier, None, "{context}: two keys for {comment:?}");
        }
        for (comment, id) in &ledger.created {
            assert!(
                in_fake.get(comment) == Some(id)
                    || ledger.deleted.contains_key(id)
                    || ledger.maybe_deleted.contains(id),
                "{context}: key {id} ({comment:?}) was created and is lost"
            );
        }
        // The next round starts from the owner key alone, with no rule left.
        self.fake.clear_faults();
        for id in in_fake.values() {
            self.client
                .delete_key(self.fake.project_id(), id)
                .await
                .unwrap_or_else(|err| panic!("{context}: cleaning up {id}: {err:?}"));
        }
        self.fake.clear_requests();
    }
}

/// The resident memory of this process in KiB, where Linux says it.
fn resident_kib() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|line| line.starts_with("VmRSS:"))?;
    line.split_whitespace().nth(1)?.parse().ok()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn chaos_campaign_keeps_every_promise() {
    let seed = setting("CHAOS_SEED", 18);
    let calls = setting("CHAOS_CALLS", 2_000);
    let fake = FakeDeepgram::start();
    let client = fake
        .client_builder()
        .timeout(TIMEOUT)
        .max_retries(MAX_RETRIES)
        .build()
        .unwrap();
    let campaign = Arc::new(Campaign {
        seed,
        fake,
        client,
        ledger: Mutex::default(),
        tally: Mutex::default(),
    });
    let started = Instant::now();
    let mut rngs: Vec<fastrand::Rng> = (0..WORKERS)
        .map(|worker| fastrand::Rng::with_seed(seed.wrapping_mul(1_000_003).wrapping_add(worker)))
        .collect();
    let mut memory_after_first_round = None;
    let mut peak_kib = 0;
    let mut done = 0;
    let mut round = 0;
    while done < calls {
        let round_calls = ROUND.min(calls - done);
        let mut workers = Vec::new();
        for (worker, mut rng) in rngs.drain(..).enumerate() {
            let campaign = Arc::clone(&campaign);
            let first = done;
            workers.push(tokio::spawn(async move {
                // Keys this worker created and has not deleted: (id, comment).
                let mut live = Vec::new();
                let mut index = first + worker as u64;
                while index < first + round_calls {
                    campaign.call(index, &mut rng, &mut live).await;
                    index += WORKERS;
                }
                rng
            }));
        }
        for worker in workers {
            match worker.await {
                Ok(rng) => rngs.push(rng),
                Err(panic) => std::panic::resume_unwind(panic.into_panic()),
            }
        }
        campaign.end_round(round, round_calls).await;
        done += round_calls;
        round += 1;
        if let Some(kib) = resident_kib() {
            peak_kib = peak_kib.max(kib);
            let baseline = *memory_after_first_round.get_or_insert(kib);
            assert!(
                kib <= baseline + 64 * 1024,
                "CHAOS_SEED={seed} round {round}: memory grew from {baseline} KiB to {kib} KiB"
            );
        }
    }
    let tally = campaign.tally.lock().unwrap();
    let faults: Vec<String> = tally
        .faults
        .iter()
        .map(|(kind, count)| format!("{kind:?} {count}"))
        .collect();
    let operations: Vec<String> = tally
        .calls
        .iter()
        .map(|(operation, count)| format!("{operation} {count}"))
        .collect();
    println!(
        "chaos: seed {seed}, {done} calls ({}) by {WORKERS} workers in {:.1} s; faults: {}; \
         {} errors, {} outcome unknown; slowest call {} ms (timeout {} ms); peak RSS {} MiB",
        operations.join(", "),
        started.elapsed().as_secs_f64(),
        faults.join(", "),
        tally.errors,
        tally.outcome_unknown,
        tally.slowest.as_millis(),
        TIMEOUT.as_millis(),
        peak_kib / 1024,
    );
}
