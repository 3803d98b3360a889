//! aksguard: AKS security governance linter. `engine::lint` is the one entry point,
//! called by the command line, the language server and the fix loop alike.

pub mod arm;
pub mod baseline;
pub mod bicep;
pub mod build;
pub mod catalogue;
pub mod config;
pub mod discover;
pub mod engine;
pub mod escape;
pub mod finding;
pub mod fix;
pub mod input;
pub mod json;
pub mod k8s;
pub mod lsp;
pub mod model;
pub mod notice;
pub mod origin;
pub mod plan;
pub mod posture;
pub mod remedy;
pub mod report;
pub mod rules;
pub mod severity;
pub mod source;
pub mod suppress;
pub mod terraform;
pub mod value;
pub mod yaml;
