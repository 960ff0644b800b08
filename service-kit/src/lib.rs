//! What every storefront service process needs, whatever it serves: logs and traces, the
//! Prometheus recorder, serving until SIGTERM with a grace period, the container probe, and
//! the allocator. The subgraph kit builds GraphQL over MongoDB on top; the web server uses
//! this alone.

pub mod server;
pub mod telemetry;

pub use telemetry::LogFormat;

#[doc(hidden)]
pub use mimalloc;

/// Makes mimalloc the binary's global allocator, as the router does (Hive Router's choice):
/// under the bench's ProductPage load glibc's malloc and free were ~5% of the machine's CPU,
/// most of it in the subgraphs. Each binary says so in its own `main.rs`.
#[macro_export]
macro_rules! global_allocator {
    () => {
        #[global_allocator]
        static ALLOCATOR: $crate::mimalloc::MiMalloc = $crate::mimalloc::MiMalloc;
    };
}
