//! Opaque pagination cursors. Listings page by key (the last product id seen), so pages stay
//! disjoint while products are added; search pages by rank, since relevance has no stable key.

use base64::{Engine, engine::general_purpose::URL_SAFE_NO_PAD};

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Cursor {
    /// Continue a listing after this product id.
    After(String),
    /// Continue a ranked search after this many results.
    Rank(u64),
}

#[derive(Debug, thiserror::Error)]
#[error("`after` is not a cursor this API issued")]
pub struct InvalidCursor;

impl Cursor {
    pub fn encode(&self) -> String {
        let raw = match self {
            Cursor::After(id) => format!("id:{id}"),
            Cursor::Rank(rank) => format!("rank:{rank}"),
        };
        URL_SAFE_NO_PAD.encode(raw)
    }

    pub fn decode(encoded: &str) -> Result<Self, InvalidCursor> {
        let bytes = URL_SAFE_NO_PAD.decode(encoded).map_err(|_| InvalidCursor)?;
        let raw = String::from_utf8(bytes).map_err(|_| InvalidCursor)?;
        match raw.split_once(':') {
            Some(("id", id)) if !id.is_empty() => Ok(Cursor::After(id.to_owned())),
            Some(("rank", rank)) => rank.parse().map(Cursor::Rank).map_err(|_| InvalidCursor),
            _ => Err(InvalidCursor),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cursors_round_trip() {
        for cursor in [Cursor::After("prod-000042".into()), Cursor::Rank(40)] {
            assert_eq!(Cursor::decode(&cursor.encode()).unwrap(), cursor);
        }
    }

    #[test]
    fn foreign_strings_are_rejected() {
        for bad in ["", "not base64!", "aWQ6", "cmFuazp4", "Zm9vOmJhcg"] {
            assert!(Cursor::decode(bad).is_err(), "{bad:?} decoded");
        }
    }
}
