//! Test machinery shared by the integration tests, the local demo and the benchmarks:
//! an emulated Lambda Runtime API, a ResponseURL sink, a local Amazon Connect emulator, a
//! local Secrets Manager, and a harness that runs the real compiled function against them. Everything listens on loopback.
#![allow(dead_code, unused_imports)]

pub mod answers;
pub mod connect_emulator;
pub mod events;
pub mod examples;
pub mod function;
pub mod iam;
pub mod runtime_api;
pub mod secrets_emulator;
pub mod sink;
pub mod stack;
