//! Secrets in environment values: an environment variable (its name and its value with
//! stage variables resolved) in, whether it holds a secret, what kind, and a masked form
//! safe to print out. Lint's FN203 reports these and FN104 counts them as external API
//! keys; plans mask them.

use super::{EnvVar, Part, RefTarget, secret_name};

/// What replaces a secret in messages.
pub const MASK: &str = "****";

/// Stands for a part of a value that is not known before deployment (`${table.t.arn}`):
/// not a token character, so no secret is found across it.
const UNKNOWN: char = '\u{fffd}';

/// A secret found in an environment variable's value.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SecretValue {
    /// What it is, for a message: `a Slack token`, `a password in a URL`.
    pub what: &'static str,
    /// The value with the secret replaced by `****`: `xoxb-****`,
    /// `https://hooks.slack.com/services/****`.
    pub masked: String,
    /// The stage variables the value came from (`${var.NAME}` in the written value).
    pub vars: Vec<String>,
}

/// The value of `e` as it will be deployed, with stage variables, `${app}` and `${stage}`
/// filled in and every other reference replaced by a placeholder.
pub fn resolved(e: &EnvVar) -> String {
    e.value
        .parts
        .iter()
        .map(|p| match p {
            Part::Lit(s) => s.clone(),
            _ => UNKNOWN.to_string(),
        })
        .collect()
}

/// Whether the value passes a `${secret.NAME.name}` reference (the right way to hand a
/// function a secret: its name, not its value).
pub fn names_a_secret(e: &EnvVar) -> bool {
    e.value
        .refs()
        .any(|r| matches!(r.target, RefTarget::Res(id) if id.kind == super::Kind::Secret))
}

/// The `${var.NAME}` references written in a value, in order.
fn var_refs(written: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut rest = written;
    while let Some(i) = rest.find("${") {
        let after = &rest[i + 2..];
        let Some(end) = after.find('}') else { break };
        if let Some(name) = after[..end].trim().strip_prefix("var.") {
            out.push(name.to_string());
        }
        rest = &after[end + 1..];
    }
    out
}

/// Whether every `${...}` in the written value is a stage variable (so the resolved
/// value is text written in the spec, just elsewhere).
fn only_var_refs(written: &str) -> bool {
    written.matches("${").count() == var_refs(written).len()
}

/// The secret `e` holds, if any: a value of a known secret shape (whatever the name), or
/// a literal value of a variable whose name says it is a secret.
pub fn env_secret(e: &EnvVar) -> Option<SecretValue> {
    if names_a_secret(e) {
        return None;
    }
    let value = resolved(e);
    let vars = var_refs(&e.written);
    if let Some((what, masked)) = secret_shape(&value) {
        return Some(SecretValue { what, masked, vars });
    }
    let literal = only_var_refs(&e.written) && !value.contains(UNKNOWN);
    (literal && secret_name(&e.name) && !obviously_not_secret(&value)).then(|| SecretValue {
        what: "a literal value that looks like a secret",
        masked: MASK.to_string(),
        vars,
    })
}

/// Values that are plainly not secrets: names, paths, ARNs, flags, numbers.
pub fn obviously_not_secret(value: &str) -> bool {
    let v = value.trim();
    let url_without_password = ["https://", "http://"].iter().any(|s| {
        v.strip_prefix(s)
            .is_some_and(|rest| !rest.split('/').next().unwrap_or("").contains('@'))
    });
    v.is_empty()
        || v.starts_with('/')
        || v.starts_with("arn:")
        || v.starts_with("alias/")
        || url_without_password
        || matches!(
            v.to_ascii_lowercase().as_str(),
            "true" | "false" | "yes" | "no" | "on" | "off" | "none" | "null"
        )
        || (v.len() <= 10 && v.chars().all(|c| c.is_ascii_digit()))
}

