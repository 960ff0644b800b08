//! Making a `mongod` started with `--replSet` a replica set, and waiting until it accepts
//! writes: the same steps for the dev stack's local mongod and a deployment's.

use std::time::{Duration, Instant};

use mongodb::{Database, bson::doc};

use crate::error_code;

#[derive(Debug, thiserror::Error)]
pub enum ReplicaSetError {
    #[error("mongod did not accept replSetInitiate within {waited:?}: {source}")]
    Initiate {
        waited: Duration,
        source: mongodb::error::Error,
    },
    #[error("the replica set had no writable primary within {0:?}")]
    NoPrimary(Duration),
}

/// AlreadyInitialized: the data already holds a replica set.
const ALREADY_INITIALIZED: i32 = 23;

/// Initiates replica set `name` with `members` (host:port as the other processes reach them)
/// unless it exists, then waits until the member `admin` talks to (directly) is a writable
/// primary; gives up after `limit`. That member should be the first: it gets the higher
/// election priority, so it is the one elected.
pub async fn initiate(
    admin: &Database,
    name: &str,
    members: &[String],
    limit: Duration,
) -> Result<(), ReplicaSetError> {
    let deadline = Instant::now() + limit;
    let members: Vec<_> = members
        .iter()
        .enumerate()
        .map(|(id, host)| {
            let priority = if id == 0 { 2 } else { 1 };
            doc! { "_id": id as i32, "host": host, "priority": priority }
        })
        .collect();
    let config = doc! { "_id": name, "members": members };
    loop {
        match admin
            .run_command(doc! { "replSetInitiate": config.clone() })
            .await
        {
            Ok(_) => break,
            Err(err) if error_code(&err) == Some(ALREADY_INITIALIZED) => break,
            Err(source) if Instant::now() >= deadline => {
                return Err(ReplicaSetError::Initiate {
                    waited: limit,
                    source,
                });
            }
            Err(_) => tokio::time::sleep(Duration::from_millis(200)).await,
        }
    }
    wait_writable_primary(admin, deadline, limit).await
}

/// Waits until the member `admin` talks to is a writable primary.
async fn wait_writable_primary(
    admin: &Database,
    deadline: Instant,
    limit: Duration,
) -> Result<(), ReplicaSetError> {
    loop {
        let hello = admin.run_command(doc! { "hello": 1 }).await;
        if matches!(&hello, Ok(reply) if reply.get_bool("isWritablePrimary").unwrap_or(false)) {
            return Ok(());
        }
        if Instant::now() >= deadline {
            return Err(ReplicaSetError::NoPrimary(limit));
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}
