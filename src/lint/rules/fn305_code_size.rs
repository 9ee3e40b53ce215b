//! FN305 code-size: each function's local code size (measured by the caller from file
//! metadata: its code directory, and the directories of layers to come) in, an error for
//! code over Lambda's 250 MB unzipped limit and a warning over `lint: {
//! code_size_warning_mb }` out, both at the function's `code:` entry.

use crate::declare_rule;
use crate::diagnostic::{Diagnostic, Severity};
use crate::limits::LAMBDA_UNZIPPED_BYTES;
use crate::lint::{CodeSize, Findings, LintContext, Owner, Rule, RuleMeta};
use crate::model::{Function, Kind, ResId};

use super::bytes;

declare_rule! {
    /// ## What it does
    /// Adds up the files packaging takes from a function's code directory (what the
    /// default excludes and `.fnplanignore` leave; sizes from file metadata, nothing is
    /// zipped). Over 250 MB, Lambda's limit on unzipped code, it is an error; over
    /// `lint: { code_size_warning_mb }` (50 MB unless set) a warning with the size and
    /// the largest files. Code given as `s3://` is not measured.
    ///
    /// ## Why is this bad?
    /// Lambda refuses a function whose code, layers included, is larger than 250 MB
    /// unzipped (Lambda quotas): the deployment fails. Well below that, a cold start
    /// downloads and unpacks the whole package before the handler runs, which is why
    /// Lambda's best practices say to minimize the deployment package to its runtime
    /// necessities. AWS publishes no threshold for that; fnplan warns above 50 MB, the
    /// largest zip Lambda accepts by direct upload: code past it is usually a whole
    /// repository, SDKs the runtime already has, test data or build tools. Set your own
    /// threshold with `code_size_warning_mb`.
    ///
    /// ## Example
    /// ```yaml
    /// functions:
    ///   report:
    ///     handler: app.handler
    ///     code: .          # the whole repository: node_modules, tests, fixtures
    /// ```
    ///
    /// Use instead: a directory holding only what the function runs, or exclusions in
    /// its `.fnplanignore` (gitignore syntax):
    /// ```yaml
    /// functions:
    ///   report:
    ///     handler: app.handler
    ///     code: build/report
    /// ```
    pub struct CodeSizeLimit => "FN305", "code-size", Warning, "function code over Lambda's 250 MB unzipped limit or a cold-start threshold";
}

/// `app.py (1.2 MB), lib/x.so (800.0 KB)`: the largest files of every part, the part's
/// directory in front when there are several.
fn largest(size: &CodeSize) -> String {
    let several = size.parts.len() > 1;
    let mut files: Vec<(String, u64)> = size
        .parts
        .iter()
        .flat_map(|p| {
            p.largest.iter().map(move |(f, n)| match several {
                true => (format!("{}/{f}", p.written), *n),
                false => (f.clone(), *n),
            })
        })
        .collect();
    files.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
    let shown: Vec<String> = files
        .iter()
        .take(5)
        .map(|(f, n)| format!("{f} ({})", bytes(*n)))
        .collect();
    shown.join(", ")
}

/// Where to exclude files: the code directory's `.fnplanignore`.
fn ignore_file(size: &CodeSize) -> String {
    let dir = size.parts.first().map_or(".", |p| p.written.as_str());
    format!("`{}/.fnplanignore`", dir.trim_end_matches('/'))
}

/// The error for code over Lambda's unzipped limit, at its `code:` entry. `package`,
/// `render`, `plan` and `apply` stop with this same finding when they meet such code.
pub fn over_limit(f: &Function, size: &CodeSize) -> Diagnostic {
    Diagnostic::new(
        CodeSizeLimit::META.code,
        Severity::Error,
        format!(
            "the code of function `{}` is {} unzipped; Lambda allows {}, layers included",
            f.name,
            bytes(size.unzipped()),
            bytes(LAMBDA_UNZIPPED_BYTES)
        ),
    )
    .at(size.span)
    .help(format!(
        "largest files: {}; exclude what the function does not need in {} (gitignore syntax), or use a container image",
        largest(size),
        ignore_file(size)
    ))
}