/// Token prefixes of well-known providers, with what they are.
const TOKEN_PREFIXES: &[(&str, &str)] = &[
    ("xoxb-", "a Slack bot token"),
    ("xoxp-", "a Slack user token"),
    ("xoxa-", "a Slack token"),
    ("xoxr-", "a Slack refresh token"),
    ("xoxs-", "a Slack token"),
    ("xapp-", "a Slack app token"),
    ("sk_live_", "a Stripe secret key"),
    ("rk_live_", "a Stripe restricted key"),
    ("sk_test_", "a Stripe test secret key"),
    ("ghp_", "a GitHub token"),
    ("gho_", "a GitHub OAuth token"),
    ("ghu_", "a GitHub token"),
    ("ghs_", "a GitHub token"),
    ("github_pat_", "a GitHub token"),
    ("glpat-", "a GitLab token"),
    ("npm_", "an npm token"),
    ("sk-proj-", "an OpenAI API key"),
    ("sk-ant-", "an Anthropic API key"),
    ("SG.", "a SendGrid API key"),
];

/// Query parameters whose value is a credential when it is long enough.
const SECRET_PARAMS: &[&str] = &[
    "token",
    "access_token",
    "auth",
    "key",
    "api_key",
    "apikey",
    "api-key",
    "code",
    "sig",
    "signature",
    "secret",
    "client_secret",
    "password",
];

/// Characters a token is made of.
fn token_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.' | '=' | '+' | '/' | '%')
}

/// A value of a known secret shape: what it is and the value masked.
pub fn secret_shape(value: &str) -> Option<(&'static str, String)> {
    let v = value.trim();
    if let Some(found) = url_secret(v) {
        return Some(found);
    }
    if v.contains("-----BEGIN") && v.contains("PRIVATE KEY") {
        return Some(("a private key", "-----BEGIN ... PRIVATE KEY-----".into()));
    }
    for (prefix, what) in TOKEN_PREFIXES {
        if let Some(rest) = v.strip_prefix(prefix)
            && rest.chars().take_while(|c| token_char(*c)).count() >= 10
        {
            return Some((what, format!("{prefix}{MASK}")));
        }
    }
    aws_access_key(v).then(|| ("an AWS access key ID", format!("{}{MASK}", &v[..4])))
}

/// `AKIA` or `ASIA` and 16 upper-case letters or digits.
fn aws_access_key(v: &str) -> bool {
    v.len() == 20
        && (v.starts_with("AKIA") || v.starts_with("ASIA"))
        && v.chars()
            .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit())
}

/// The parts of a URL that matter here.
struct Url<'a> {
    scheme: &'a str,
    userinfo: Option<&'a str>,
    host: &'a str,
    path: &'a str,
    query: &'a str,
}

fn parse_url(v: &str) -> Option<Url<'_>> {
    let (scheme, rest) = v.split_once("://")?;
    if scheme.is_empty()
        || !scheme
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '+' | '-' | '.'))
    {
        return None;
    }
    let end = rest.find(['/', '?', '#']).unwrap_or(rest.len());
    let (authority, tail) = rest.split_at(end);
    let (userinfo, host) = match authority.rsplit_once('@') {
        Some((u, h)) => (Some(u), h),
        None => (None, authority),
    };
    let tail = tail.split('#').next().unwrap_or("");
    let (path, query) = tail.split_once('?').unwrap_or((tail, ""));
    Some(Url {
        scheme,
        userinfo,
        host,
        path,
        query,
    })
}

/// Credentials in a URL: a password, a webhook's secret path, a token in the query.
fn url_secret(v: &str) -> Option<(&'static str, String)> {
    let u = parse_url(v)?;
    let origin = format!("{}://{}", u.scheme, u.host);
    if let Some(info) = u.userinfo {
        match info.split_once(':') {
            Some((user, pw)) if !pw.is_empty() => {
                let masked = format!("{}://{user}:{MASK}@{}", u.scheme, u.host);
                return Some(("a password in a URL", masked));
            }
            None if info.len() >= 16 => {
                let masked = format!("{}://{MASK}@{}", u.scheme, u.host);
                return Some(("a token in a URL", masked));
            }
            _ => {}
        }
    }
    if let Some((what, kept)) = webhook(u.host, u.path) {
        let segments: Vec<&str> = u.path.split('/').filter(|s| !s.is_empty()).collect();
        let kept = segments[..kept.min(segments.len())].join("/");
        return Some((what, format!("{origin}/{kept}/{MASK}")));
    }
    let param = u.query.split('&').find_map(|kv| {
        let (k, val) = kv.split_once('=')?;
        let k = k.to_ascii_lowercase();
        (SECRET_PARAMS.contains(&k.as_str()) && random_looking(val)).then_some(k)
    })?;
    Some((
        "a credential in a URL's query",
        format!("{origin}{}?{param}={MASK}", u.path),
    ))
}

