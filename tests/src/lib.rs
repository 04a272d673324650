//! Contract checks shared by the tests in `tests/tests/` and by the
//! `sample` binary behind `cargo xtask sample`: the spec as the generator's
//! document model reads it, the fixtures, and the three-way check of a
//! response body (schema, client, loss on what the application receives).

pub mod fixtures;
pub mod prism;
pub mod sample;
pub mod spec;
