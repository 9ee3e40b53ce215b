//! "Did you mean": a misspelt name and the valid names in, the closest valid name out.

/// The candidate closest to `input`, if it is close enough to be a plausible typo.
pub fn closest<'a, I>(input: &str, candidates: I) -> Option<&'a str>
where
    I: IntoIterator<Item = &'a str>,
{
    let lower = input.to_ascii_lowercase();
    let mut best: Option<(f64, &'a str)> = None;
    for c in candidates {
        if c == input {
            continue;
        }
        let score = strsim::jaro_winkler(&lower, &c.to_ascii_lowercase());
        let dist = strsim::damerau_levenshtein(&lower, &c.to_ascii_lowercase());
        let close = score >= 0.85 || dist <= 1 + input.len() / 4 || c.to_ascii_lowercase() == lower;
        if close && best.is_none_or(|(b, _)| score > b) {
            best = Some((score, c));
        }
    }
    best.map(|(_, c)| c)
}

/// "did you mean `x`?" or, with no close match, the list of valid names (up to 12).
pub fn hint<'a, I>(input: &str, candidates: I) -> Option<String>
where
    I: IntoIterator<Item = &'a str> + Clone,
{
    if let Some(c) = closest(input, candidates.clone()) {
        return Some(format!("did you mean `{c}`?"));
    }
    let all: Vec<&str> = candidates.into_iter().collect();
    if all.is_empty() {
        return None;
    }
    let shown: Vec<String> = all.iter().take(12).map(|c| format!("`{c}`")).collect();
    let more = if all.len() > 12 {
        format!(" and {} more", all.len() - 12)
    } else {
        String::new()
    };
    Some(format!("expected one of {}{more}", shown.join(", ")))
}

#[cfg(test)]
mod tests {
    use super::*;
    #[test]
    fn finds_typos() {
        assert_eq!(closest("timout", ["timeout", "memory"]), Some("timeout"));
        assert_eq!(
            closest("create-ordr", ["create-order", "get-order"]),
            Some("create-order")
        );
        assert_eq!(closest("zzz", ["timeout", "memory"]), None);
        assert_eq!(hint("zzz", ["a", "b"]).unwrap(), "expected one of `a`, `b`");
    }
}
