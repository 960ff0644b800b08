//! Cart never reads the catalog's database: it asks the catalog subgraph, over its public
//! GraphQL API, whether a product exists before a line for it is written.

use std::time::Duration;

use serde_json::json;

/// How long an `addToCart` waits for the catalog before answering `SERVICE_UNAVAILABLE`: within
/// the request's own deadline (`REQUEST_TIMEOUT`, 3 s by default), so the answer says why.
const CATALOG_TIMEOUT: Duration = Duration::from_secs(2);

#[derive(Debug, thiserror::Error)]
pub enum CatalogError {
    #[error("the catalog could not be asked about product {product_id}: {reason}")]
    Unavailable { product_id: String, reason: String },
}

#[derive(Clone)]
pub struct CatalogClient {
    http: reqwest::Client,
    url: String,
}

impl CatalogClient {
    /// A client whose every request gives up after [`CATALOG_TIMEOUT`]; fails rather than
    /// fall back to a client without one.
    pub fn new(url: String) -> reqwest::Result<Self> {
        let http = reqwest::Client::builder()
            .timeout(CATALOG_TIMEOUT)
            .build()?;
        Ok(Self { http, url })
    }

    /// Whether the catalog knows a product with this id.
    pub async fn product_exists(&self, product_id: &str) -> Result<bool, CatalogError> {
        let unavailable = |reason: String| CatalogError::Unavailable {
            product_id: product_id.to_owned(),
            reason,
        };
        let body = json!({
            "query": "query ProductExists($id: ID!) { product(id: $id) { id } }",
            "variables": { "id": product_id },
        });
        let response = self
            .http
            .post(&self.url)
            .json(&body)
            .send()
            .await
            .map_err(|err| unavailable(err.to_string()))?;
        let reply: serde_json::Value = response
            .json()
            .await
            .map_err(|err| unavailable(err.to_string()))?;
        if let Some(errors) = reply.get("errors") {
            return Err(unavailable(errors.to_string()));
        }
        Ok(!reply
            .pointer("/data/product")
            .is_none_or(|product| product.is_null()))
    }
}