/// Webhook URLs whose path is the credential: what they are and how many leading path
/// segments are not secret (`/services/` of a Slack webhook).
fn webhook(host: &str, path: &str) -> Option<(&'static str, usize)> {
    let host = host.to_ascii_lowercase();
    let segments = path.split('/').filter(|s| !s.is_empty()).count();
    if host == "hooks.slack.com" && segments >= 2 {
        return Some(("a Slack webhook URL", 1));
    }
    let discord = ["discord.com", "discordapp.com"]
        .iter()
        .any(|d| host == *d || host.ends_with(&format!(".{d}")));
    if discord && path.starts_with("/api/webhooks/") && segments >= 4 {
        return Some(("a Discord webhook URL", 2));
    }
    let teams = host.ends_with(".webhook.office.com")
        || (host == "outlook.office.com" && path.starts_with("/webhook"));
    (teams && segments >= 2).then_some(("a Microsoft Teams webhook URL", 1))
}

/// A query value long and varied enough to be a credential, not a word or a flag.
fn random_looking(v: &str) -> bool {
    v.len() >= 16
        && v.chars().all(token_char)
        && v.chars().any(|c| c.is_ascii_digit())
        && v.chars().any(|c| c.is_ascii_alphabetic())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn shape(v: &str) -> Option<String> {
        secret_shape(v).map(|(_, m)| m)
    }

    #[test]
    fn values_that_are_plainly_not_secrets() {
        for v in [
            "",
            " ",
            "/orders/stripe-key",
            "arn:aws:secretsmanager:eu-west-1:1:secret:x",
            "https://auth.example.com/token",
            "true",
            "3600",
        ] {
            assert!(obviously_not_secret(v), "{v:?}");
        }
        for v in [
            "sk_live_51Habc",
            "hunter2",
            "https://user:pw@db.example.com/x",
            "12345678901",
        ] {
            assert!(!obviously_not_secret(v), "{v:?}");
        }
    }

    #[test]
    fn secrets_by_shape_are_masked() {
        let cases = [
            ("xoxb-1234567890-abcdefghij", "xoxb-****"),
            ("sk_live_51HxQfake0000abcd", "sk_live_****"),
            ("ghp_0123456789abcdefghij", "ghp_****"),
            ("AKIAIOSFODNN7EXAMPLE", "AKIA****"),
            (
                "https://hooks.slack.com/services/T000/B000/XXXXXXXX",
                "https://hooks.slack.com/services/****",
            ),
            (
                "https://discord.com/api/webhooks/123456/abcDEF-token",
                "https://discord.com/api/webhooks/****",
            ),
            (
                "https://acme.webhook.office.com/webhookb2/abc@def/IncomingWebhook/x/y",
                "https://acme.webhook.office.com/webhookb2/****",
            ),
            (
                "postgres://app:hunter2@db.internal:5432/orders",
                "postgres://app:****@db.internal:5432",
            ),
            (
                "https://api.example.com/v1/feed?format=json&token=a1b2c3d4e5f6a7b8c9d0",
                "https://api.example.com/v1/feed?token=****",
            ),
        ];
        for (v, masked) in cases {
            assert_eq!(shape(v).as_deref(), Some(masked), "{v}");
        }
    }

    #[test]
    fn plain_urls_and_words_are_not_secrets() {
        for v in [
            "https://api.example.com/v1",
            "https://api.example.com/v1?key=name&token=short",
            "https://api.example.com/v1?page=a1b2c3d4e5f6a7b8c9d0",
            "postgres://app@db.internal/orders",
            "https://hooks.slack.com/",
            "https://discord.com/api/webhooks",
            "xoxb-",
            "xoxb-short",
            "AKIA-not-a-key",
            "info",
            "sk_live_\u{fffd}",
        ] {
            assert_eq!(shape(v), None, "{v}");
        }
    }

    #[test]
    fn var_references_are_listed() {
        assert_eq!(var_refs("${var.a}-${stage}-${var.b}"), ["a", "b"]);
        assert!(only_var_refs("${var.a}/x"));
        assert!(!only_var_refs("${var.a}/${table.t.name}"));
        assert!(only_var_refs("plain"));
    }
}
