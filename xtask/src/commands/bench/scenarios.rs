//! What the bench measures: each scenario is an identifier, a target (a gateway or a subgraph
//! straight), the request bodies it cycles through, and how it is driven.

use serde_json::{Value, json};
use xtask::paths;

/// Search words that match some demo products and not others.
pub const SEARCH_WORDS: &[&str] = &[
    "lamp", "book", "phone", "chair", "coffee", "garden", "cable", "shirt", "wooden", "portable",
];

/// Every scenario, by identifier; the report finds rows by these, never by display name.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ScenarioId {
    Home,
    ProductPage,
    CategoryListing,
    Search,
    ProductByIdViaGateway,
    ProductByIdDirect,
    ProductPageFixedRate,
    ProductPageSerial,
    ProductByIdViaGatewaySerial,
    ProductByIdDirectSerial,
}

impl ScenarioId {
    pub fn title(self) -> &'static str {
        match self {
            ScenarioId::Home => "Home",
            ScenarioId::ProductPage => "ProductPage",
            ScenarioId::CategoryListing => "CategoryListing",
            ScenarioId::Search => "Search",
            ScenarioId::ProductByIdViaGateway => "ProductById via router",
            ScenarioId::ProductByIdDirect => "ProductById direct to catalog",
            ScenarioId::ProductPageFixedRate => "ProductPage at fixed rate",
            ScenarioId::ProductPageSerial => "ProductPage, one request at a time",
            ScenarioId::ProductByIdViaGatewaySerial => "ProductById via router, one at a time",
            ScenarioId::ProductByIdDirectSerial => "ProductById direct to catalog, one at a time",
        }
    }
}

/// Where a scenario's requests go.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Target {
    /// Our router.
    Router,
    /// Straight at one subgraph, for the gateway's overhead.
    Subgraph(&'static str),
}

/// How a scenario is driven: as fast as `connections` allow, or at a fixed rate.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Drive {
    /// `--connections` closed-loop connections.
    Saturate,
    /// One connection: the latency of the call itself, without queueing.
    Serial,
    /// A fixed request rate (with latency correction).
    Rate(u32),
}

/// One load scenario. Requests cycle through `bodies` (different products, categories,
/// searches), so neither the router's de-duplication of identical in-flight requests nor
/// batching flatters the figures.
pub struct Scenario {
    pub id: ScenarioId,
    pub target: Target,
    pub bodies: Vec<Value>,
    pub drive: Drive,
}

impl Scenario {
    pub fn title(&self) -> String {
        match self.drive {
            Drive::Rate(rate) => format!("{} ({rate} rps)", self.id.title()),
            Drive::Saturate | Drive::Serial => self.id.title().to_owned(),
        }
    }
}

/// The request bodies of scenario `id` among `scenarios` (none when it is not there).
pub fn bodies_of(scenarios: &[Scenario], id: ScenarioId) -> Vec<Value> {
    scenarios
        .iter()
        .find(|scenario| scenario.id == id)
        .map(|scenario| scenario.bodies.clone())
        .unwrap_or_default()
}

/// The products the product-page scenarios ask for: a thousand spread over the whole catalog of
/// `products`.
pub fn product_ids(products: usize) -> Vec<String> {
    (0..1000)
        .map(|i| format!("prod-{:06}", (i * 7919) % products.max(1) + 1))
        .collect()
}

/// Every scenario against `gateway`, over `products` seeded products and `category_slugs`.
pub fn scenarios(
    rate: u32,
    products: usize,
    category_slugs: &[String],
) -> anyhow::Result<Vec<Scenario>> {
    let product_ids = product_ids(products);
    let for_products = |query: &str| -> Vec<Value> {
        product_ids
            .iter()
            .map(|id| json!({ "query": query, "variables": { "id": id } }))
            .collect()
    };
    let product_page = paths::registered_operation("ProductPage")?.body;
    let product_by_id = "query ProductById($id: ID!) { product(id: $id) { id sku name description imageUrl tags } }";
    let category_listing = paths::registered_operation("CategoryListing")?.body;
    let search = paths::registered_operation("Search")?.body;
    let via = Target::Router;
    let direct = Target::Subgraph("catalog");
    let scenario = |id, target, bodies, drive| Scenario {
        id,
        target,
        bodies,
        drive,
    };
    Ok(vec![
        scenario(
            ScenarioId::Home,
            via,
            vec![json!({ "query": paths::registered_operation("Home")?.body })],
            Drive::Saturate,
        ),
        scenario(
            ScenarioId::ProductPage,
            via,
            for_products(&product_page),
            Drive::Saturate,
        ),
        scenario(
            ScenarioId::CategoryListing,
            via,
            category_slugs
                .iter()
                .map(|slug| json!({ "query": category_listing, "variables": { "slug": slug } }))
                .collect(),
            Drive::Saturate,
        ),
        scenario(
            ScenarioId::Search,
            via,
            SEARCH_WORDS
                .iter()
                .map(|text| json!({ "query": search, "variables": { "text": text } }))
                .collect(),
            Drive::Saturate,
        ),
        scenario(
            ScenarioId::ProductByIdViaGateway,
            via,
            for_products(product_by_id),
            Drive::Saturate,
        ),
        scenario(
            ScenarioId::ProductByIdDirect,
            direct,
            for_products(product_by_id),
            Drive::Saturate,
        ),
        scenario(
            ScenarioId::ProductPageFixedRate,
            via,
            for_products(&product_page),
            Drive::Rate(rate),
        ),
        scenario(
            ScenarioId::ProductPageSerial,
            via,
            for_products(&product_page),
            Drive::Serial,
        ),
        scenario(
            ScenarioId::ProductByIdViaGatewaySerial,
            via,
            for_products(product_by_id),
            Drive::Serial,
        ),
        scenario(
            ScenarioId::ProductByIdDirectSerial,
            direct,
            for_products(product_by_id),
            Drive::Serial,
        ),
    ])
}
