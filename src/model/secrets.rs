//! Secret-looking names: an environment variable's name in, whether it says the variable
//! holds a secret out. Lint (FN203) flags such values; plans mask them.

/// Word parts that mark a variable as holding a secret.
const SECRET_WORDS: &[&str] = &[
    "KEY",
    "SECRET",
    "TOKEN",
    "PASSWORD",
    "PASSWD",
    "PASS",
    "CREDENTIAL",
    "PRIVATE",
];

/// Last word parts that make a variable a pointer to a secret, not the secret.
const POINTER_WORDS: &[&str] = &[
    "NAME",
    "ARN",
    "URL",
    "URI",
    "ID",
    "PATH",
    "PARAM",
    "PARAMETER",
    "PREFIX",
    "SUFFIX",
    "FILE",
    "HEADER",
    "FIELD",
    "ATTRIBUTE",
    "TYPE",
    "TTL",
    "LENGTH",
    "ALGORITHM",
    "ENDPOINT",
    "REGION",
];

/// Words before `KEY` that make it the name of a key attribute, not a key.
const KEY_KINDS: &[&str] = &[
    "PARTITION",
    "SORT",
    "HASH",
    "RANGE",
    "PRIMARY",
    "PUBLIC",
    "CACHE",
    "IDEMPOTENCY",
    "OBJECT",
    "ROUTING",
    "SHARD",
];

/// `API_KEY` -> [API, KEY]; `dbPassword` -> [DB, PASSWORD].
fn word_parts(name: &str) -> Vec<String> {
    let mut parts = Vec::new();
    for chunk in name
        .split(|c: char| !c.is_ascii_alphanumeric())
        .filter(|c| !c.is_empty())
    {
        let mut cur = String::new();
        let mut prev_lower = false;
        for c in chunk.chars() {
            if c.is_ascii_uppercase() && prev_lower {
                parts.push(std::mem::take(&mut cur));
            }
            prev_lower = c.is_ascii_lowercase() || c.is_ascii_digit();
            cur.push(c.to_ascii_uppercase());
        }
        parts.push(cur);
    }
    parts
}

fn is_secret_word(part: &str) -> bool {
    SECRET_WORDS
        .iter()
        .any(|w| part == *w || part.strip_suffix('S') == Some(w))
}

/// Whether the variable's name says it holds a secret (also used to mask plan output).
pub fn secret_name(name: &str) -> bool {
    let parts = word_parts(name);
    if parts
        .last()
        .is_some_and(|p| POINTER_WORDS.contains(&p.as_str()))
    {
        return false;
    }
    parts.iter().enumerate().any(|(i, p)| {
        let key_attribute =
            (p == "KEY" || p == "KEYS") && i > 0 && KEY_KINDS.contains(&parts[i - 1].as_str());
        is_secret_word(p) && !key_attribute
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_that_hold_secrets() {
        for n in [
            "API_KEY",
            "STRIPE_SECRET",
            "GITHUB_TOKENS",
            "DB_PASSWORD",
            "dbPassword",
            "SMTP_PASSWD",
            "DB_PASS",
            "AWS_CREDENTIALS",
            "PRIVATE_PEM",
        ] {
            assert!(secret_name(n), "{n}");
        }
    }

    #[test]
    fn names_that_do_not() {
        for n in [
            "MONKEY",
            "KEYSPACE",
            "SECRET_NAME",
            "TOKEN_URL",
            "SORT_KEY",
            "PARTITION_KEY",
            "PUBLIC_KEY",
            "API_KEY_HEADER",
            "KMS_KEY_ID",
            "TABLE_NAME",
            "BYPASS",
        ] {
            assert!(!secret_name(n), "{n}");
        }
    }
}
