//! Lowering the HTTP API: routes, authorizers and CORS in, an `Api` out.

use super::*;

pub(super) fn lower_api(
    l: &mut Lower<'_>,
    names: &Names<'_>,
    scope: &RefScope<'_>,
    a: &raw::RawApi,
    spec_span: Span,
) -> Api {
    let mut authorizers = Vec::new();
    for (name, z) in named(&a.authorizers) {
        authorizers.extend(lower_authorizer(l, (names, scope), name, z));
    }
    let mut routes = Vec::new();
    for (key, r) in named(&a.routes) {
        routes.extend(lower_route(l, names, a, &authorizers, key, r));
    }
    let cors = a
        .cors
        .as_ref()
        .map(|c| lower_cors(l, c, &routes, spec_span));
    Api {
        span: spec_span,
        cors,
        authorizers,
        routes,
    }
}

/// One authorizer (`None` when it is invalid, already reported).
fn lower_authorizer(
    l: &mut Lower<'_>,
    (names, scope): (&Names<'_>, &RefScope<'_>),
    name: &Sp<String>,
    z: &raw::RawAuthorizer,
) -> Option<Authorizer> {
    l.name(name, "authorizer");
    if matches!(name.value.as_str(), "iam" | "none") {
        l.err(
            codes::INVALID_NAME,
            name.span,
            format!(
                "`{}` is a route `auth` value of its own, not an authorizer name",
                name.value
            ),
        )
        .help = Some("rename the authorizer".into());
    }
    let identity: Vec<String> = match &z.identity {
        Some(i) => {
            if !i.value.starts_with("$request.")
                && !i.value.starts_with("$context.")
                && !i.value.starts_with("$stageVariables.")
            {
                l.err(
                    codes::INVALID_VALUE,
                    i.span,
                    format!("`{}` is not an identity source", i.value),
                )
                .help = Some("write e.g. `$request.header.Authorization`".into());
            }
            vec![i.value.clone()]
        }
        None => vec!["$request.header.Authorization".to_string()],
    };
    let kind = match (&z.jwt, &z.function) {
        (Some(j), None) => Some(jwt_authorizer(l, scope, name, j, z)),
        (None, Some(fname)) => {
            let function = names.resolve(l, Kind::Function, fname)?;
            Some(AuthorizerKind::Lambda {
                function,
                function_span: fname.span,
                cache_ttl: z
                    .cache_ttl
                    .as_ref()
                    .map_or(0, |t| l.dur_range(t, 0, 3600, "cache_ttl").value),
            })
        }
        (Some(_), Some(f)) => {
            l.err(
                codes::INVALID_VALUE,
                f.span,
                "an authorizer is either `jwt` or `function`, not both",
            );
            None
        }
        (None, None) => {
            l.err(
                codes::MISSING_FIELD,
                name.span,
                format!(
                    "authorizer `{}` needs `jwt: {{ issuer, audience }}` or `function: NAME`",
                    name.value
                ),
            );
            None
        }
    };
    Some(Authorizer {
        name: name.value.clone(),
        name_span: name.span,
        kind: kind?,
        identity,
    })
}

fn jwt_authorizer(
    l: &mut Lower<'_>,
    scope: &RefScope<'_>,
    name: &Sp<String>,
    j: &raw::RawJwt,
    z: &raw::RawAuthorizer,
) -> AuthorizerKind {
    // `https://cognito-idp.${region}.amazonaws.com/${var.pool}`: references resolve.
    let issuer = l.interp(&j.issuer.value, j.issuer.span, scope);
    let https = matches!(issuer.parts.first(), Some(Part::Lit(t)) if t.starts_with("https://"));
    if !https {
        l.err(
            codes::INVALID_VALUE,
            j.issuer.span,
            "a JWT issuer is an `https://` URL",
        );
    }
    if j.audience.is_empty() {
        l.err(
            codes::MISSING_FIELD,
            name.span,
            "a JWT authorizer needs at least one `audience`",
        );
    }
    if let Some(t) = &z.cache_ttl {
        l.err(
            codes::INVALID_VALUE,
            t.span,
            "`cache_ttl` applies to Lambda authorizers only",
        );
    }
    AuthorizerKind::Jwt {
        issuer,
        audience: j
            .audience
            .iter()
            .map(|a| l.interp(&a.value, a.span, scope))
            .collect(),
    }
}

/// One route (`None` when its function is unknown, already reported).
fn lower_route(
    l: &mut Lower<'_>,
    names: &Names<'_>,
    a: &raw::RawApi,
    authorizers: &[Authorizer],
    key: &Sp<String>,
    r: &raw::RawRoute,
) -> Option<Route> {
    let (method, path) = parse_route_key(l, key);
    let function = names.resolve(l, Kind::Function, &r.function);
    let auth = match &r.auth {
        None => RouteAuth::Unset,
        Some(x) if x.value == "none" => RouteAuth::Public(x.span),
        Some(x) if x.value == "iam" => RouteAuth::Iam(x.span),
        Some(x) => match authorizers.iter().position(|z| z.name == x.value) {
            Some(i) => RouteAuth::Authorizer(i, x.span),
            None => {
                unknown_authorizer(l, a, x);
                RouteAuth::Unset
            }
        },
    };
    let lint_ignore = l.lint_ignore(&r.lint_ignore);
    Some(Route {
        key: key.value.clone(),
        key_span: key.span,
        method,
        path,
        function: function?,
        function_span: r.function.span,
        auth,
        lint_ignore,
    })
}

