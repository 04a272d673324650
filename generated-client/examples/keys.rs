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
//! as JSON. Errors go to stderr with status, code, message and request id,
//! and the exit code is 1 (2 for bad arguments).

use std::num::NonZeroU64;
use std::process::ExitCode;

use chrono::{DateTime, Utc};
use clap::{Parser, Subcommand, ValueEnum};
use deepgram_keys::{ClientBuilder, CreateKey, Error, KeyStatus};
use serde::Serialize;

#[derive(Parser)]
#[command(name = "keys", about = "Manage the API keys of a Deepgram project")]
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
        project: String,
        /// Only keys in this state.
        #[arg(long)]
        status: Option<Status>,
    },
    /// Show one key and its owner.
    Get { project: String, key: String },
    /// Create a key and print it, secret included: it is shown only this once.
    Create {
        project: String,
        /// What the key is for.
        #[arg(long)]
        comment: String,
        /// A scope, e.g. member or usage:read; repeat for more.
        #[arg(long = "scope", required = true, value_name = "SCOPE")]
        scopes: Vec<String>,
        /// A tag; repeat for more.
        #[arg(long = "tag", value_name = "TAG")]
        tags: Vec<String>,
        /// When the key stops working, as an RFC 3339 date-time.
        #[arg(long, value_name = "RFC3339", conflicts_with = "ttl")]
        expires: Option<DateTime<Utc>>,
        /// Seconds until the key stops working.
        #[arg(long, value_name = "SECONDS")]
        ttl: Option<NonZeroU64>,
    },
    /// Delete a key.
    Delete { project: String, key: String },
}

#[derive(Clone, Copy, ValueEnum)]
enum Status {
    Active,
    Expired,
}

#[tokio::main]
async fn main() -> ExitCode {
    let cli = Cli::parse();
    match run(cli).await {
        Ok(json) => {
            println!("{json}");
            ExitCode::SUCCESS
        }
        Err(err) => {
            report(&err);
            ExitCode::FAILURE
        }
    }
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
            let request = CreateKey::new(comment, scopes).tags(tags);
            let created = match (expires, ttl) {
                (Some(when), _) => {
                    client
                        .create_key(&project, &request.expires_at(when))
                        .await?
                }
                (None, Some(seconds)) => {
                    client
                        .create_key(&project, &request.expires_after(seconds))
                        .await?
                }
                (None, None) => client.create_key(&project, &request).await?,
            };
            to_json(&created)
        }
        Command::Delete { project, key } => to_json(&client.delete_key(&project, &key).await?),
    }
}

fn to_json(value: &impl Serialize) -> Result<String, Error> {
    Ok(serde_json::to_string_pretty(value).expect("the client's types serialize to JSON"))
}

fn report(err: &Error) {
    eprintln!("error: {err}");
    if let Some(api) = err.api() {
        eprintln!("  status: {}", api.status.as_u16());
        let fields = [
            ("code", &api.code),
            ("message", &api.message),
            ("details", &api.details),
            ("request id", &api.request_id),
            ("body", &api.raw_body),
        ];
        for (name, value) in fields {
            if let Some(value) = value {
                eprintln!("  {name}: {value}");
            }
        }
    }
}
