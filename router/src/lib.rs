//! The storefront router as a library: composing subgraphs from a rover-format
//! `supergraph.yaml`, and serving the result with Hive Router's engine.

#![recursion_limit = "256"]

pub mod check;
pub mod composition;
pub mod contract_codes;
pub mod entity_cache;
pub mod error_paths;
pub mod operations;
pub mod persisted_documents;
pub mod playground;
pub mod process_metrics;
pub mod serve;
pub mod supergraph_config;
pub mod usage;