/// `auth: NAME` names no valid authorizer: an error, unless the authorizer is declared
/// but invalid (already reported).
fn unknown_authorizer(l: &mut Lower<'_>, a: &raw::RawApi, x: &Sp<String>) {
    let names: Vec<&str> = named(&a.authorizers)
        .iter()
        .map(|(n, _)| n.value.as_str())
        .collect();
    if names.contains(&x.value.as_str()) {
        return;
    }
    let help = suggest::hint(&x.value, names.iter().copied().chain(["none"])).or(Some(
        "declare it under `api.authorizers`, or write `auth: none` for a public route".into(),
    ));
    l.err(
        codes::UNKNOWN_REFERENCE,
        x.span,
        format!("no authorizer named `{}`", x.value),
    )
    .help = help;
}

fn lower_cors(l: &mut Lower<'_>, c: &raw::RawCors, routes: &[Route], spec_span: Span) -> Cors {
    let origins: Vec<String> = c
        .origins
        .iter()
        .flatten()
        .map(|o| o.value.clone())
        .collect();
    if origins.is_empty() {
        l.err(
            codes::MISSING_FIELD,
            spec_span,
            "`api.cors` needs `origins`",
        )
        .help = Some("e.g. `cors: { origins: [\"https://app.example.com\"] }`".into());
    }
    let mut methods: Vec<String> = match &c.methods {
        Some(m) => m.iter().map(|m| m.value.to_ascii_uppercase()).collect(),
        None => {
            let mut m: Vec<String> = routes.iter().filter_map(|r| r.method.clone()).collect();
            if m.iter().any(|x| x == "ANY") {
                m = vec!["*".to_string()];
            }
            m
        }
    };
    methods.sort();
    methods.dedup();
    for m in c.methods.iter().flatten() {
        let up = m.value.to_ascii_uppercase();
        if up != "*" && !METHODS.contains(&up.as_str()) {
            l.err(
                codes::INVALID_VALUE,
                m.span,
                format!("`{}` is not an HTTP method", m.value),
            );
        }
    }
    Cors {
        span: c.span,
        origins,
        methods,
        headers: match &c.headers {
            Some(h) => h.iter().map(|h| h.value.clone()).collect(),
            None => vec!["authorization".into(), "content-type".into()],
        },
        expose_headers: c
            .expose_headers
            .iter()
            .flatten()
            .map(|h| h.value.clone())
            .collect(),
        credentials: c.credentials.as_ref().map(|c| c.value),
        max_age: c
            .max_age
            .as_ref()
            .map(|m| l.dur_range(m, 0, 86_400, "max_age").value),
    }
}

fn parse_route_key(l: &mut Lower<'_>, key: &Sp<String>) -> (Option<String>, Option<String>) {
    let k = key.value.trim();
    if k == "$default" {
        return (None, None);
    }
    let Some((method, path)) = k.split_once(' ') else {
        l.err(
            codes::INVALID_VALUE,
            key.span,
            format!("`{k}` is not a route key"),
        )
        .help = Some("write `METHOD /path`, e.g. `GET /orders/{id}`, or `$default`".into());
        return (None, None);
    };
    let path = path.trim();
    if !METHODS.contains(&method) {
        let help = suggest::hint(method, METHODS.iter().copied());
        l.err(
            codes::INVALID_VALUE,
            key.span,
            format!("`{method}` is not an HTTP method"),
        )
        .help = help;
    }
    let segs: Vec<&str> = path.split('/').skip(1).collect();
    let valid_seg = |s: &str, last: bool| -> bool {
        if let Some(p) = s.strip_prefix('{').and_then(|s| s.strip_suffix('}')) {
            let p = if last {
                p.strip_suffix('+').unwrap_or(p)
            } else {
                p
            };
            !p.is_empty()
                && p.chars()
                    .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-')
        } else {
            !s.is_empty()
                && s.chars()
                    .all(|c| c.is_ascii_alphanumeric() || "-_.~".contains(c))
        }
    };
    let ok = path.starts_with('/')
        && (path == "/"
            || segs
                .iter()
                .enumerate()
                .all(|(i, s)| valid_seg(s, i + 1 == segs.len())));
    if !ok {
        l.err(
            codes::INVALID_VALUE,
            key.span,
            format!("`{path}` is not a valid route path"),
        )
        .help = Some(
            "paths start with `/`; parameters are `{name}`, a greedy last one `{name+}`".into(),
        );
    }
    (Some(method.to_string()), Some(path.to_string()))
}