/// The cold-start warning for code over `mb` megabytes.
fn over_threshold(cx: &LintContext<'_>, f: &Function, size: &CodeSize, mb: u32) -> Diagnostic {
    let setting = match cx.model.lint_settings.code_size_warning_mb.span {
        Some(_) => "`code_size_warning_mb`",
        None => "fnplan's default",
    };
    cx.report(
        &CodeSizeLimit::META,
        size.span,
        format!(
            "the code of function `{}` is {} unzipped, over the cold-start threshold of {mb} MB ({setting})",
            f.name,
            bytes(size.unzipped())
        ),
    )
    .help(format!(
        "every cold start downloads and unpacks it; largest files: {}; exclude what the function does not need in {}, or raise `lint: {{ code_size_warning_mb }}`",
        largest(size),
        ignore_file(size)
    ))
}

impl Rule for CodeSizeLimit {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }
    fn check(&self, cx: &LintContext<'_>, out: &mut Findings) {
        let mb = cx.model.lint_settings.code_size_warning_mb.value;
        let threshold = u64::from(mb) * 1024 * 1024;
        for size in cx.code {
            let Some(f) = cx.model.functions.get(size.function) else {
                continue;
            };
            let total = size.unzipped();
            let d = if total > LAMBDA_UNZIPPED_BYTES {
                over_limit(f, size)
            } else if total > threshold {
                over_threshold(cx, f, size, mb)
            } else {
                continue;
            };
            out.push(Owner::Res(ResId::new(Kind::Function, size.function)), d);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::lint::CodePart;
    use crate::testing::compile_str;

    const MB: u64 = 1024 * 1024;

    /// FN305's (severity, message, help) for function `f` whose code parts have these
    /// sizes (MB), with `lint` settings.
    fn findings(lint: &str, parts: &[u64]) -> Vec<(Severity, String, String)> {
        let c = compile_str(
            &format!(
                "version: 1\napp: shop\n{lint}functions:\n  f: {{ handler: h.handler, code: s3://b/x.zip, runtime: python3.12 }}\n"
            ),
            None,
        );
        let code = [CodeSize {
            function: 0,
            span: c.model.functions[0].code_span,
            parts: parts
                .iter()
                .enumerate()
                .map(|(i, mb)| CodePart {
                    written: format!("dir{i}"),
                    unzipped: mb * MB,
                    largest: vec![(format!("big{i}.bin"), mb * MB)],
                })
                .collect(),
        }];
        super::super::tests::run_rule(&CodeSizeLimit, &c, &code)
            .into_iter()
            .map(|d| (d.severity, d.message, d.help.unwrap_or_default()))
            .collect()
    }

    #[test]
    fn small_code_is_fine() {
        assert!(findings("", &[50]).is_empty());
        assert!(findings("", &[]).is_empty());
    }

    #[test]
    fn over_the_threshold_is_a_warning_with_the_size() {
        let found = findings("", &[60]);
        assert_eq!(found.len(), 1);
        assert_eq!(found[0].0, Severity::Warning);
        assert_eq!(
            found[0].1,
            "the code of function `f` is 60.0 MB unzipped, over the cold-start threshold of 50 MB (fnplan's default)"
        );
        assert!(found[0].2.contains("big0.bin (60.0 MB)"), "{}", found[0].2);
        assert!(findings("lint: { code_size_warning_mb: 100 }\n", &[60]).is_empty());
        let low = findings("lint: { code_size_warning_mb: 10 }\n", &[11]);
        assert!(
            low[0].1.contains("of 10 MB (`code_size_warning_mb`)"),
            "{low:?}"
        );
    }

    #[test]
    fn over_lambdas_limit_is_an_error_counting_every_part() {
        // A code directory and a layer's: each under the limit, together over it.
        let found = findings("", &[200, 60]);
        assert_eq!(found.len(), 1);
        assert_eq!(found[0].0, Severity::Error);
        assert_eq!(
            found[0].1,
            "the code of function `f` is 260.0 MB unzipped; Lambda allows 250.0 MB, layers included"
        );
        assert!(
            found[0]
                .2
                .starts_with("largest files: dir0/big0.bin (200.0 MB), dir1/big1.bin (60.0 MB);"),
            "{}",
            found[0].2
        );
    }
}
