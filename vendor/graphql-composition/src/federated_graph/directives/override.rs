use crate::federated_graph::{StringId, SubgraphId};

#[derive(serde::Serialize, serde::Deserialize, Clone, Debug, PartialEq, PartialOrd)]
pub enum OverrideLabel {
    Percent(u8),
    Unknown(String),
}

impl std::fmt::Display for OverrideLabel {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            OverrideLabel::Percent(percent) => {
                f.write_str("percent(")?;
                percent.fmt(f)?;
                f.write_str(")")
            }
            OverrideLabel::Unknown(unknown) => f.write_str(unknown),
        }
    }
}

impl std::str::FromStr for OverrideLabel {
    type Err = &'static str;

    /// Storefront fork: Apollo's rule. A label is `percent(N)` with N from 0 to 100 (up to
    /// eight decimals), or starts with a letter and holds only letters, digits, `_-:.`.
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        if let Some(percent) = s.strip_prefix("percent(").and_then(|suffix| suffix.strip_suffix(')')) {
            let (whole, decimals) = percent.split_once('.').unwrap_or((percent, ""));
            let digits = |text: &str| text.chars().all(|c| c.is_ascii_digit());
            let value = percent
                .parse::<f64>()
                .ok()
                .filter(|value| (0.0..=100.0).contains(value));
            return match value {
                Some(_) if !whole.is_empty() && digits(whole) && digits(decimals) && decimals.len() <= 8 => {
                    Ok(match u8::from_str(percent) {
                        Ok(whole_percent) => OverrideLabel::Percent(whole_percent),
                        Err(_) => OverrideLabel::Unknown(s.to_owned()),
                    })
                }
                _ => Err("a percentage label must be percent(N) with N from 0 to 100, up to 8 decimals"),
            };
        }
        let mut chars = s.chars();
        let starts_with_letter = chars.next().is_some_and(|c| c.is_ascii_alphabetic());
        if starts_with_letter && chars.all(|c| c.is_ascii_alphanumeric() || "_-:.".contains(c)) {
            Ok(OverrideLabel::Unknown(s.to_owned()))
        } else {
            Err("a label must start with a letter and hold only letters, digits, `_`, `-`, `:` and `.`")
        }
    }
}

#[derive(Debug, serde::Serialize, serde::Deserialize, Clone, PartialEq, PartialOrd)]
pub enum OverrideSource {
    Subgraph(SubgraphId),
    Missing(StringId),
}
