//! A deadline on each request: the MongoDB driver has no socket timeout, so a command sent to a
//! server that stopped answering mid-conversation (a primary partitioned away) waits until the
//! driver's monitor gives the server up, many seconds later. Past the deadline the request is
//! answered `SERVICE_UNAVAILABLE` and its work dropped: a write it carried was not acknowledged
//! (it may or may not have been applied, as with any unavailable store).

use std::{sync::Arc, time::Duration};

use async_graphql::{
    Response,
    extensions::{Extension, ExtensionContext, ExtensionFactory, NextExecute},
};

use crate::errors::ErrorCode;

/// The async-graphql extension ending any operation that runs longer than its limit.
pub struct RequestDeadline {
    limit: Duration,
}

impl RequestDeadline {
    pub fn new(limit: Duration) -> Self {
        // Present from the start: a count that has not moved reads 0, not "no such metric".
        metrics::counter!("graphql_requests_past_deadline_total").increment(0);
        Self { limit }
    }
}

impl ExtensionFactory for RequestDeadline {
    fn create(&self) -> Arc<dyn Extension> {
        Arc::new(Self { limit: self.limit })
    }
}

#[async_trait::async_trait]
impl Extension for RequestDeadline {
    async fn execute(
        &self,
        ctx: &ExtensionContext<'_>,
        operation_name: Option<&str>,
        next: NextExecute<'_>,
    ) -> Response {
        match tokio::time::timeout(self.limit, next.run(ctx, operation_name)).await {
            Ok(response) => response,
            Err(_) => {
                metrics::counter!("graphql_requests_past_deadline_total").increment(1);
                tracing::warn!(limit = ?self.limit, "request ended at its deadline");
                let message = format!(
                    "no answer within {:?} (REQUEST_TIMEOUT): a data store stopped answering; \
                     try again shortly",
                    self.limit
                );
                let error = ErrorCode::Unavailable.error(message);
                Response::from_errors(vec![error.into_server_error(Default::default())])
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use async_graphql::{EmptyMutation, EmptySubscription, Object, Schema};

    use super::*;

    struct Query;

    #[Object]
    impl Query {
        async fn quick(&self) -> i32 {
            1
        }

        async fn hung(&self) -> i32 {
            std::future::pending::<()>().await;
            0
        }
    }

    fn schema() -> Schema<Query, EmptyMutation, EmptySubscription> {
        Schema::build(Query, EmptyMutation, EmptySubscription)
            .extension(RequestDeadline::new(Duration::from_millis(50)))
            .finish()
    }

    #[tokio::test]
    async fn an_operation_within_the_deadline_is_answered() {
        let response = schema().execute("{ quick }").await;
        assert!(response.errors.is_empty(), "{:?}", response.errors);
    }

    #[tokio::test]
    async fn an_operation_past_the_deadline_is_service_unavailable() {
        let response = schema().execute("{ hung }").await;
        let codes: Vec<String> = response
            .errors
            .iter()
            .filter_map(|error| error.extensions.as_ref()?.get("code"))
            .map(|code| code.to_string())
            .collect();
        assert_eq!(codes, ["\"SERVICE_UNAVAILABLE\""]);
    }
}
