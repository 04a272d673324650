//! `fake_server`: the old name of the `deepgram-keys-fake` program, kept so
//! that existing command lines keep working. It serves the fake Deepgram keys
//! API (crate `deepgram-keys-fake`) on a port:
//!
//! ```text
//! cargo run -p deepgram-keys --example fake_server -- --port 8080
//! ```
//!
//! Dependents of the crates install the program instead:
//! `cargo install deepgram-keys-fake`, then `deepgram-keys-fake --port 8080`.

use std::process::ExitCode;

fn main() -> ExitCode {
    deepgram_keys_fake::program::main()
}
