//! `deepgram-keys-fake`: the fake Deepgram keys API on a port, for tests
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

use std::process::ExitCode;

fn main() -> ExitCode {
    deepgram_keys_fake::program::main()
}
