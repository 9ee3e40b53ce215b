//! Lowering proper: `RawSpec` + stage in, `Model` + diagnostics out.

use super::date::Date;
use super::ids;
use super::refs::{RefScope, parse_interp};
use super::types::*;
use crate::diagnostic::{Code, Diagnostic};
use crate::source::{SourceFile, Span};
use crate::spec::raw::{self, RawSpec};
use crate::spec::{Named, Sp, codes};
use crate::suggest;

mod api;
mod app;
mod checks;
mod database;
mod existing;
mod fixed_names;
mod function;
mod layers;
mod names;
mod raw_cfn;
mod resources;
mod triggers;

use api::lower_api;
use app::{Stage, lower_artifacts, lower_stage, lower_tags};
use checks::{check_env_cycles, check_logical_ids};
use database::lower_database;
pub use function::check_bucket_name;
use function::{FnCx, lower_function};
use names::Names;
use resources::{
    check_renames, default_bus, lower_bucket, lower_bus, lower_queue, lower_secret, lower_table,
    lower_topic,
};

pub const DEFAULT_STAGE: &str = "dev";
pub const DEFAULT_VISIBILITY: u64 = 30;
pub const DEFAULT_RETENTION: u64 = 345_600;
pub const DEFAULT_DLQ_RETENTION: u64 = 1_209_600;
pub const DEFAULT_MAX_RECEIVE: u32 = 5;

/// CloudWatch Logs retention values (days).
pub const LOG_RETENTION_DAYS: &[u32] = &[
    1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922,
    3288, 3653,
];

const RESERVED_ENV: &[&str] = &[
    "_HANDLER",
    "_X_AMZN_TRACE_ID",
    "AWS_DEFAULT_REGION",
    "AWS_REGION",
    "AWS_EXECUTION_ENV",
    "AWS_LAMBDA_FUNCTION_NAME",
    "AWS_LAMBDA_FUNCTION_MEMORY_SIZE",
    "AWS_LAMBDA_FUNCTION_VERSION",
    "AWS_LAMBDA_INITIALIZATION_TYPE",
    "AWS_LAMBDA_LOG_GROUP_NAME",
    "AWS_LAMBDA_LOG_STREAM_NAME",
    "AWS_ACCESS_KEY",
    "AWS_ACCESS_KEY_ID",
    "AWS_SECRET_ACCESS_KEY",
    "AWS_SESSION_TOKEN",
    "AWS_LAMBDA_RUNTIME_API",
    "LAMBDA_TASK_ROOT",
    "LAMBDA_RUNTIME_DIR",
];

const METHODS: &[&str] = &[
    "GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS", "ANY",
];

/// The stages a spec declares (`dev` when it declares none).
pub fn stage_names(raw: &RawSpec) -> Vec<String> {
    match &raw.stages {
        Some(s) if !s.is_empty() => s.names().map(str::to_string).collect(),
        _ => vec![DEFAULT_STAGE.to_string()],
    }
}

struct Lower<'a> {
    file: &'a SourceFile,
    diags: Vec<Diagnostic>,
    /// The lint rule codes `lint_ignore` may name (the lint stage's, handed in).
    rule_codes: &'a [&'static str],
    /// The day it is: runtime suggestions name only runtimes current on it.
    today: Date,
}

impl Lower<'_> {
    fn err(&mut self, code: Code, span: Span, msg: impl Into<String>) -> &mut Diagnostic {
        self.diags.push(Diagnostic::error(code, msg).at(span));
        self.diags.last_mut().expect("pushed")
    }

    /// `v` as a written setting, with an error when it is outside `min..=max`.
    fn range<T: PartialOrd + std::fmt::Display + Copy>(
        &mut self,
        v: &Sp<T>,
        min: T,
        max: T,
        what: &str,
        unit: &str,
    ) -> Setting<T> {
        if v.value < min || v.value > max {
            self.err(
                codes::OUT_OF_RANGE,
                v.span,
                format!(
                    "{what} {}{unit} is out of range ({min}..{max}{unit})",
                    v.value
                ),
            );
        }
        Setting::written(v.value, v.span)
    }

    fn dur_range(&mut self, v: &Sp<raw::Duration>, min: u64, max: u64, what: &str) -> Setting<u64> {
        if v.value.0 < min || v.value.0 > max {
            self.err(
                codes::OUT_OF_RANGE,
                v.span,
                format!(
                    "{what} of {} is out of range ({}..{})",
                    human_secs(v.value.0),
                    human_secs(min),
                    human_secs(max)
                ),
            );
        }
        Setting::written(v.value.0, v.span)
    }

    fn name(&mut self, name: &Sp<String>, what: &str) -> bool {
        let n = &name.value;
        let ok = n.len() <= 64
            && n.starts_with(|c: char| c.is_ascii_lowercase())
            && !n.ends_with('-')
            && n.chars()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-');
        if !ok {
            self.err(codes::INVALID_NAME, name.span, format!("`{n}` is not a valid {what} name"))
                .help = Some("names start with a lowercase letter and use lowercase letters, digits and `-` (at most 64, not ending in `-`)".into());
        }
        ok
    }

    fn lint_ignore(&mut self, list: &Option<Vec<Sp<String>>>) -> Vec<(Code, Span)> {
        let mut out = Vec::new();
        for c in list.iter().flatten() {
            let known = self
                .rule_codes
                .iter()
                .find(|k| k.eq_ignore_ascii_case(c.value.trim()));
            match known {
                Some(code) => out.push((Code(code), c.span)),
                None => {
                    let help = suggest::hint(&c.value, self.rule_codes.iter().copied());
                    self.err(
                        codes::INVALID_VALUE,
                        c.span,
                        format!("`{}` is not a lint rule code", c.value),
                    )
                    .help = help.or(Some("run `fnplan rules` to list them".into()));
                }
            }
        }
        out
    }

    /// `text` (written at `span`) split into literal parts and checked references.
    fn interp(&mut self, text: &str, span: Span, scope: &RefScope<'_>) -> Interp {
        parse_interp(text, span, self.file, scope, &mut self.diags)
    }
}

