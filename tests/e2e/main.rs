//! The end-to-end tests, one test binary: the compiled function, driven through the emulated
//! Runtime API against the local Connect and Secrets Manager emulators (`testkit`), and the
//! emulator's own tests. One binary rather than one per file: with the support in `testkit`, a
//! test binary's build cost was mostly per binary (the link and the generic code each one
//! instantiates), not per line of test (measured for issue 15; see the commit that made this
//! binary). `cargo test --locked --test e2e MODULE::` runs one file's tests.
//!
//! The checks that read the repository rather than run the function live here too, for the
//! same reason: `architecture` (the module rules of ARCHITECTURE.md), `docs` (the docs'
//! examples against template.yaml and events/) and `cdk_rules` (the CDK library's synth-time
//! rules against the function's). `fuzz_events.rs` (built optimised by `make fuzz`) and
//! `template.rs` stay binaries of their own.

mod adoption;
mod architecture;
mod cdk_rules;
mod connect_user;
mod consumers;
mod continuation;
mod docs;
mod emulator;
mod events;
mod fault_matrix;
mod names;
mod password_secret;
mod paths;
mod protocol;
mod releases;
mod response_mode;
mod user_settings;
mod version;
