//! async-graphql refuses a bad request (a syntax error, a field that does not exist, an
//! argument of the wrong type) with an error that has no `extensions.code`; clients and the
//! router need one to tell what went wrong, so each refusal gets the code of its stage.

use std::sync::Arc;

use async_graphql::{
    Response, ServerError, ServerResult, ValidationResult, Variables,
    extensions::{Extension, ExtensionContext, ExtensionFactory, NextParseQuery, NextValidation},
    parser::types::ExecutableDocument,
};

use crate::errors::ErrorCode;

/// The async-graphql extension that codes syntax errors `GRAPHQL_PARSE_FAILED` and
/// validation errors `GRAPHQL_VALIDATION_FAILED`.
pub struct RefusalCodes;

impl ExtensionFactory for RefusalCodes {
    fn create(&self) -> Arc<dyn Extension> {
        Arc::new(RefusalCodes)
    }
}

#[async_trait::async_trait]
impl Extension for RefusalCodes {
    async fn parse_query(
        &self,
        ctx: &ExtensionContext<'_>,
        query: &str,
        variables: &Variables,
        next: NextParseQuery<'_>,
    ) -> ServerResult<ExecutableDocument> {
        next.run(ctx, query, variables)
            .await
            .map_err(|error| coded(error, ErrorCode::ParseFailed))
    }

    async fn validation(
        &self,
        ctx: &ExtensionContext<'_>,
        next: NextValidation<'_>,
    ) -> Result<ValidationResult, Vec<ServerError>> {
        next.run(ctx).await.map_err(|errors| {
            errors
                .into_iter()
                .map(|error| coded(error, ErrorCode::ValidationFailed))
                .collect()
        })
    }
}

/// Gives every error of `response` still without a code `BAD_USER_INPUT`: what is left is
/// async-graphql refusing the request's input past validation (a value that does not fit its
/// type, an operation name the document lacks); the resolvers' own errors all carry codes.
pub fn code_the_rest(response: &mut Response) {
    for error in &mut response.errors {
        give_code(error, ErrorCode::BadUserInput);
    }
}

/// `error` with `code`, unless it already has one.
fn coded(mut error: ServerError, code: ErrorCode) -> ServerError {
    give_code(&mut error, code);
    error
}

fn give_code(error: &mut ServerError, code: ErrorCode) {
    let extensions = error.extensions.get_or_insert_with(Default::default);
    if extensions.get("code").is_none() {
        extensions.set("code", code.as_str());
    }
}

#[cfg(test)]
mod tests {
    use async_graphql::{EmptyMutation, EmptySubscription, Object, Request, Schema};

    use super::*;

    struct Query;

    #[Object]
    impl Query {
        async fn double(&self, n: i32) -> i32 {
            n * 2
        }
    }

    async fn codes(request: impl Into<Request>) -> Vec<String> {
        let schema = Schema::build(Query, EmptyMutation, EmptySubscription)
            .extension(RefusalCodes)
            .finish();
        let mut response = schema.execute(request).await;
        code_the_rest(&mut response);
        response
            .errors
            .iter()
            .map(|error| {
                error
                    .extensions
                    .as_ref()
                    .unwrap()
                    .get("code")
                    .unwrap()
                    .to_string()
            })
            .collect()
    }

    #[tokio::test]
    async fn each_refusal_is_coded_by_its_stage() {
        assert_eq!(codes("{ double(n: 1").await, ["\"GRAPHQL_PARSE_FAILED\""]);
        assert_eq!(
            codes("{ triple(n: 1) }").await,
            ["\"GRAPHQL_VALIDATION_FAILED\""]
        );
        assert_eq!(
            codes(r#"{ double(n: "two") }"#).await,
            ["\"GRAPHQL_VALIDATION_FAILED\""]
        );
        assert_eq!(
            codes(Request::new("query A { double(n: 1) }").operation_name("B")).await,
            ["\"BAD_USER_INPUT\""]
        );
        assert!(codes("{ double(n: 2) }").await.is_empty());
    }
}
