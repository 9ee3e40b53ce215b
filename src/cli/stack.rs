//! Shared steps of the commands that talk to CloudFormation: a spec in, the compiled and
//! linted stage out (or the exit status that stops the command).

use super::{Output, SpecArgs};
use crate::deploy::DeployError;
use crate::diagnostic::{self, ColorChoice, Format};
use crate::exit::ExitStatus;
use crate::lint::{self, LintContext, Selection};
use crate::pipeline::{self, Compiled, Loaded, Stop};
use crate::template::{self, Template, split::Split};

/// What `plan` and `apply` deploy: the loaded spec, the compiled stage and, with `--split`,
/// its nested stacks (`TemplateURL`s not yet filled in: see [`stage_split`]).
pub type Deployable = (Loaded, Compiled, Option<Split>);

/// Load, compile and lint; lint errors stop here (exit 1) before AWS is touched.
/// With `split`, the nested stacks are rendered too, and stack limits (FN302) are
/// checked on them instead.
pub fn compile_and_lint(
    spec: &SpecArgs,
    out: &Output,
    split: bool,
) -> std::io::Result<Result<Deployable, ExitStatus>> {
    let (loaded, c) = match compile_only(spec, out)? {
        Ok(x) => x,
        Err(status) => return Ok(Err(status)),
    };
    let nested = split.then(|| {
        let name = |id: &str| super::render::nested_file_name(&c.model.stack_name, id, "json");
        template::render_split(&c.model, &c.graph, &name)
    });
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
    Ok(Ok((loaded, c, nested)))
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
        nested: None,
    }
}

/// `--split`: upload each nested stack's template to the artifact bucket and return the
/// parent with its `TemplateURL`s pointing there. The parent then goes through
/// [`stage_template`] like any template.
pub async fn stage_split(
    config: &aws_config::SdkConfig,
    bucket: Option<&str>,
    c: &Compiled,
    split: &Split,
) -> Result<Template, DeployError> {
    let Some(bucket) = bucket else {
        return Err(DeployError::SplitNeedsBucket);
    };
    let templates: Vec<(String, String)> = split
        .children
        .iter()
        .map(|n| {
            let body = serde_json::to_string(&n.template.value).expect("template serializes");
            (template_key(c, &body), body)
        })
        .collect();
    let urls = crate::package::upload::put_templates(config, bucket, templates).await?;
    let mut parent = split.parent.clone();
    for (n, url) in split.children.iter().zip(urls) {
        if let Some(r) = parent
            .value
            .get_mut("Resources")
            .and_then(|r| r.get_mut(&n.logical_id))
        {
            r["Properties"]["TemplateURL"] = serde_json::Value::String(url);
        }
    }
    Ok(parent)
}

/// A template over CloudFormation's inline limit is uploaded to the artifact bucket
/// and passed by URL; without a bucket that is an error. `template` is `c`'s own, or the
/// parent of its nested stacks (`--split`).
pub async fn stage_template(
    config: &aws_config::SdkConfig,
    bucket: Option<&str>,
    c: &Compiled,
    template: &Template,
) -> Result<Option<String>, DeployError> {
    let body = serde_json::to_string(&template.value).expect("template serializes");
    if body.len() <= crate::deploy::run::INLINE_TEMPLATE_LIMIT {
        return Ok(None);
    }
    let Some(bucket) = bucket else {
        return Err(DeployError::TemplateNeedsBucket(body.len()));
    };
    let key = template_key(c, &body);
    crate::package::upload::put_template(config, bucket, &key, body)
        .await
        .map(Some)
}

/// Where a template is kept in the artifact bucket: named by its sha256, so an unchanged
/// template keeps its URL and is not uploaded again.
fn template_key(c: &Compiled, body: &str) -> String {
    format!(
        "{}/{}/templates/{}.json",
        c.model.app,
        c.model.stage,
        crate::deploy::run::sha256_hex(body.as_bytes())
    )
}
