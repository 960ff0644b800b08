//! Dev identity tokens: JWTs signed with the committed, dev-only key in `dev-identity/`,
//! which the dev stack's router and cart subgraph trust.

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use anyhow::Context;
use jsonwebtoken::{Algorithm, EncodingKey, Header, encode};
use serde::Serialize;

use crate::paths;

pub const DEV_KEY_ID: &str = "storefront-dev-1";
pub const DEV_ISSUER: &str = "storefront-dev";
pub const DEV_AUDIENCE: &str = "storefront";

#[derive(Serialize)]
struct Claims<'a> {
    sub: &'a str,
    iss: &'a str,
    aud: &'a str,
    iat: u64,
    exp: u64,
}

/// A dev token for `user`, valid for `ttl` (a zero `ttl` makes an already expired one).
pub fn dev_token(user: &str, ttl: Duration) -> anyhow::Result<String> {
    let pem_path = paths::workspace_root().join("dev-identity/signing-key.pem");
    let pem =
        std::fs::read(&pem_path).with_context(|| format!("reading {}", pem_path.display()))?;
    let key =
        EncodingKey::from_rsa_pem(&pem).context("the dev signing key is not an RSA PEM key")?;
    let now = SystemTime::now().duration_since(UNIX_EPOCH)?.as_secs();
    let expires = if ttl.is_zero() {
        now.saturating_sub(3600)
    } else {
        now + ttl.as_secs()
    };
    let mut header = Header::new(Algorithm::RS256);
    header.kid = Some(DEV_KEY_ID.to_owned());
    let claims = Claims {
        sub: user,
        iss: DEV_ISSUER,
        aud: DEV_AUDIENCE,
        iat: now,
        exp: expires,
    };
    Ok(encode(&header, &claims, &key)?)
}
