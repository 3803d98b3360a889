//! The hostile-input suite: inputs a pull request could commit to crash the gate, exhaust the
//! runner, pass it while breaking policy, or make it leak or inject. Every case runs the
//! binary under the memory and time limits in `harness` (2 GiB, 30 s of CPU time release, exit 0/1/2).
//!
//! Cases are grouped by what they attack: `io` (files read, output printed), `eval`
//! (evaluator and parser budgets), `scan` (the budget every root of a scan shares). A new
//! case builds its input in a `Scratch` directory (sizes generated in the test, never
//! committed) and asserts what the report says.

mod eval;
mod harness;
mod io;
mod scan;
