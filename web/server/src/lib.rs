//! The web storefront's server as a library: the built bundle with the router's URL written into
//! the page, strict security headers, long caching for hashed assets, and dev sign-in.

use std::{path::PathBuf, sync::Arc, time::Duration};

use axum::{
    Json, Router,
    extract::State,
    http::{HeaderValue, StatusCode, header},
    response::{Html, IntoResponse, Response},
    routing::{get, post},
};
use dev_identity::DevSigner;
use serde::Deserialize;
use serde_json::json;
use tower_http::{
    compression::CompressionLayer, services::ServeDir, set_header::SetResponseHeaderLayer,
};

/// Where the storefront listens unless told otherwise.
pub const DEFAULT_PORT: u16 = 3000;

/// The longest user name dev sign-in accepts.
const MAX_USER_LENGTH: usize = 64;

pub struct SiteOptions {
    pub dist: PathBuf,
    pub graphql_url: String,
    pub dev_signer: Option<DevSigner>,
    pub dev_token_ttl: Duration,
}

#[derive(Debug, thiserror::Error)]
pub enum SiteError {
    #[error("cannot read {path} (build the bundle with `npm run build` in web/): {source}")]
    Read {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("{path} has no <meta name=\"{name}\" content=\"…\"> to fill in")]
    MissingMeta { path: PathBuf, name: &'static str },
}

/// The loaded site: the page with its settings filled in, and how to answer everything else.
#[derive(Clone)]
pub struct Site {
    inner: Arc<Inner>,
}

struct Inner {
    dist: PathBuf,
    index_html: String,
    content_security_policy: HeaderValue,
    dev_signer: Option<DevSigner>,
    dev_token_ttl: Duration,
}

impl Site {
    pub fn load(options: SiteOptions) -> Result<Self, SiteError> {
        let index_path = options.dist.join("index.html");
        let template = std::fs::read_to_string(&index_path).map_err(|source| SiteError::Read {
            path: index_path.clone(),
            source,
        })?;
        let dev_identity = if options.dev_signer.is_some() {
            "on"
        } else {
            "off"
        };
        let missing = |name| SiteError::MissingMeta {
            path: index_path.clone(),
            name,
        };
        let index_html = set_meta(&template, "storefront-graphql", &options.graphql_url)
            .ok_or_else(|| missing("storefront-graphql"))?;
        let index_html = set_meta(&index_html, "storefront-dev-identity", dev_identity)
            .ok_or_else(|| missing("storefront-dev-identity"))?;
        Ok(Self {
            inner: Arc::new(Inner {
                dist: options.dist,
                index_html,
                content_security_policy: content_security_policy(&options.graphql_url),
                dev_signer: options.dev_signer,
                dev_token_ttl: options.dev_token_ttl,
            }),
        })
    }

