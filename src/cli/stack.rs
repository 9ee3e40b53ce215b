//! Shared steps of the commands that talk to CloudFormation: a spec in, the compiled and
//! linted stage out (or the exit status that stops the command).

use super::{Output, SpecArgs};
use crate::diagnostic::{self, ColorChoice, Format};
use crate::exit::ExitStatus;
use crate::lint::{self, LintContext, Selection};
use crate::pipeline::{self, Compiled, Loaded, Stop};

/// Load, compile and lint; lint errors stop here (exit 1) before AWS is touched.
/// With `split`, stack limits (FN302) are checked on the nested stacks instead.
pub fn compile_and_lint(
    spec: &SpecArgs,
    out: &Output,
    split: bool,
) -> std::io::Result<Result<(Loaded, Compiled), ExitStatus>> {
    let (loaded, c) = match compile_only(spec, out)? {
        Ok(x) => x,
        Err(status) => return Ok(Err(status)),
    };
    let nested =
        split.then(|| crate::template::render_split(&c.model, &c.graph, &|id| id.to_string()));
    let cx = LintContext {
        model: &c.model,
        graph: &c.graph,
        template: &c.template,
        template_bytes: c.template.compact_len(),
        split: nested.as_ref(),
    };
    let findings = lint::lint(&cx, &Selection::default());
    let errors: Vec<_> = findings.iter().filter(|d| d.is_error()).cloned().collect();
    if !errors.is_empty() {
        let color = if out.color.use_color_for_stderr() {
            ColorChoice::Always
        } else {
            ColorChoice::Never
        };
        eprint!("{}", diagnostic::render_human(&loaded.file, &errors, color));
        out.error(&format!(
            "{}: {}; fix them first (`fnplan lint` shows every finding)",
            loaded.file.name,
            diagnostic::summary(&errors)
        ));
        return Ok(Err(ExitStatus::Failure));
    }
    if !findings.is_empty() {
        out.note(&format!(
            "{}: {} lint warning(s); `fnplan lint` shows them",
            loaded.file.name,
            findings.len()
        ));
    }
    Ok(Ok((loaded, c)))
}

pub fn runtime() -> std::io::Result<tokio::runtime::Runtime> {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
}

/// Load and compile without linting (destroy and status act on what is deployed).
pub fn compile_only(
    spec: &SpecArgs,
    out: &Output,
) -> std::io::Result<Result<(Loaded, Compiled), ExitStatus>> {
    let loaded = match pipeline::load(&spec.spec) {
        Ok(l) => l,
        Err(stop) => return out.stop(stop, Format::Human).map(Err),
    };
    match loaded.compile(spec.stage.as_deref()) {
        Ok(c) => Ok(Ok((loaded, c))),
        Err(diags) => out
            .stop(
                Stop::Input {
                    file: Box::new(loaded.file),
                    diags,
                },
                Format::Human,
            )
            .map(Err),
    }
}

/// What `plan` and `apply` compare with the deployed stack.
pub fn plan_input<'a>(
    loaded: &'a Loaded,
    c: &'a Compiled,
    aws: &crate::deploy::client::AwsOptions,
    parameters: Vec<(String, String)>,
) -> crate::deploy::run::PlanInput<'a> {
    crate::deploy::run::PlanInput {
        app: &c.model.app,
        stage: &c.model.stage,
        stack_name: &c.model.stack_name,
        region: crate::deploy::client::resolve_region(aws, c.model.region.as_deref()),
        template: &c.template,
        spec_bytes: loaded.file.text.as_bytes(),
        spec_path: loaded.file.name.clone(),
        parameters,
        template_url: None,
        tags: c.model.tags.clone(),
        nested: &[],
        split: false,
    }
}

/// `--split`: render the nested stacks, upload each child template to the artifact
/// bucket (named by its sha256, skipped when already there) and point the parent's
/// `TemplateURL`s at them. The parent then goes through [`stage_template`] like
/// any template.
pub async fn stage_split(
    config: &aws_config::SdkConfig,
    bucket: Option<&str>,
    c: &Compiled,
) -> Result<crate::template::split::Split, crate::deploy::DeployError> {
    let Some(bucket) = bucket else {
        return Err(crate::deploy::DeployError::SplitNeedsBucket);
    };
    let mut split = crate::template::render_split(&c.model, &c.graph, &|id| id.to_string());
    let templates: Vec<(String, String)> = split
        .children
        .iter()
        .map(|n| {
            let body = serde_json::to_string(&n.template.value).expect("template serializes");
            let key = format!(
                "{}/{}/templates/{}.json",
                c.model.app,
                c.model.stage,
                crate::deploy::run::sha256_hex(body.as_bytes())
            );
            (key, body)
        })
        .collect();
    let urls = crate::package::upload::put_templates(config, bucket, templates).await?;
    for (n, url) in split.children.iter_mut().zip(urls) {
        n.file_name = url.clone();
        if let Some(r) = split
            .parent
            .value
            .get_mut("Resources")
            .and_then(|r| r.get_mut(&n.logical_id))
        {
            r["Properties"]["TemplateURL"] = serde_json::Value::String(url);
        }
    }
    Ok(split)
}

/// A template over CloudFormation's inline limit is uploaded to the artifact bucket
/// (named by its sha256) and passed by URL; without a bucket that is an error. `template`
/// is `c`'s own, or the parent of its nested stacks (`--split`).
pub async fn stage_template(
    config: &aws_config::SdkConfig,
    bucket: Option<&str>,
    c: &Compiled,
    template: &crate::template::Template,
) -> Result<Option<String>, crate::deploy::DeployError> {
    let body = serde_json::to_string(&template.value).expect("template serializes");
    if body.len() <= crate::deploy::run::INLINE_TEMPLATE_LIMIT {
        return Ok(None);
    }
    let Some(bucket) = bucket else {
        return Err(crate::deploy::DeployError::TemplateNeedsBucket(body.len()));
    };
    let key = format!(
        "{}/{}/templates/{}.json",
        c.model.app,
        c.model.stage,
        crate::deploy::run::sha256_hex(body.as_bytes())
    );
    crate::package::upload::put_template(config, bucket, &key, body)
        .await
        .map(Some)
}