pub(super) fn human_secs(s: u64) -> String {
    if s >= 86400 && s.is_multiple_of(86400) {
        format!("{}d", s / 86400)
    } else if s >= 3600 && s.is_multiple_of(3600) {
        format!("{}h", s / 3600)
    } else if s >= 60 && s.is_multiple_of(60) {
        format!("{}m", s / 60)
    } else {
        format!("{s}s")
    }
}

fn named<V>(n: &Option<Named<V>>) -> &[(Sp<String>, V)] {
    n.as_ref().map_or(&[], |n| n.0.as_slice())
}

/// What lowering needs besides the spec.
#[derive(Clone, Copy, Debug)]
pub struct LowerOptions<'a> {
    /// The stage to lower (`None`: the spec's only stage, or `dev`).
    pub stage: Option<&'a str>,
    /// The lint rule codes `lint_ignore` may name (`lint::rule_codes()`; the model does
    /// not know the lint stage).
    pub rule_codes: &'a [&'static str],
    /// The day it is (UTC): an unknown runtime's suggestion is a runtime current on it.
    pub today: Date,
}

/// Lower `raw` for one stage.
pub fn lower(
    raw: &RawSpec,
    file: &SourceFile,
    o: &LowerOptions<'_>,
) -> (Option<Model>, Vec<Diagnostic>) {
    let mut l = Lower {
        file,
        diags: Vec::new(),
        rule_codes: o.rule_codes,
        today: o.today,
    };
    let model = lower_inner(&mut l, raw, o.stage);
    let mut diags = l.diags;
    crate::diagnostic::sort(&mut diags);
    if diags.iter().any(|d| d.is_error()) {
        (None, diags)
    } else {
        (model, diags)
    }
}

/// Every function, after `defaults.function.layers` is checked (once).
fn lower_functions(l: &mut Lower<'_>, cx: &FnCx<'_>, raw: &RawSpec) -> Vec<Function> {
    if let Some(list) = cx.defaults.and_then(|d| d.layers.as_deref()) {
        layers::check_default_layers(l, cx, list);
    }
    lower_each(l, &raw.functions, |l, n, f| lower_function(l, cx, n, f))
}

/// The app's data resources and layers, lowered before its functions.
struct Data {
    queues: Vec<Queue>,
    tables: Vec<Table>,
    buckets: Vec<Bucket>,
    topics: Vec<Topic>,
    secrets: Vec<Secret>,
    layers: Vec<Layer>,
    buses: Vec<Bus>,
    databases: Vec<Database>,
}

fn lower_data(
    l: &mut Lower<'_>,
    raw: &RawSpec,
    ncx: &fixed_names::NameCx<'_>,
    region_len: usize,
) -> Data {
    let queues = lower_each(l, &raw.queues, |l, n, q| lower_queue(l, ncx, n, q));
    let tables = lower_each(l, &raw.tables, |l, n, t| lower_table(l, ncx, n, t));
    let buckets = lower_each(l, &raw.buckets, |l, n, b| {
        lower_bucket(l, ncx, region_len, n, b)
    });
    let topics = lower_each(l, &raw.topics, |l, n, t| lower_topic(l, ncx, n, t));
    check_renames(l, &queues, &tables, &buckets);
    let secrets = lower_each(l, &raw.secrets, |l, n, s| lower_secret(l, ncx, n, s));
    let layers = lower_each(l, &raw.layers, |l, n, x| {
        layers::lower_layer(l, ncx.prefix, n, x)
    });
    let buses = lower_each(l, &raw.buses, |l, n, b| lower_bus(l, ncx, n, b));
    let databases = lower_each(l, &raw.databases, |l, n, d| lower_database(l, ncx, n, d));
    Data {
        queues,
        tables,
        buckets,
        topics,
        secrets,
        layers,
        buses,
        databases,
    }
}

