//! The end-to-end suite, one test binary (one link on two cores): each module starts real
//! processes against the MongoDB that `cargo xtask test` provides. Run it with `cargo xtask test`;
//! `cargo xtask test -- <filter>` runs part of it.

mod authorization;
mod bad_input;
mod browser;
mod cart;
mod catalog_and_pricing;
mod committed_schemas;
mod composition_parity;
mod containers;
mod contract;
mod cost_limits;
mod docs;
mod drills;
mod endpoints;
mod entity_cache;
mod fault_isolation;
mod graphql_over_http;
mod kubernetes;
mod limits;
mod live_schema;
mod mongodb_batching;
mod mongodb_failures;
mod monitoring;
mod observability;
mod production_profile;
mod reference_freshness;
mod roster;
mod schema_checks;
mod sharding;
mod subscriptions;
mod trusted_documents;
