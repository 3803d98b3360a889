//! "Did you mean": the valid spelling closest to what was typed.

pub(super) fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut previous: Vec<usize> = (0..=b.len()).collect();
    let mut current = vec![0; b.len() + 1];
    for (i, ca) in a.chars().enumerate() {
        current[0] = i + 1;
        for (j, cb) in b.iter().enumerate() {
            let substitution = previous[j] + usize::from(ca != *cb);
            current[j + 1] = substitution.min(previous[j + 1] + 1).min(current[j] + 1);
        }
        std::mem::swap(&mut previous, &mut current);
    }
    previous[b.len()]
}

/// The candidate the user most likely meant: a case or `_`/`-` variant, else the nearest
/// by edit distance within `limit`, else one that starts with what was typed.
pub(super) fn closest<'c>(typed: &str, candidates: &[&'c str], limit: usize) -> Option<&'c str> {
    let normal = |s: &str| s.to_ascii_lowercase().replace('_', "-");
    let typed_normal = normal(typed);
    if let Some(exact) = candidates.iter().find(|c| normal(c) == typed_normal) {
        return Some(exact);
    }
    let nearest = candidates
        .iter()
        .map(|c| (edit_distance(&typed_normal, &normal(c)), *c))
        .min_by_key(|(distance, _)| *distance)
        .filter(|(distance, _)| *distance <= limit)
        .map(|(_, c)| c);
    // `min-prefix` for `min-prefix-length`, `corporate` for `corp`.
    nearest.or_else(|| {
        candidates.iter().copied().find(|c| {
            let c = normal(c);
            typed_normal.len().min(c.len()) >= 3
                && (c.starts_with(&typed_normal) || typed_normal.starts_with(&c))
        })
    })
}
