//! The Bicep source adapter.

pub mod syntax;
