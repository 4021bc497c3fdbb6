//! The end-to-end tests, one test binary: the compiled function, driven through the emulated
//! Runtime API against the local Connect and Secrets Manager emulators (`testkit`), and the
//! emulator's own tests. One binary rather than one per file: with the support in `testkit`, a
//! test binary's build cost was mostly per binary (the link and the generic code each one
//! instantiates), not per line of test (measured for issue 15; see the commit that made this
//! binary). `cargo test --locked --test e2e MODULE::` runs one file's tests.
//!
//! `fuzz_events.rs` (built optimised by `make fuzz`) and `template.rs` (no emulator) stay
//! binaries of their own.

mod connect_user;
mod emulator;
mod events;
mod fault_matrix;
mod password_secret;
mod protocol;
mod user_settings;
