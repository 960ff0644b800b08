//! The offline playground: a browser GET of the GraphQL endpoint gets GraphiQL, whose scripts
//! and styles the router serves itself from `/playground/`, so it works with no internet.
//! A Hive Router plugin, so it runs in front of the engine's own content negotiation.

use hive_router::{
    async_trait,
    http::{Method, header},
    ntex::{http::Response, util::Bytes},
    plugins::{
        hooks::{
            on_http_request::{OnHttpRequestHookFuture, OnHttpRequestHookPayload},
            on_plugin_init::{OnPluginInitPayload, OnPluginInitResult},
        },
        plugin_trait::{RouterPlugin, StartHookPayload},
    },
};
use serde::Deserialize;

/// The name this plugin has in Hive Router's `plugins:` configuration.
pub const PLUGIN_NAME: &str = "storefront_playground";

const INDEX_HTML: &str = include_str!("../playground/index.html");
const ASSETS: &[(&str, &str, &[u8])] = &[
    (
        "/playground/graphiql.min.js",
        "text/javascript; charset=utf-8",
        include_bytes!("../playground/graphiql.min.js"),
    ),
    (
        "/playground/graphiql.min.css",
        "text/css; charset=utf-8",
        include_bytes!("../playground/graphiql.min.css"),
    ),
    (
        "/playground/react.production.min.js",
        "text/javascript; charset=utf-8",
        include_bytes!("../playground/react.production.min.js"),
    ),
    (
        "/playground/react-dom.production.min.js",
        "text/javascript; charset=utf-8",
        include_bytes!("../playground/react-dom.production.min.js"),
    ),
];

pub struct Playground {
    graphql_path: String,
}

#[derive(Debug, Deserialize)]
pub struct PlaygroundConfig {
    /// The GraphQL endpoint's path; browsers asking it for HTML get the playground.
    pub graphql_path: String,
}

#[async_trait]
impl RouterPlugin for Playground {
    type Config = PlaygroundConfig;

    fn plugin_name() -> &'static str {
        PLUGIN_NAME
    }

    fn on_plugin_init(payload: OnPluginInitPayload<Self>) -> OnPluginInitResult<Self> {
        let config = payload.config()?;
        Ok(Some(Self {
            graphql_path: config.graphql_path,
        }))
    }

    fn on_http_request<'req>(
        &'req self,
        payload: OnHttpRequestHookPayload<'req>,
    ) -> OnHttpRequestHookFuture<'req> {
        Box::pin(async move {
            let request = &payload.router_http_request;
            if request.method() != Method::GET {
                return payload.proceed();
            }
            if let Some((_, content_type, body)) =
                ASSETS.iter().find(|(path, _, _)| *path == request.path())
            {
                return payload.end_with_response(static_response(content_type, body));
            }
            let accepts_html = request
                .headers()
                .get(header::ACCEPT)
                .and_then(|accept| accept.to_str().ok())
                .is_some_and(|accept| accept.contains("text/html"));
            let has_query = request.query_string().contains("query=");
            if request.path() == self.graphql_path && accepts_html && !has_query {
                return payload.end_with_response(static_response(
                    "text/html; charset=utf-8",
                    INDEX_HTML.as_bytes(),
                ));
            }
            payload.proceed()
        })
    }
}

fn static_response(content_type: &str, body: &'static [u8]) -> Response {
    Response::Ok()
        .header(header::CONTENT_TYPE, content_type)
        .header(header::CACHE_CONTROL, "public, max-age=3600")
        .body(Bytes::from_static(body))
}
