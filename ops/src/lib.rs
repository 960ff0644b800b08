//! What a storefront deployment prepares once, before the services start: a MongoDB replica
//! set with access control, and one user per subgraph whose role reaches only that
//! subgraph's own database (data sovereignty enforced by the database, not by convention).
//! `storefront-ops` runs it in Compose and Kubernetes; the dev stack reuses the replica-set
//! step.

pub mod keyfile;
pub mod replica_set;
pub mod users;

/// The server's error code, when MongoDB refused a command.
pub fn error_code(err: &mongodb::error::Error) -> Option<i32> {
    match err.kind.as_ref() {
        mongodb::error::ErrorKind::Command(command) => Some(command.code),
        _ => None,
    }
}
