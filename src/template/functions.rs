//! Functions: one function of the model in, its role, log group, Lambda function,
//! version and alias (provisioned), event invoke config and trigger resources out.

use super::doc::{Doc, Key, cfn};
use super::intrinsics::{Expr, interp, invoke_target, name_value, ref_, tags_list};
use super::{ARTIFACT_BUCKET_PARAM, ArtifactKeys, Res, Resources, iam, triggers};
use crate::model::{Architecture, CodeSource, Function, Model, ids};
use serde_json::{Map, Value};
use sha2::{Digest, Sha256};

/// Render everything that belongs to `model.functions[index]` into `out`.
pub(crate) fn render_function(
    model: &Model,
    index: usize,
    keys: &ArtifactKeys,
    out: &mut Resources,
) {
    let f = &model.functions[index];
    out.add(ids::role(&f.name), iam::role(model, f));
    out.add(ids::log_group(&f.name), log_group(model, f));

    let function = lambda_function(model, f, keys);
    // Only provisioned functions publish versions; hashing costs time on big apps.
    let hash = f
        .provisioned
        .as_ref()
        .map(|_| version_hash(&function.props()));
    out.add(ids::function(&f.name), function);

    if let (Some(p), Some(hash)) = (&f.provisioned, hash) {
        let fn_id = ids::function(&f.name);
        let version_id = ids::version(&f.name, &hash);
        out.add(
            version_id.clone(),
            Res::new("AWS::Lambda::Version").prop("FunctionName", ref_(&fn_id)),
        );
        out.add(
            ids::alias(&f.name),
            Res::new("AWS::Lambda::Alias")
                .prop("FunctionName", ref_(&fn_id))
                .prop("FunctionVersion", Expr::get_att(version_id, "Version"))
                .prop("Name", "live")
                .prop(
                    "ProvisionedConcurrencyConfig",
                    cfn!({ "ProvisionedConcurrentExecutions": p.value }),
                ),
        );
    }

    if needs_event_invoke_config(f) {
        out.add(
            ids::event_invoke_config(&f.name),
            event_invoke_config(model, f),
        );
    }
    triggers::render_triggers(model, index, out);
}

fn log_group_name(f: &Function) -> Doc {
    name_value(&format!("/aws/lambda/{}", f.physical_name))
}

fn log_group(model: &Model, f: &Function) -> Res {
    Res::new("AWS::Logs::LogGroup")
        .prop("LogGroupName", log_group_name(f))
        .opt(
            "RetentionInDays",
            f.log_retention_days.as_ref().map(|r| r.value),
        )
        .opt("Tags", tags_list(model))
}

fn architecture(a: Architecture) -> &'static str {
    match a {
        Architecture::Arm64 => "arm64",
        Architecture::X86_64 => "x86_64",
    }
}

fn code(f: &Function, keys: &ArtifactKeys) -> Doc {
    match &f.code {
        CodeSource::S3 { bucket, key } => cfn!({ "S3Bucket": bucket, "S3Key": key }),
        CodeSource::Local { .. } => cfn!({
            "S3Bucket": ref_(ARTIFACT_BUCKET_PARAM),
            // Every local function has a key (ops packages them all); an empty key would
            // be caught by CloudFormation, never deployed silently.
            "S3Key": keys.get(&f.name).unwrap_or_default(),
        }),
    }
}

fn lambda_function(model: &Model, f: &Function, keys: &ArtifactKeys) -> Res {
    let env = if f.env.is_empty() {
        None
    } else {
        // A later value of a name replaces an earlier one in its place.
        let mut vars: Vec<(Key, Doc)> = Vec::with_capacity(f.env.len());
        for e in &f.env {
            let value = interp(model, &e.value);
            match vars.iter_mut().find(|(k, _)| *k == e.name) {
                Some((_, v)) => *v = value,
                None => vars.push((e.name.clone().into(), value)),
            }
        }
        Some(cfn!({ "Variables": Doc::object(vars) }))
    };
    Res::new("AWS::Lambda::Function")
        .depends_on(ids::log_group(&f.name))
        .prop("FunctionName", name_value(&f.physical_name))
        .opt("Description", f.description.as_deref())
        .prop("Handler", f.handler.as_str())
        .prop("Runtime", f.runtime.value.as_str())
        .prop("Architectures", cfn!([architecture(f.architecture)]))
        .prop("Role", Expr::get_att(ids::role(&f.name), "Arn"))
        .prop("Code", code(f, keys))
        .opt("Timeout", f.timeout.as_ref().map(|t| t.value))
        .opt(
            "TracingConfig",
            f.tracing_active.then(|| cfn!({ "Mode": "Active" })),
        )
        .opt("MemorySize", f.memory.as_ref().map(|m| m.value))
        .opt(
            "ReservedConcurrentExecutions",
            f.concurrency.as_ref().map(|c| c.value),
        )
        .opt("Environment", env)
        .opt("Layers", super::layers::function_layers(model, f))
        .opt("Tags", tags_list(model))
}

/// First 10 hex characters of the sha256 of the function's properties as canonical JSON
/// (object keys sorted at every level), so any change of code or configuration gives a
/// new version logical ID.
pub(crate) fn version_hash(props: &Map<String, Value>) -> String {
    let canonical = canonical_json(&Value::Object(props.clone()));
    let digest = Sha256::digest(canonical.as_bytes());
    let mut hex = String::with_capacity(64);
    for b in digest.iter() {
        hex.push_str(&format!("{b:02x}"));
    }
    hex.truncate(10);
    hex
}

fn canonical_json(v: &Value) -> String {
    fn sorted(v: &Value) -> Value {
        match v {
            Value::Object(m) => {
                let mut keys: Vec<&String> = m.keys().collect();
                keys.sort();
                let mut out = Map::new();
                for k in keys {
                    out.insert(k.clone(), sorted(&m[k]));
                }
                Value::Object(out)
            }
            Value::Array(a) => Value::Array(a.iter().map(sorted).collect()),
            other => other.clone(),
        }
    }
    serde_json::to_string(&sorted(v)).expect("a JSON value always serializes")
}

fn needs_event_invoke_config(f: &Function) -> bool {
    f.has_async_triggers()
        || f.on_failure.is_some()
        || f.retries.is_some()
        || f.max_event_age.is_some()
}

fn event_invoke_config(model: &Model, f: &Function) -> Res {
    let mut r = Res::new("AWS::Lambda::EventInvokeConfig");
    let qualifier = if f.provisioned.is_some() {
        r = r.depends_on(ids::alias(&f.name));
        "live"
    } else {
        "$LATEST"
    };
    let destination = f.on_failure.map(|(q, _)| {
        cfn!({
            "OnFailure": { "Destination": super::intrinsics::queue_expr(model, q, crate::model::Attr::Arn).value() }
        })
    });
    r.prop("FunctionName", ref_(ids::function(&f.name)))
        .prop("Qualifier", qualifier)
        .opt("MaximumRetryAttempts", f.retries.as_ref().map(|r| r.value))
        .opt(
            "MaximumEventAgeInSeconds",
            f.max_event_age.as_ref().map(|a| a.value),
        )
        .opt("DestinationConfig", destination)
}

/// What invokes `model.functions[index]` as a template value (see [`invoke_target`]).
pub(crate) fn invoke_value(model: &Model, index: usize) -> Doc {
    invoke_target(model, index).value()
}
