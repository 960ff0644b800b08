//! What every storefront subgraph shares, so each subgraph crate holds only its domain:
//! configuration, the MongoDB connection, health and readiness, telemetry, error codes
//! and the HTTP server wiring.

pub mod batching;
pub mod config;
pub mod directives;
pub mod errors;
pub mod identity;
pub mod limits;
pub mod mongo;
pub mod parsed_queries;
pub mod reference;
pub mod refusals;
pub mod representations;
pub mod server;
pub mod service;
pub mod telemetry;

pub use batching::Batching;
pub use errors::ErrorCode;
pub use service::{AttachError, NoOptions, SeedOptions, Subgraph, run};

/// Every binary built on the kit allocates with mimalloc, as the router does (Hive Router's
/// choice): under the bench's ProductPage load glibc's malloc and free were ~5% of the
/// machine's CPU, most of it in the subgraphs.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;
