//! Dev-only sign-in: JWTs for any user name, signed with the throwaway key in this folder
//! (`signing-key.pem`), which the dev stack's router and cart subgraph trust (`jwks.json`).
//! `cargo xtask token` and the storefront web server's dev sign-in both mint them here. Callers
//! name the key file (found at run time: a path compiled in would point into whichever clone
//! built this crate).

use std::{
    path::{Path, PathBuf},
    time::{Duration, SystemTime, UNIX_EPOCH},
};

use jsonwebtoken::{Algorithm, EncodingKey, Header, encode};
use serde::Serialize;

pub const KEY_ID: &str = "storefront-dev-1";
pub const ISSUER: &str = "storefront-dev";
pub const AUDIENCE: &str = "storefront";
/// What a dev token may do: change its user's cart (the router refuses the cart mutations
/// without this scope).
pub const SCOPES: &str = "cart:write";

#[derive(Debug, thiserror::Error)]
pub enum DevIdentityError {
    #[error("cannot read the dev signing key {path}: {source}")]
    Read {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("the dev signing key {path} is not an RSA PEM key: {source}")]
    Key {
        path: PathBuf,
        source: jsonwebtoken::errors::Error,
    },
    #[error("cannot sign a token: {0}")]
    Sign(#[from] jsonwebtoken::errors::Error),
}

/// Signs dev tokens with one key.
pub struct DevSigner {
    key: EncodingKey,
}

#[derive(Serialize)]
struct Claims<'a> {
    sub: &'a str,
    iss: &'a str,
    aud: &'a str,
    /// Space-separated, as OAuth 2.0 writes it.
    scope: &'a str,
    iat: u64,
    exp: u64,
}

impl DevSigner {
    pub fn from_pem_file(path: &Path) -> Result<Self, DevIdentityError> {
        let pem = std::fs::read(path).map_err(|source| DevIdentityError::Read {
            path: path.to_owned(),
            source,
        })?;
        let key = EncodingKey::from_rsa_pem(&pem).map_err(|source| DevIdentityError::Key {
            path: path.to_owned(),
            source,
        })?;
        Ok(Self { key })
    }

    /// A token for `user` with the dev [`SCOPES`], valid for `ttl` (a zero `ttl` makes one
    /// that expired an hour ago).
    pub fn token(&self, user: &str, ttl: Duration) -> Result<String, DevIdentityError> {
        self.token_with_scopes(user, SCOPES, ttl)
    }

    /// A token for `user` carrying exactly `scopes` (space-separated; may be empty).
    pub fn token_with_scopes(
        &self,
        user: &str,
        scopes: &str,
        ttl: Duration,
    ) -> Result<String, DevIdentityError> {
        let now = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .unwrap_or_default()
            .as_secs();
        let expires = if ttl.is_zero() {
            now.saturating_sub(3600)
        } else {
            now + ttl.as_secs()
        };
        let mut header = Header::new(Algorithm::RS256);
        header.kid = Some(KEY_ID.to_owned());
        let claims = Claims {
            sub: user,
            iss: ISSUER,
            aud: AUDIENCE,
            scope: scopes,
            iat: now,
            exp: expires,
        };
        Ok(encode(&header, &claims, &self.key)?)
    }
}

/// A token for `user` carrying `scopes` (space-separated; [`SCOPES`] for a normal dev
/// token), signed with the key in `key_file`.
pub fn dev_token(
    key_file: &Path,
    user: &str,
    scopes: &str,
    ttl: Duration,
) -> Result<String, DevIdentityError> {
    DevSigner::from_pem_file(key_file)?.token_with_scopes(user, scopes, ttl)
}
