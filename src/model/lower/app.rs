//! App-wide settings: the spec's version, app name, stages, tags and artifacts bucket in;
//! the chosen [`Stage`] (its region and vars), the tags and the bucket out.

use super::*;

/// The app and stage being lowered, with the stage's settings.
pub(super) struct Stage {
    pub app: String,
    pub stage: String,
    pub region: Option<String>,
    pub vars: Vec<(String, String)>,
    /// `apply --hot` is allowed (the stage's `hot`, default false for `prod`).
    pub hot: bool,
}

/// Check the version and app name and pick the stage (`None`: no stage can be chosen).
pub(super) fn lower_stage(
    l: &mut Lower<'_>,
    raw: &RawSpec,
    stage_arg: Option<&str>,
) -> Option<Stage> {
    if raw.version.value != 1 {
        l.err(
            codes::INVALID_VALUE,
            raw.version.span,
            format!("unsupported spec version {}", raw.version.value),
        )
        .help = Some("this fnplan reads `version: 1`".into());
    }
    let app = lower_app(l, &raw.app);
    let stage = pick_stage(l, raw, stage_arg)?;
    let stage_raw = raw.stages.as_ref().and_then(|s| s.get(&stage));
    let region = stage_raw
        .and_then(|s| s.region.as_ref())
        .map(|r| lower_region(l, r));
    let vars = stage_raw
        .and_then(|s| s.vars.as_ref())
        .map_or_else(Vec::new, |v| lower_vars(l, v));
    let hot = stage_raw
        .and_then(|s| s.hot.as_ref())
        .map_or(stage != "prod", |h| h.value);
    Some(Stage {
        app,
        stage,
        region,
        vars,
        hot,
    })
}

fn lower_app(l: &mut Lower<'_>, app: &Sp<String>) -> String {
    let name = &app.value;
    let ok = name.len() <= 40
        && name.starts_with(|c: char| c.is_ascii_lowercase())
        && name
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-');
    if !ok {
        l.err(
            codes::INVALID_NAME,
            app.span,
            format!("`{name}` is not a valid app name"),
        )
        .help = Some("an app name matches ^[a-z][a-z0-9-]{0,39}$".into());
    }
    name.clone()
}

/// The stage to lower: `stage_arg`, else the only one, else `dev`.
fn pick_stage(l: &mut Lower<'_>, raw: &RawSpec, stage_arg: Option<&str>) -> Option<String> {
    let known = stage_names(raw);
    for (name, _) in named(&raw.stages) {
        l.name(name, "stage");
    }
    let first_span = raw
        .stages
        .as_ref()
        .and_then(|s| s.0.first())
        .map(|(k, _)| k.span);
    let stage = match stage_arg {
        Some(s) => s.to_string(),
        None if known.len() == 1 => known[0].clone(),
        None if known.iter().any(|k| k == DEFAULT_STAGE) => DEFAULT_STAGE.to_string(),
        None => {
            l.err(
                codes::UNKNOWN_STAGE,
                first_span.unwrap_or(raw.span),
                "this spec has several stages and none is named `dev`; choose one",
            )
            .help = Some(format!(
                "pass `--stage NAME` with one of: {}",
                known.join(", ")
            ));
            return None;
        }
    };
    if !known.contains(&stage) {
        let help = match suggest::closest(&stage, known.iter().map(String::as_str)) {
            Some(c) => format!("did you mean `{c}`? known stages: {}", known.join(", ")),
            None => format!("known stages: {}", known.join(", ")),
        };
        l.err(
            codes::UNKNOWN_STAGE,
            first_span.unwrap_or(Span::new(0, 0)),
            format!("unknown stage `{stage}`"),
        )
        .help = Some(help);
        return None;
    }
    Some(stage)
}

fn lower_region(l: &mut Lower<'_>, r: &Sp<String>) -> String {
    let ok = r.value.len() <= 25
        && r.value.split('-').count() >= 3
        && r.value
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-');
    if !ok {
        l.err(
            codes::INVALID_VALUE,
            r.span,
            format!("`{}` is not an AWS region name", r.value),
        )
        .help = Some("regions look like `eu-west-1` or `us-east-1`".into());
    }
    r.value.clone()
}

fn lower_vars(l: &mut Lower<'_>, vars: &Named<Sp<raw::Scalar>>) -> Vec<(String, String)> {
    let mut out = Vec::new();
    for (k, val) in vars.iter() {
        if !k
            .value
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '_')
            || k.value.is_empty()
        {
            l.err(
                codes::INVALID_NAME,
                k.span,
                format!("`{}` is not a valid variable name", k.value),
            )
            .help = Some("variable names use letters, digits and `_`".into());
        }
        out.push((k.value.clone(), val.value.0.clone()));
    }
    out
}

/// The spec's `tags`: keys checked, values with `${app}`, `${stage}`, `${var.NAME}` filled in.
pub(super) fn lower_tags(
    l: &mut Lower<'_>,
    raw: &RawSpec,
    scope: &RefScope<'_>,
) -> Vec<(String, String)> {
    let mut tags = Vec::new();
    for (k, v) in named(&raw.tags) {
        if k.value.is_empty() || k.value.len() > 128 || k.value.starts_with("aws:") {
            l.err(
                codes::INVALID_VALUE,
                k.span,
                format!("`{}` is not a valid tag key", k.value),
            )
            .help = Some("tag keys are 1..128 characters and may not start with `aws:`".into());
        }
        let value = l.interp(&v.value, v.span, scope);
        match value.as_literal() {
            Some(s) if s.len() <= 256 => tags.push((k.value.clone(), s)),
            Some(_) => {
                l.err(
                    codes::OUT_OF_RANGE,
                    v.span,
                    "a tag value is at most 256 characters",
                );
            }
            None => {
                l.err(
                    codes::INVALID_VALUE,
                    v.span,
                    "tag values may use `${app}`, `${stage}` and `${var.NAME}` only",
                );
            }
        }
    }
    tags
}

/// `artifacts.bucket`, checked against S3's bucket naming rules.
pub(super) fn lower_artifacts(l: &mut Lower<'_>, a: &raw::RawArtifacts) -> (String, Span) {
    if let Err(why) = check_bucket_name(&a.bucket.value) {
        l.err(
            codes::INVALID_NAME,
            a.bucket.span,
            format!("`{}` is not a valid S3 bucket name: {why}", a.bucket.value),
        )
        .help = Some(
            "bucket names are 3..63 lowercase letters, digits, `-` and `.`, starting and ending with a letter or digit"
                .into(),
        );
    }
    (a.bucket.value.clone(), a.bucket.span)
}
