//! What one request may ask of a subgraph. The router refuses deep and costly operations
//! before planning, but a subgraph is reachable inside the network too, and a few bytes of
//! nested `recommendations(first: 12)` ask for 12ⁿ objects: each subgraph bounds depth and
//! complexity itself, with list fields weighed by their `first` as the router weighs them.

/// Deepest selection a subgraph answers: the router's `max_depth` (12) plus the `_entities`
/// and inline fragment its fetches wrap around a selection, with room to spare.
pub const MAX_DEPTH: usize = 16;

/// Largest complexity a subgraph answers (each field 1, a list field its `first` times its
/// selection): the router's plans for its whole cost budget stay well below it.
pub const MAX_COMPLEXITY: usize = 20_000;

/// Complexity of a list field sized by `first` (its schema `default` when absent, at most
/// `max`): `first` times the complexity of what is selected on each item. Saturates instead
/// of overflowing, so absurd nesting is refused rather than miscounted.
pub fn sized(first: Option<i32>, default: i32, max: i32, child_complexity: usize) -> usize {
    let items = first.unwrap_or(default).clamp(0, max) as usize;
    items
        .saturating_mul(child_complexity)
        .min(MAX_COMPLEXITY.saturating_mul(MAX_COMPLEXITY))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_list_weighs_its_first_times_its_items() {
        assert_eq!(sized(Some(12), 4, 12, 3), 36);
        assert_eq!(sized(None, 4, 12, 3), 12);
        // Out-of-range `first` is refused by the resolver; here it only must not overflow.
        assert_eq!(sized(Some(i32::MAX), 4, 12, 3), 36);
        assert_eq!(sized(Some(-5), 4, 12, 3), 0);
        assert!(sized(Some(12), 4, 12, usize::MAX) > MAX_COMPLEXITY);
    }
}
