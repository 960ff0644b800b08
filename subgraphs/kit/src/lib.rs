//! What every storefront subgraph shares, so each subgraph crate holds only its domain:
//! configuration, the MongoDB connection, identity, readiness, error codes, operation labels
//! and the GraphQL routes. What any service process needs (logs, metrics, serving, the probe,
//! the allocator) is `service_kit`.

pub mod batching;
pub mod config;
pub mod deadline;
pub mod directives;
pub mod errors;
pub mod identity;
pub mod invalidation;
pub mod limits;
pub mod live;
pub mod mongo;
pub mod operation_labels;
pub mod parsed_queries;
pub mod reference;
pub mod refusals;
pub mod representations;
pub mod server;
pub mod service;
pub mod sharding;

pub use batching::Batching;
pub use errors::ErrorCode;
pub use service::{AttachError, NoOptions, SeedOptions, Subgraph, run};