    /// `/health`, `/ready`, `/dev/token` (with a dev key), hashed assets from the bundle, and
    /// the page for every other path (the app routes in the browser).
    pub fn app(&self) -> Router {
        let assets = ServeDir::new(&self.inner.dist)
            .append_index_html_on_directories(false)
            .fallback(get(page).with_state(self.clone()));
        Router::new()
            .route("/health", get(health))
            .route("/ready", get(health))
            .route("/dev/token", post(dev_token))
            .route("/", get(page))
            .route("/index.html", get(page))
            .fallback_service(assets)
            .with_state(self.clone())
            .layer(CompressionLayer::new())
            .layer(SetResponseHeaderLayer::if_not_present(
                header::CONTENT_SECURITY_POLICY,
                self.inner.content_security_policy.clone(),
            ))
            .layer(SetResponseHeaderLayer::overriding(
                header::X_CONTENT_TYPE_OPTIONS,
                HeaderValue::from_static("nosniff"),
            ))
            .layer(SetResponseHeaderLayer::overriding(
                header::REFERRER_POLICY,
                HeaderValue::from_static("strict-origin-when-cross-origin"),
            ))
            .layer(SetResponseHeaderLayer::if_not_present(
                header::CACHE_CONTROL,
                // Vite names every asset by its content hash: cache them for good.
                HeaderValue::from_static("public, max-age=31536000, immutable"),
            ))
    }
}

/// The page: never cached, so a new deploy is picked up on the next visit.
async fn page(State(site): State<Site>) -> Response {
    (
        [(header::CACHE_CONTROL, HeaderValue::from_static("no-cache"))],
        Html(site.inner.index_html.clone()),
    )
        .into_response()
}

async fn health() -> impl IntoResponse {
    (
        [(header::CACHE_CONTROL, HeaderValue::from_static("no-store"))],
        Json(json!({ "status": "ok" })),
    )
}

#[derive(Deserialize)]
struct TokenRequest {
    user: String,
}

/// DEV ONLY: a token for the named user. Absent (404) unless the server was given the dev key.
async fn dev_token(State(site): State<Site>, body: axum::body::Bytes) -> Response {
    let no_store = (header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    let refuse = |status: StatusCode, error: String| {
        (status, [no_store.clone()], Json(json!({ "error": error }))).into_response()
    };
    let Some(signer) = &site.inner.dev_signer else {
        return refuse(
            StatusCode::NOT_FOUND,
            "dev sign-in is off on this server".to_owned(),
        );
    };
    let user = match serde_json::from_slice::<TokenRequest>(&body) {
        Ok(request) => request.user,
        Err(_) => {
            return refuse(
                StatusCode::BAD_REQUEST,
                "send {\"user\": \"<name>\"} as JSON".to_owned(),
            );
        }
    };
    if user.is_empty()
        || user.len() > MAX_USER_LENGTH
        || !user
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-' | '@'))
    {
        return refuse(
            StatusCode::BAD_REQUEST,
            format!(
                "a user name is 1 to {MAX_USER_LENGTH} letters, digits or . _ - @ (got {} characters)",
                user.chars().count()
            ),
        );
    }
    match signer.token(&user, site.inner.dev_token_ttl) {
        Ok(token) => (
            [no_store],
            Json(json!({ "token": token, "expiresIn": site.inner.dev_token_ttl.as_secs() })),
        )
            .into_response(),
        Err(err) => {
            tracing::error!(error = %err, "cannot sign a dev token");
            refuse(
                StatusCode::INTERNAL_SERVER_ERROR,
                "cannot sign a token".to_owned(),
            )
        }
    }
}

/// The page may load only its own files and call only the router.
fn content_security_policy(graphql_url: &str) -> HeaderValue {
    let graphql_origin = origin(graphql_url).unwrap_or_default();
    let policy = format!(
        "default-src 'self'; connect-src 'self' {graphql_origin}; img-src 'self' data:; \
         style-src 'self' 'unsafe-inline'; frame-ancestors 'none'; base-uri 'self'; form-action 'self'"
    );
    HeaderValue::from_str(policy.trim())
        .unwrap_or_else(|_| HeaderValue::from_static("default-src 'self'"))
}

/// `scheme://host[:port]` of an absolute URL.
fn origin(url: &str) -> Option<&str> {
    let after_scheme = url.find("://")? + 3;
    let end = url[after_scheme..]
        .find('/')
        .map_or(url.len(), |slash| after_scheme + slash);
    Some(&url[..end])
}

/// `html` with the `content` of `<meta name="{name}" content="…">` set to `value` (escaped).
fn set_meta(html: &str, name: &str, value: &str) -> Option<String> {
    let marker = format!("name=\"{name}\" content=\"");
    let start = html.find(&marker)? + marker.len();
    let end = start + html[start..].find('"')?;
    let escaped = value
        .replace('&', "&amp;")
        .replace('"', "&quot;")
        .replace('<', "&lt;");
    Some(format!("{}{escaped}{}", &html[..start], &html[end..]))
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::body::Body;
    use axum::http::Request;
    use tower::ServiceExt;

    fn site(dev: bool) -> (tempfile::TempDir, Site) {
        let dist = tempfile::tempdir().unwrap();
        std::fs::write(
            dist.path().join("index.html"),
            r#"<meta name="storefront-graphql" content="x" /><meta name="storefront-dev-identity" content="on" />"#,
        )
        .unwrap();
        std::fs::create_dir(dist.path().join("assets")).unwrap();
        std::fs::write(dist.path().join("assets/app-1234.js"), "console.log(1)").unwrap();
        let site = Site::load(SiteOptions {
            dist: dist.path().to_owned(),
            graphql_url: "http://127.0.0.1:4000/graphql?\"x".to_owned(),
            dev_signer: dev.then(|| DevSigner::from_pem_file(&committed_dev_key()).unwrap()),
            dev_token_ttl: Duration::from_secs(60),
        })
        .unwrap();
        (dist, site)
    }

    /// The repository's dev key, found from the package cargo is testing (at run time).
    fn committed_dev_key() -> PathBuf {
        PathBuf::from(std::env::var("CARGO_MANIFEST_DIR").expect("run by cargo test"))
            .join("../../dev-identity/signing-key.pem")
    }

    async fn get_path(site: &Site, path: &str) -> Response {
        site.app()
            .oneshot(Request::get(path).body(Body::empty()).unwrap())
            .await
            .unwrap()
    }

    async fn text(response: Response) -> String {
        let bytes = axum::body::to_bytes(response.into_body(), 1 << 20)
            .await
            .unwrap();
        String::from_utf8(bytes.to_vec()).unwrap()
    }

    #[tokio::test]
    async fn every_app_route_gets_the_page_with_its_settings_filled_in() {
        let (_dist, site) = site(false);
        for path in ["/", "/p/prod-000001", "/cart", "/search?q=tent"] {
            let response = get_path(&site, path).await;
            assert_eq!(response.status(), StatusCode::OK, "{path}");
            assert_eq!(response.headers()[header::CACHE_CONTROL], "no-cache");
            let csp = response.headers()[header::CONTENT_SECURITY_POLICY]
                .to_str()
                .unwrap()
                .to_owned();
            assert!(
                csp.contains("connect-src 'self' http://127.0.0.1:4000;"),
                "{csp}"
            );
            let html = text(response).await;
            assert!(
                html.contains(r#"content="http://127.0.0.1:4000/graphql?&quot;x""#),
                "{html}"
            );
            assert!(html.contains(r#"name="storefront-dev-identity" content="off""#));
        }
        let asset = get_path(&site, "/assets/app-1234.js").await;
        assert_eq!(asset.status(), StatusCode::OK);
        assert!(
            asset.headers()[header::CACHE_CONTROL]
                .to_str()
                .unwrap()
                .contains("immutable")
        );
    }

    #[tokio::test]
    async fn dev_sign_in_exists_only_with_the_dev_key_and_checks_the_name() {
        let post = |site: &Site, body: &'static str| {
            site.app().oneshot(
                Request::post("/dev/token")
                    .header("content-type", "application/json")
                    .body(Body::from(body))
                    .unwrap(),
            )
        };
        let (_dist, off) = site(false);
        let refused = post(&off, r#"{"user":"alice"}"#).await.unwrap();
        assert_eq!(refused.status(), StatusCode::NOT_FOUND);

        let (_dist, on) = site(true);
        let signed = post(&on, r#"{"user":"alice"}"#).await.unwrap();
        assert_eq!(signed.status(), StatusCode::OK);
        let body: serde_json::Value = serde_json::from_str(&text(signed).await).unwrap();
        assert_eq!(body["token"].as_str().unwrap().split('.').count(), 3);
        assert_eq!(body["expiresIn"], 60);
        for bad in [r#"{"user":""}"#, r#"{"user":"a b"}"#, "not json"] {
            let response = post(&on, bad).await.unwrap();
            assert_eq!(response.status(), StatusCode::BAD_REQUEST, "{bad}");
            let body: serde_json::Value = serde_json::from_str(&text(response).await).unwrap();
            assert!(body["error"].is_string());
        }
    }
}
