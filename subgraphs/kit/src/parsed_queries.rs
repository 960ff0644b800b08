//! A subgraph sees the same few query texts over and over (the router sends one `_entities` or
//! root query per step of each plan), so each text is parsed once and its document reused.

use std::{
    num::NonZeroUsize,
    sync::{Arc, Mutex, MutexGuard, PoisonError},
};

use async_graphql::{
    ServerResult, Variables,
    extensions::{Extension, ExtensionContext, ExtensionFactory, NextParseQuery},
    parser::types::ExecutableDocument,
};
use lru::LruCache;

type Documents = Arc<Mutex<LruCache<String, Arc<ExecutableDocument>>>>;

/// An async-graphql extension keeping the parsed documents of the last `capacity` query texts.
pub struct ParsedQueryCache {
    documents: Documents,
}

impl ParsedQueryCache {
    pub fn new(capacity: NonZeroUsize) -> Self {
        Self {
            documents: Arc::new(Mutex::new(LruCache::new(capacity))),
        }
    }
}

impl ExtensionFactory for ParsedQueryCache {
    fn create(&self) -> Arc<dyn Extension> {
        Arc::new(ParsedQueries {
            documents: self.documents.clone(),
        })
    }
}

struct ParsedQueries {
    documents: Documents,
}

#[async_trait::async_trait]
impl Extension for ParsedQueries {
    async fn parse_query(
        &self,
        ctx: &ExtensionContext<'_>,
        query: &str,
        variables: &Variables,
        next: NextParseQuery<'_>,
    ) -> ServerResult<ExecutableDocument> {
        // The lock is held only to share the document; each request clones its own copy.
        let cached = self.documents().get(query).cloned();
        if let Some(document) = cached {
            return Ok(ExecutableDocument::clone(&document));
        }
        // Only documents that parsed are kept; a syntax error is reported afresh every time.
        let document = next.run(ctx, query, variables).await?;
        let shared = Arc::new(document.clone());
        self.documents().put(query.to_owned(), shared);
        Ok(document)
    }
}

impl ParsedQueries {
    /// The cache; a panic elsewhere while it was locked leaves it usable (entries are whole).
    fn documents(&self) -> MutexGuard<'_, LruCache<String, Arc<ExecutableDocument>>> {
        self.documents
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
    }
}

#[cfg(test)]
mod tests {
    use std::sync::atomic::{AtomicUsize, Ordering};

    use async_graphql::{EmptyMutation, EmptySubscription, Object, Request, Schema};

    use super::*;

    struct Query;

    #[Object]
    impl Query {
        async fn answer(&self) -> i32 {
            42
        }
    }

    /// Counts the parses that reach the parser behind the cache.
    #[derive(Clone, Default)]
    struct CountParses(Arc<AtomicUsize>);

    impl ExtensionFactory for CountParses {
        fn create(&self) -> Arc<dyn Extension> {
            Arc::new(self.clone())
        }
    }

    #[async_trait::async_trait]
    impl Extension for CountParses {
        async fn parse_query(
            &self,
            ctx: &ExtensionContext<'_>,
            query: &str,
            variables: &Variables,
            next: NextParseQuery<'_>,
        ) -> ServerResult<ExecutableDocument> {
            self.0.fetch_add(1, Ordering::SeqCst);
            next.run(ctx, query, variables).await
        }
    }

    fn schema(parses: &CountParses) -> Schema<Query, EmptyMutation, EmptySubscription> {
        Schema::build(Query, EmptyMutation, EmptySubscription)
            .extension(ParsedQueryCache::new(NonZeroUsize::new(8).unwrap()))
            .extension(parses.clone())
            .finish()
    }

    #[tokio::test]
    async fn a_query_text_is_parsed_once_and_answered_every_time() {
        let parses = CountParses::default();
        let schema = schema(&parses);
        for _ in 0..3 {
            let response = schema.execute("{ answer }").await;
            assert!(response.errors.is_empty(), "{:?}", response.errors);
            assert_eq!(response.data.to_string(), "{answer: 42}");
        }
        assert_eq!(parses.0.load(Ordering::SeqCst), 1);

        // Operations of one cached document are still picked by name.
        let document = "query A { answer } query B { b: answer }";
        let b = schema
            .execute(Request::new(document).operation_name("B"))
            .await;
        let a = schema
            .execute(Request::new(document).operation_name("A"))
            .await;
        assert_eq!(b.data.to_string(), "{b: 42}");
        assert_eq!(a.data.to_string(), "{answer: 42}");
        assert_eq!(parses.0.load(Ordering::SeqCst), 2);
    }

    #[tokio::test]
    async fn a_syntax_error_is_reported_every_time() {
        let parses = CountParses::default();
        let schema = schema(&parses);
        for _ in 0..2 {
            let response = schema.execute("{ answer").await;
            assert_eq!(response.errors.len(), 1, "{:?}", response.errors);
        }
        assert_eq!(parses.0.load(Ordering::SeqCst), 2);
    }
}
