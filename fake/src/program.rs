//! The `deepgram-keys-fake` program: the fake Deepgram keys API on a port, for tests
//! written in other languages and for trying a program by hand.
//!
//! ```text
//! cargo install deepgram-keys-fake
//! deepgram-keys-fake --port 8080
//! ```
//!
//! It prints the base URL, the project id and the owner token, then one line
//! per request answered, until stopped. Point any client at it, for example
//! the `keys` example of `deepgram-keys`:
//!
//! ```text
//! DEEPGRAM_API_KEY=<the printed token> cargo run -p deepgram-keys --example keys -- \
//!     --base-url http://127.0.0.1:8080 list <the printed project id>
//! ```
//!
//! It is a library module (feature `cli`, on by default) so that the
//! program and the client crate's `fake_server` example, its old name, are
//! one piece of code.

use std::collections::HashSet;
use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::process::ExitCode;
use std::time::Duration;

use crate::{DEFAULT_PROJECT_ID, ErrorForm, FakeDeepgram, GetKeyShape};
use clap::{Parser, ValueEnum};

#[derive(Parser)]
#[command(
    name = "deepgram-keys-fake",
    version,
    about = "Serve a fake Deepgram keys API on 127.0.0.1"
)]
struct Cli {
    /// The port on 127.0.0.1; 0 picks a free one.
    #[arg(long, default_value_t = 8080)]
    port: u16,
    /// The project the fake starts with.
    #[arg(long, default_value = DEFAULT_PROJECT_ID)]
    project: String,
    /// The owner key's secret; a random one when not given.
    #[arg(long)]
    token: Option<String>,
    /// The shape of `get_key` responses.
    #[arg(long, value_enum, default_value_t = Shape::Flat)]
    get_key_shape: Shape,
    /// The form of error bodies.
    #[arg(long, value_enum, default_value_t = Form::AsObserved)]
    error_form: Form,
    /// Also serve `POST /__fake/faults`, `DELETE /__fake/faults` and
    /// `POST /__fake/clock` to inject faults and move the clock (see
    /// `FakeBuilder::control`).
    #[arg(long)]
    control: bool,
}

#[derive(Clone, Copy, ValueEnum)]
enum Shape {
    Flat,
    Wrapped,
}

#[derive(Clone, Copy, ValueEnum)]
enum Form {
    AsObserved,
    Modern,
    Legacy,
    PlainText,
}

/// Runs the program with the process's arguments, until it is stopped.
pub fn main() -> ExitCode {
    let cli = Cli::parse();
    let mut builder = FakeDeepgram::builder()
        .address(SocketAddr::new(IpAddr::V4(Ipv4Addr::LOCALHOST), cli.port))
        .project_id(cli.project)
        .control(cli.control);
    if let Some(token) = cli.token {
        builder = builder.owner_token(token);
    }
    let fake = match builder.start() {
        Ok(fake) => fake,
        Err(err) => {
            eprintln!(
                "error: cannot listen on 127.0.0.1:{}: {err}; try another --port",
                cli.port
            );
            return ExitCode::FAILURE;
        }
    };
    fake.set_get_key_shape(match cli.get_key_shape {
        Shape::Flat => GetKeyShape::Flat,
        Shape::Wrapped => GetKeyShape::Wrapped,
    });
    fake.set_error_form(match cli.error_form {
        Form::AsObserved => ErrorForm::AsObserved,
        Form::Modern => ErrorForm::Modern,
        Form::Legacy => ErrorForm::Legacy,
        Form::PlainText => ErrorForm::PlainText,
    });
    // The token is printed on purpose: it is the fake's own, and the point
    // of this program is to hand it to another one.
    println!("url {}", fake.url());
    println!("project {}", fake.project_id());
    println!("token {}", fake.owner_token().expose_secret());
    // One line per answered request; a dropped connection has no answer.
    let mut shown = HashSet::new();
    loop {
        std::thread::sleep(Duration::from_millis(100));
        for request in fake.requests() {
            let Some(status) = request.status else {
                continue;
            };
            if shown.insert(request.request_id.clone()) {
                let query = request
                    .query
                    .map(|query| format!("?{query}"))
                    .unwrap_or_default();
                println!(
                    "{} {}{query} {status} {}",
                    request.method, request.path, request.request_id
                );
            }
        }
    }
}