fn lower_inner(l: &mut Lower<'_>, raw: &RawSpec, stage_arg: Option<&str>) -> Option<Model> {
    let Stage {
        app,
        stage,
        region,
        vars,
        hot,
    } = lower_stage(l, raw, stage_arg)?;
    // Names of everything, checked first so references can be resolved.
    let names = Names::new(l, raw);
    let prefix = format!("{app}-{stage}");
    let ncx = fixed_names::NameCx {
        prefix: &prefix,
        app: &app,
        stage: &stage,
        vars: &vars,
    };
    let region_len = region.as_ref().map_or(14, String::len);
    let Data {
        queues,
        tables,
        buckets,
        topics,
        secrets,
        layers,
        mut buses,
        databases,
    } = lower_data(l, raw, &ncx, region_len);

    let has_api = raw
        .api
        .as_ref()
        .is_some_and(|a| a.routes.as_ref().is_some_and(|r| !r.is_empty()));
    let name_fn = |k: Kind| names.list(k);
    let lookup = |k: Kind, name: &str| names.lookup(k, name);
    let stream_fn = |t: &str| tables.iter().any(|x| x.name == t && x.stream.is_some());
    let db_name_fn = |d: &str| {
        databases
            .iter()
            .any(|x| x.name == d && x.database_name.is_some())
    };
    let scope = RefScope {
        app: &app,
        stage: &stage,
        vars: &vars,
        names: &name_fn,
        lookup: &lookup,
        has_api,
        table_has_stream: &stream_fn,
        database_has_name: &db_name_fn,
    };
    let tags = lower_tags(l, raw, &scope);

    let cx = FnCx {
        defaults: raw.defaults.as_ref().and_then(|d| d.function.as_ref()),
        prefix: &prefix,
        scope: &scope,
        names: &names,
        queues: &queues,
        tables: &tables,
        topics: &topics,
        buckets: &buckets,
        layers: &layers,
    };
    let functions = lower_functions(l, &cx, raw);
    let api = raw
        .api
        .as_ref()
        .map(|a| lower_api(l, &names, &scope, a, raw.span));
    let (lint_ignore, account_concurrency) = lower_lint(l, raw);
    let lint_settings = lower_lint_settings(l, raw);
    let artifact_bucket = raw.artifacts.as_ref().map(|a| lower_artifacts(l, a));
    if names.default_bus_used() {
        buses.push(default_bus(raw.app.span));
    }
    let raw_resources = lower_each(l, &raw.resources, |l, n, r| {
        raw_cfn::lower_resource(l, &scope, n, r)
    });
    let raw_outputs = lower_each(l, &raw.outputs, |l, n, o| {
        raw_cfn::lower_output(l, &scope, n, o)
    });
    let model = Model {
        app: app.clone(),
        app_span: raw.app.span,
        stage: stage.clone(),
        stack_name: prefix,
        region,
        hot,
        tags,
        api,
        layers,
        functions,
        queues,
        tables,
        buckets,
        topics,
        secrets,
        buses,
        databases,
        lint_ignore,
        account_concurrency,
        lint_settings,
        artifact_bucket,
        raw_resources: raw_resources.into_iter().flatten().collect(),
        raw_outputs,
    };
    check_env_cycles(l, &model);
    check_logical_ids(l, &model);
    Some(model)
}

/// The `lint:` section: codes ignored app-wide, and the account's concurrency (FN304).
fn lower_lint(l: &mut Lower<'_>, raw: &RawSpec) -> (Vec<(Code, Span)>, Setting<u32>) {
    let lint_ignore = l.lint_ignore(&raw.lint.as_ref().and_then(|x| x.ignore.clone()));
    let account_concurrency = match raw
        .lint
        .as_ref()
        .and_then(|x| x.account_concurrency.as_ref())
    {
        Some(v) => l.range(v, 1, 10_000_000, "account concurrency", ""),
        None => Setting::default(crate::limits::ACCOUNT_CONCURRENCY),
    };
    (lint_ignore, account_concurrency)
}

/// The `lint:` section's rule thresholds (FN117, FN305), defaults where not written.
fn lower_lint_settings(l: &mut Lower<'_>, raw: &RawSpec) -> LintSettings {
    let mut s = LintSettings::default();
    let Some(lint) = raw.lint.as_ref() else {
        return s;
    };
    if let Some(v) = &lint.max_routes_per_function {
        s.max_routes_per_function = l.range(v, 1, 10_000, "max_routes_per_function", "");
    }
    if let Some(v) = &lint.max_source_kinds {
        s.max_source_kinds = l.range(v, 1, 100, "max_source_kinds", "");
    }
    if let Some(v) = &lint.code_size_warning_mb {
        s.code_size_warning_mb = l.range(v, 1, 250, "code_size_warning_mb", " MB");
    }
    s
}

/// Lower every element of one kind, in spec order.
fn lower_each<V, T>(
    l: &mut Lower<'_>,
    list: &Option<Named<V>>,
    mut one: impl FnMut(&mut Lower<'_>, &Sp<String>, &V) -> T,
) -> Vec<T> {
    named(list).iter().map(|(n, v)| one(l, n, v)).collect()
}
