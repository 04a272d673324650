//! `keys`: manage a Deepgram project's API keys from the command line.
//!
//! ```text
//! keys [--base-url URL] list PROJECT [--status active|expired]
//! keys get PROJECT KEY
//! keys create PROJECT --comment C --scope S [--scope S...] [--tag T...] [--expires RFC3339 | --ttl SECONDS]
//! keys delete PROJECT KEY
//! ```
//!
//! The API key comes from `DEEPGRAM_API_KEY`; the base URL from `--base-url`,
//! then `DEEPGRAM_BASE_URL`, then Deepgram's hosted API. Results go to stdout
//! as JSON. Errors go to stderr with status, code, message, request id and
//! body, or the chain of causes of a failed connection; a create whose
//! outcome is unknown says so ("the key may have been created"). Exit codes:
//! 0 done, 1 the call failed or the API key is missing, 2 bad arguments.

use std::process::ExitCode;
use std::time::Duration;

use clap::builder::NonEmptyStringValueParser;
use clap::{Parser, Subcommand, ValueEnum};
use deepgram_keys::chrono::{DateTime, NaiveDate, Utc};
use deepgram_keys::{ClientBuilder, CreateKey, Error, Expiry, KeyStatus};
use serde::Serialize;

const ENVIRONMENT: &str = "\
Environment:
  DEEPGRAM_API_KEY   the API key to authenticate with (required); list and get
                     need a keys:read, keys:write, admin or owner key, create
                     and delete a keys:write, admin or owner key
  DEEPGRAM_BASE_URL  where the API is served, when not Deepgram's hosted API
                     (https://api.deepgram.com); --base-url overrides it";

#[derive(Parser)]
#[command(
    name = "keys",
    about = "Manage the API keys of a Deepgram project",
    after_help = ENVIRONMENT
)]
struct Cli {
    /// Where the API is served (overrides DEEPGRAM_BASE_URL).
    #[arg(long, global = true, value_name = "URL")]
    base_url: Option<String>,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// List the keys of a project.
    List {
        /// The project's id, as in the Deepgram console.
        project: String,
        /// Only keys in this state.
        #[arg(long)]
        status: Option<Status>,
    },
    /// Show one key and its owner.
    Get {
        /// The project's id, as in the Deepgram console.
        project: String,
        /// The key's id (`api_key_id` in `list`), not its secret.
        key: String,
    },
    /// Create a key and print it, secret included: it is shown only this once.
    Create {
        /// The project's id, as in the Deepgram console.
        project: String,
        /// What the key is for.
        #[arg(long, value_parser = NonEmptyStringValueParser::new())]
        comment: String,
        /// A scope, e.g. member or usage:read; repeat for more.
        #[arg(long = "scope", required = true, value_name = "SCOPE", value_parser = NonEmptyStringValueParser::new())]
        scopes: Vec<String>,
        /// A tag; repeat for more.
        #[arg(long = "tag", value_name = "TAG", value_parser = NonEmptyStringValueParser::new())]
        tags: Vec<String>,
        /// When the key stops working: an RFC 3339 date and time, e.g. 2030-01-01T00:00:00Z.
        #[arg(long, value_name = "RFC3339", conflicts_with = "ttl", value_parser = parse_expiry)]
        expires: Option<DateTime<Utc>>,
        /// Seconds until the key stops working, at least 1, e.g. 3600.
        #[arg(long, value_name = "SECONDS", value_parser = parse_ttl)]
        ttl: Option<Duration>,
    },
    /// Delete a key.
    Delete {
        /// The project's id, as in the Deepgram console.
        project: String,
        /// The key's id (`api_key_id` in `list`), not its secret.
        key: String,
    },
}

#[derive(Clone, Copy, ValueEnum)]
enum Status {
    Active,
    Expired,
}

/// `--expires`: a full date-time, since Deepgram rejects a date alone.
fn parse_expiry(value: &str) -> Result<DateTime<Utc>, String> {
    if let Ok(date) = value.parse::<NaiveDate>() {
        return Err(format!(
            "Deepgram needs a time too, e.g. {date}T00:00:00Z (RFC 3339, in UTC or with an offset)"
        ));
    }
    DateTime::parse_from_rfc3339(value)
        .map(|when| when.with_timezone(&Utc))
        .map_err(|err| {
            format!("{err}; expected an RFC 3339 date and time, e.g. 2030-01-01T00:00:00Z")
        })
}

/// `--ttl`: whole seconds, at least one.
fn parse_ttl(value: &str) -> Result<Duration, String> {
    match value.parse::<u64>() {
        Ok(0) => Err("a key must live at least 1 second, e.g. --ttl 3600 for an hour".into()),
        Ok(seconds) => Ok(Duration::from_secs(seconds)),
        Err(_) => Err(format!(
            "{value:?} is not a whole number of seconds, e.g. --ttl 3600 for an hour"
        )),
    }
}

#[tokio::main]
async fn main() -> ExitCode {
    let cli = Cli::parse();
    if std::env::var("DEEPGRAM_API_KEY").is_ok_and(|key| !key.trim().is_empty()) {
        match run(cli).await {
            Ok(json) => {
                println!("{json}");
                return ExitCode::SUCCESS;
            }
            Err(err) => report(&err),
        }
    } else {
        eprintln!("error: DEEPGRAM_API_KEY is not set; set it to a Deepgram API key");
    }
    ExitCode::FAILURE
}

async fn run(cli: Cli) -> Result<String, Error> {
    let mut builder = ClientBuilder::from_env();
    if let Some(base_url) = cli.base_url {
        builder = builder.base_url(base_url);
    }
    let client = builder.build()?;
    match cli.command {
        Command::List { project, status } => {
            let status = status.map(|status| match status {
                Status::Active => KeyStatus::Active,
                Status::Expired => KeyStatus::Expired,
            });
            to_json(&client.list_keys(&project, status).await?)
        }
        Command::Get { project, key } => to_json(&client.get_key(&project, &key).await?),
        Command::Create {
            project,
            comment,
            scopes,
            tags,
            expires,
            ttl,
        } => {
            // clap lets at most one of the two through.
            let expiry = expires.map(Expiry::At).or(ttl.map(Expiry::TimeToLive));
            let request = CreateKey::new(comment, scopes).tags(tags).expiry(expiry);
            to_json(&client.create_key(&project, &request).await?)
        }
        Command::Delete { project, key } => to_json(&client.delete_key(&project, &key).await?),
    }
}

fn to_json(value: &impl Serialize) -> Result<String, Error> {
    Ok(serde_json::to_string_pretty(value).expect("the client's types serialize to JSON"))
}

fn report(err: &Error) {
    eprintln!("error: {err}");
    if err.is_outcome_unknown() {
        eprintln!(
            "  outcome unknown: the key may have been created; run `keys list PROJECT` before trying again"
        );
    }
    if let Some(api) = err.api() {
        // The message and body are in the line above already.
        eprintln!("  status: {}", api.status.as_u16());
        let fields = [("code", &api.code), ("request id", &api.request_id)];
        for (name, value) in fields {
            if let Some(value) = value {
                eprintln!("  {name}: {value}");
            }
        }
    }
    let mut cause = std::error::Error::source(err);
    while let Some(source) = cause {
        eprintln!("  caused by: {source}");
        cause = source.source();
    }
}
