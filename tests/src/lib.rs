//! Contract checks shared by the tests in `tests/tests/` and by
//! `cargo xtask sample`: the spec as data, the fixtures, and the three-way
//! check of a response body (schema, client, re-encoding).

pub mod fixtures;
pub mod prism;
pub mod sample;
pub mod spec;
