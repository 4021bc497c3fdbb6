//! Test machinery shared by the integration tests, the examples (demo, bench, local) and the
//! crate's own unit tests: an emulated Lambda Runtime API, a ResponseURL sink, a local Amazon
//! Connect emulator (also usable in-process, without a socket: [`connect_emulator::ConnectEmulator::in_memory`]),
//! a local Secrets Manager, the example users, and a harness that runs the real compiled
//! function against them. Every server listens on loopback.
//!
//! A dev-only crate (`publish = false`), compiled once for every test binary and example. It
//! does not depend on `connect-user-resource`, so that crate's `#[cfg(test)]` unit tests can
//! use it without a second copy of the crate.

/// The reserved tag's key, as the function writes it on every user it creates or adopts (the
/// product's own constant is `OWNERSHIP_TAG` in `src/connect_user/model/`; the testkit does not
/// depend on the product, so the tests name it through this one copy, and the e2e tests
/// compare it with what the real binary writes).
pub const OWNERSHIP_TAG: &str = "connect-user-resource:created-by-request";

pub mod answers;
pub mod connect_emulator;
pub mod events;
pub mod examples;
pub mod function;
pub mod iam;
pub mod lambda_api;
pub mod runtime_api;
pub mod secrets_emulator;
pub mod sink;
pub mod stack;
pub mod user_view;
