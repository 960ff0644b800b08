//! Who is calling. The router verifies tokens, but a subgraph can be reached directly, so a
//! subgraph that serves personal data verifies the forwarded `Authorization: Bearer` JWT again
//! against the same trusted keys (JWKS) and trusts nothing else.

use std::{
    collections::HashMap,
    path::Path,
    time::{Duration, SystemTime},
};

use axum::http::{HeaderMap, header::AUTHORIZATION};
use jsonwebtoken::{Algorithm, DecodingKey, Validation, decode, decode_header, jwk::JwkSet};
use serde::Deserialize;

use crate::ErrorCode;

/// The caller of one request, as far as it could be verified.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Caller {
    /// No credentials were presented.
    Anonymous,
    /// A valid token for this user (its `sub` claim) with its scopes (the `scope` claim),
    /// valid until `expires_at` (its `exp` claim).
    User {
        id: String,
        scopes: Vec<String>,
        expires_at: SystemTime,
    },
    /// Credentials were presented and refused; the reason is for logs and the error message.
    Rejected(String),
}

impl Caller {
    /// The verified user id, or an `UNAUTHENTICATED` error.
    pub fn user(&self) -> Result<&str, async_graphql::Error> {
        match self {
            Caller::User { id, .. } => Ok(id),
            Caller::Anonymous => Err(ErrorCode::Unauthenticated
                .error("sign in first: send `Authorization: Bearer <token>`")),
            Caller::Rejected(reason) => {
                Err(ErrorCode::Unauthenticated.error(format!("invalid token: {reason}")))
            }
        }
    }

    /// When the caller's token stops being valid: a stream opened with it ends then.
    pub fn expires_at(&self) -> Option<SystemTime> {
        match self {
            Caller::User { expires_at, .. } => Some(*expires_at),
            Caller::Anonymous | Caller::Rejected(_) => None,
        }
    }

    /// The verified user id if their token carries `scope`; `UNAUTHENTICATED` without a valid
    /// token, `FORBIDDEN` without the scope.
    pub fn user_with_scope(&self, scope: &str) -> Result<&str, async_graphql::Error> {
        let user = self.user()?;
        match self {
            Caller::User { scopes, .. } if scopes.iter().any(|held| held == scope) => Ok(user),
            _ => Err(ErrorCode::Forbidden.error(format!("this needs the `{scope}` scope"))),
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum IdentityError {
    #[error("cannot read JWKS file {path}: {reason}")]
    Jwks { path: String, reason: String },
}

/// Verifies tokens against a fixed key set, issuer and audience.
pub struct Verifier {
    keys: HashMap<String, (DecodingKey, Algorithm)>,
    issuer: String,
    audience: String,
}

#[derive(Deserialize)]
struct Claims {
    sub: String,
    /// Seconds since the Unix epoch.
    exp: u64,
    /// Space-separated (OAuth 2.0).
    #[serde(default)]
    scope: String,
}

impl Verifier {
    /// Loads the keys (each with a `kid` and an `alg`) of a JWKS file.
    pub fn from_jwks_file(
        path: &Path,
        issuer: &str,
        audience: &str,
    ) -> Result<Self, IdentityError> {
        let error = |reason: String| IdentityError::Jwks {
            path: path.display().to_string(),
            reason,
        };
        let text = std::fs::read_to_string(path).map_err(|err| error(err.to_string()))?;
        let set: JwkSet = serde_json::from_str(&text).map_err(|err| error(err.to_string()))?;
        let mut keys = HashMap::new();
        for jwk in &set.keys {
            let (Some(kid), Some(algorithm)) = (&jwk.common.key_id, jwk.common.key_algorithm)
            else {
                return Err(error("every key needs a `kid` and an `alg`".to_owned()));
            };
            let algorithm = algorithm
                .to_string()
                .parse::<Algorithm>()
                .map_err(|err| error(format!("key {kid}: {err}")))?;
            let key =
                DecodingKey::from_jwk(jwk).map_err(|err| error(format!("key {kid}: {err}")))?;
            keys.insert(kid.clone(), (key, algorithm));
        }
        Ok(Self {
            keys,
            issuer: issuer.to_owned(),
            audience: audience.to_owned(),
        })
    }

    /// The caller a valid token names: known key, matching algorithm, signature, expiry,
    /// issuer and audience all checked.
    pub fn verify(&self, token: &str) -> Result<Caller, String> {
        let header = decode_header(token).map_err(|err| err.to_string())?;
        let kid = header.kid.ok_or("the token names no key (`kid`)")?;
        let (key, algorithm) = self
            .keys
            .get(&kid)
            .ok_or_else(|| format!("unknown key `{kid}`"))?;
        let mut validation = Validation::new(*algorithm);
        validation.set_issuer(&[&self.issuer]);
        validation.set_audience(&[&self.audience]);
        validation.set_required_spec_claims(&["exp", "sub", "iss", "aud"]);
        let data = decode::<Claims>(token, key, &validation).map_err(|err| err.to_string())?;
        let scopes = data
            .claims
            .scope
            .split_whitespace()
            .map(str::to_owned)
            .collect();
        Ok(Caller::User {
            id: data.claims.sub,
            scopes,
            expires_at: SystemTime::UNIX_EPOCH + Duration::from_secs(data.claims.exp),
        })
    }

    /// The caller behind a request's `Authorization` header.
    pub fn caller(verifier: Option<&Self>, headers: &HeaderMap) -> Caller {
        let Some(value) = headers.get(AUTHORIZATION) else {
            return Caller::Anonymous;
        };
        let Some(token) = value.to_str().ok().and_then(|v| v.strip_prefix("Bearer ")) else {
            return Caller::Rejected("expected `Bearer <token>`".to_owned());
        };
        match verifier {
            None => {
                Caller::Rejected("this service trusts no keys (JWKS_FILE is not set)".to_owned())
            }
            Some(verifier) => verifier
                .verify(token.trim())
                .unwrap_or_else(Caller::Rejected),
        }
    }
}
