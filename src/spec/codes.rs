//! Input error codes (FN0xx): the constants the loader and lowering report with, and each
//! code's documentation (what it means, typical causes, a bad and a fixed example, how to
//! fix) for `fnplan explain`, `fnplan rules` and SARIF.
//!
//! Input errors are always errors: the spec cannot be compiled, and every command stops
//! with exit 2 before it renders, lints or deploys anything.

use crate::diagnostic::Code;

/// What `fnplan explain` and `fnplan rules` know of an input error code.
#[derive(Debug)]
pub struct CodeDoc {
    pub code: Code,
    /// A stable slug such as `unknown-field`.
    pub name: &'static str,
    /// One line for `fnplan rules`.
    pub summary: &'static str,
    /// The constant's doc comment lines, as `fnplan explain` prints them.
    pub doc: &'static [&'static str],
}

/// Declare the code constants and, from their doc comments, the [`INPUT_CODES`] table.
macro_rules! input_codes {
    ($(
        $(#[doc = $doc:literal])*
        pub const $id:ident => $code:literal, $slug:literal, $summary:literal;
    )*) => {
        $(
            $(#[doc = $doc])*
            pub const $id: Code = Code($code);
        )*

        /// Every input error code with its documentation, in code order.
        pub static INPUT_CODES: &[CodeDoc] = &[$(
            CodeDoc { code: $id, name: $slug, summary: $summary, doc: &[$($doc),*] },
        )*];
    };
}

input_codes! {
    /// ## What it does
    /// Reports a spec file that cannot be read as YAML. Nothing else is checked until the
    /// file parses, so this is the only error shown for it.
    ///
    /// ## Typical causes
    /// - A bracket or quote left open, or indentation that does not line up.
    /// - A tab used for indentation: YAML indents with spaces only.
    /// - A CloudFormation short tag such as `!Ref` or `!Sub`. fnplan specs are plain YAML;
    ///   write a reference `${kind.name.attr}` instead. Other tags (`!!binary`, `!custom`)
    ///   are refused too, and a core tag must fit its value (`!!int abc` does not).
    /// - An alias `*name` used before its anchor `&name`, or a `<<` merge of something
    ///   that is not a mapping.
    /// - A second YAML document: a line `---` after the first document.
    /// - Bytes that are not UTF-8, or control characters such as NUL.
    ///
    /// ## Example
    /// ```yaml
    /// functions:
    ///   api: { handler: app.handler, code: src, runtime: python3.12
    /// ```
    ///
    /// Use instead:
    /// ```yaml
    /// functions:
    ///   api: { handler: app.handler, code: src, runtime: python3.12 }
    /// ```
    ///
    /// ## How to fix
    /// The error points where the parser gave up; the mistake is often just before it (a
    /// bracket left open is only noticed further down). Save the file as UTF-8, indent
    /// with spaces, and keep one document per spec.
    pub const SYNTAX => "FN001", "invalid-yaml", "the file is not valid YAML";

    /// ## What it does
    /// Reports a key that is not a field of the element it is written in. fnplan reads
    /// every mapping strictly: a misspelt field would otherwise be ignored, and the
    /// setting you meant would silently not apply.
    ///
    /// ## Typical causes
    /// - A typo: `timout` for `timeout`. The help line names the closest known field.
    /// - A field at the wrong level, such as `batch_size` on the function instead of on
    ///   its queue trigger, or `runtime` at the top level instead of under
    ///   `defaults.function`.
    /// - A field of another kind of element, such as `visibility_timeout` on a function.
    /// - A key in a raw IAM statement under `policies` other than `Sid`, `Effect`,
    ///   `Action`, `NotAction`, `Resource`, `NotResource` and `Condition` (they are
    ///   case-sensitive).
    ///
    /// ## Example
    /// ```yaml
    /// functions:
    ///   api: { handler: app.handler, code: src, runtime: python3.12, timout: 10 }
    /// ```
    ///
    /// Use instead:
    /// ```yaml
    /// functions:
    ///   api: { handler: app.handler, code: src, runtime: python3.12, timeout: 10 }
    /// ```
    ///
    /// ## How to fix
    /// Correct the name, or move the field to the element it belongs to. `fnplan schema`
    /// prints the JSON Schema with every field; point your editor at it
    /// (`# yaml-language-server: $schema=...`) to complete and check fields as you type.
    pub const UNKNOWN_FIELD => "FN002", "unknown-field", "a field fnplan does not know";

    /// ## What it does
    /// Reports a value of the wrong YAML type for its field: text where a number is
    /// expected, a mapping where a list is expected, and so on.
    ///
    /// ## Typical causes
    /// - A unit or quotes on a plain number: `memory: 256MB`. (Durations are different:
    ///   `timeout: 30s` is fine.)
    /// - One mapping where a list is expected: `triggers: { queue: jobs }` instead of a
    ///   list item `- queue: jobs`.
    /// - `yes`, `no`, `on` or `off` for a yes/no field: YAML 1.2 reads them as text; write
    ///   `true` or `false`.
    /// - A name YAML reads as a number or a boolean, such as a function named `2024:`.
    ///   Names start with a lowercase letter: `v2024:`.
    /// - A list or mapping as an `env` value, where only a string, number or boolean
    ///   fits.
    ///
    /// ## Example
    /// ```yaml
    /// functions:
    ///   api: { handler: app.handler, code: src, runtime: python3.12, memory: 256MB }
    /// ```
    ///
    /// Use instead:
    /// ```yaml
    /// functions:
    ///   api: { handler: app.handler, code: src, runtime: python3.12, memory: 256 }
    /// ```
    ///
    /// ## How to fix
    /// Write the value in the form the message expects; `fnplan schema` gives the type of
    /// every field.
    pub const WRONG_TYPE => "FN003", "wrong-type", "a value of the wrong type";

    /// ## What it does
    /// Reports an element without a field it must have, or a required field written
    /// with no value.
    ///
    /// ## Typical causes
    /// - A function without `handler` or `code`, a route without `function`, a table
    ///   without `key`; or `version` and `app` missing at the top.
    /// - A field left empty: `handler:` with nothing after it.
    /// - A function with no `runtime`, and none under `defaults.function`.
    /// - An element that needs one of several fields and has none: a trigger with none of
    ///   `queue`, `schedule`, `bucket` or `topic`; a secret with neither `ssm` nor
    ///   `secretsmanager`; an authorizer with neither `jwt` nor `function`.
    /// - A JWT authorizer with no `audience`, `api.cors` without `origins`, or a raw IAM
    ///   statement under `policies` without `Effect`, `Action` or `Resource`.
    /// - An empty spec file.
    ///
    /// ## Example
    /// ```yaml
    /// functions:
    ///   api: { code: src, runtime: python3.12 }
    /// ```
    ///
    /// Use instead:
    /// ```yaml
    /// functions:
    ///   api: { handler: app.handler, code: src, runtime: python3.12 }
    /// ```
    ///
    /// ## How to fix
    /// Add the field the message names; the help line shows its form. Settings shared by
    /// every function (`runtime`, `timeout`, `memory`) can go under `defaults.function`.
    pub const MISSING_FIELD => "FN004", "missing-field", "a required field is missing";

    /// ## What it does
    /// Reports a key written twice in one mapping, or a function with two triggers on the
    /// same queue, bucket or topic.
    ///
    /// ## Typical causes
    /// - Two functions, queues, routes or other elements with the same name. Most YAML
    ///   tools keep the last one silently; fnplan refuses, because the first would be lost.
    /// - A field repeated in one element, often after copying a line.
    /// - Two triggers of one function on the same source: they would create the same
    ///   resources twice. (Keys merged in with `<<` are not duplicates: the element's own
    ///   keys win.)
    ///
    /// ## Example
    /// ```yaml
    /// functions:
    ///   api: { handler: app.handler, code: src, runtime: python3.12 }
    ///   api: { handler: admin.handler, code: src, runtime: python3.12 }
    /// ```
    ///
    /// Use instead:
    /// ```yaml
    /// functions:
    ///   api: { handler: app.handler, code: src, runtime: python3.12 }
    ///   admin: { handler: admin.handler, code: src, runtime: python3.12 }
    /// ```
    ///
    /// ## How to fix
    /// Rename or remove one of them; the error's second label points at the first one. A
    /// function that reacts to several bucket events takes one trigger with a list of
    /// `events`.
    pub const DUPLICATE => "FN005", "duplicate", "a key or trigger written twice";

    /// ## What it does
    /// Reports a reference to something the spec does not declare: a name in a field
    /// (`queue: jobs`, `function: api`, `auth: users`, `uses: { table.orders: read }`) or
    /// in a `${kind.name.attr}` reference inside a string.
    ///
    /// ## Typical causes
    /// - A misspelt name, or one declared under another kind. The help line names the
    ///   closest declared name.
    /// - An unknown kind (`${queu.jobs.url}`) or attribute (`${queue.jobs.arnn}`), or an
    ///   incomplete reference such as `${table.orders}`.
    /// - `${var.NAME}` with no such variable in the chosen stage's `vars`.
    /// - `${api.url}` in a spec with no `api` routes, or `stream_arn` of a table that has
    ///   no `stream: true`.
    /// - A route's `auth` naming an authorizer not under `api.authorizers`.
    ///
    /// ## Example
    /// ```yaml
    /// functions:
    ///   worker:
    ///     handler: app.handler
    ///     code: src
    ///     runtime: python3.12
    ///     triggers: [{ queue: job }]
    /// queues:
    ///   jobs: { dlq: true }
    /// ```
    ///
    /// Use instead:
    /// ```yaml
    /// functions:
    ///   worker:
    ///     handler: app.handler
    ///     code: src
    ///     runtime: python3.12
    ///     triggers: [{ queue: jobs }]
    /// queues:
    ///   jobs: { dlq: true }
    /// ```
    ///
    /// ## How to fix
    /// Correct the name, or declare the element it refers to. A reference has the form
    /// `${kind.name.attr}`, e.g. `${table.orders.name}`. Functions, buckets, topics and
    /// secrets have `name` and `arn`; queues also `url`; tables also `stream_arn`. Besides
    /// these there are `${api.url}`, `${var.NAME}`, `${app}`, `${stage}`, `${region}` and
    /// `${account}`.
    pub const UNKNOWN_REFERENCE => "FN006", "unknown-reference", "a reference to something not declared";

    /// ## What it does
    /// Reports a name that fnplan or AWS would reject: a badly formed name, or a resource
    /// name that comes out longer than the service allows.
    ///
    /// ## Typical causes
    /// - An app name that does not match `^[a-z][a-z0-9-]{0,39}$`.
    /// - An element or stage name that does not start with a lowercase letter, uses
    ///   characters other than lowercase letters, digits and `-`, ends with `-`, or is over
    ///   64 characters.
    /// - An `env` variable name that does not start with a letter or uses characters other
    ///   than letters, digits and `_`, or one Lambda reserves (`AWS_REGION`, `_HANDLER`).
    /// - A stage variable name with characters other than letters, digits and `_`.
    /// - A physical name over the service's limit: functions `{app}-{stage}-{name}` 64
    ///   characters, queues 80, buckets `{app}-{stage}-{name}-{account}-{region}` 63.
    /// - An `artifacts.bucket` that is not a valid S3 bucket name.
    ///
    /// ## Example
    /// ```yaml
    /// functions:
    ///   Api_Handler: { handler: app.handler, code: src, runtime: python3.12 }
    /// ```
    ///
    /// Use instead:
    /// ```yaml
    /// functions:
    ///   api-handler: { handler: app.handler, code: src, runtime: python3.12 }
    /// ```
    ///
    /// ## How to fix
    /// Rename as the help line says. Names become logical IDs and physical names, so
    /// renaming an element that is already deployed replaces its resources.
    pub const INVALID_NAME => "FN007", "invalid-name", "a name AWS or fnplan would reject";

    /// ## What it does
    /// Reports two elements whose names map to the same CloudFormation logical ID or
    /// stack output name; one would overwrite the other in the template.
    ///
    /// ## Typical causes
    /// - Names that differ only by a `-` before a digit: a logical ID keeps the letters
    ///   and digits of a name and capitalises each part, so `worker-1` and `worker1` both
    ///   become `Worker1Function`.
    /// - IDs joined from two names: function `notify` with a trigger on topic
    ///   `order-shipped`, and function `notify-order` with one on topic `shipped`, both
    ///   make `NotifyOrderShippedSubscription`.
    ///
    /// ## Example
    /// ```yaml
    /// functions:
    ///   worker-1: { handler: app.handler, code: src, runtime: python3.12 }
    ///   worker1: { handler: app.handler, code: src, runtime: python3.12 }
    /// ```
    ///
    /// Use instead:
    /// ```yaml
    /// functions:
    ///   worker-1: { handler: app.handler, code: src, runtime: python3.12 }
    ///   worker-2: { handler: app.handler, code: src, runtime: python3.12 }
    /// ```
    ///
    /// ## How to fix
    /// Rename one of the two (the second label points at the other). Logical IDs are how
    /// CloudFormation tracks resources: rename the one not yet deployed.
    pub const LOGICAL_ID_COLLISION => "FN008", "logical-id-collision", "two names become the same logical ID";

    /// ## What it does
    /// Reports a number or duration outside the range its field allows; the message gives
    /// the range.
    ///
    /// ## Typical causes
    /// - A limit of the service: `memory` 128..10240 MB, `timeout` 1s..15m, `retries`
    ///   0..2, queue `visibility_timeout` 0s..12h, `retention` 1m..14d, queue trigger
    ///   `batch_size` 1..10000 (1..10 for a FIFO queue), `max_concurrency` 2..1000, a tag
    ///   value over 256 characters.
    /// - A negative number or duration, or a number too large for the field.
    /// - A code directory too large to package (over 50 MB zipped); the help line lists
    ///   its largest files. Code over 250 MB unzipped is lint rule FN305's error, which
    ///   `package`, `render`, `plan` and `apply` stop with too.
    ///
    /// ## Example
    /// ```yaml
    /// functions:
    ///   api: { handler: app.handler, code: src, runtime: python3.12, memory: 64 }
    /// ```
    ///
    /// Use instead:
    /// ```yaml
    /// functions:
    ///   api: { handler: app.handler, code: src, runtime: python3.12, memory: 128 }
    /// ```
    ///
    /// ## How to fix
    /// Choose a value in the range the message gives. For a code directory, exclude what
    /// the function does not need with a `.fnplanignore` file in it (gitignore syntax).
    pub const OUT_OF_RANGE => "FN009", "out-of-range", "a number outside the allowed range";

    /// ## What it does
    /// Reports a value of the right type that fnplan cannot use: not one of the allowed
    /// words, not in the expected format, or a combination AWS rejects.
    ///
    /// ## Typical causes
    /// - A word outside its list: a runtime (`pyton3.12`), an access level in `uses`
    ///   (`reed`), an HTTP method, a bucket event, `architecture`. The help line names the
    ///   closest valid one.
    /// - A malformed value: a duration (`2w`; use `30s`, `5m`, `2h` or `4d`), a schedule
    ///   expression, a route key (`METHOD /path`), a tag key, a region, a `uses` key that is
    ///   not `kind.name`, an S3 code location that is not `s3://bucket/key.zip`, an
    ///   unterminated `${`, a `log_retention_days` CloudWatch does not offer, a JWT issuer
    ///   that is not `https://`, a `.fnplanignore` that cannot be parsed.
    /// - Settings that exclude each other: `ssm` and `secretsmanager` on one secret, `jwt`
    ///   and `function` on one authorizer, two sources in one trigger, `provisioned` above
    ///   reserved `concurrency`, a batching window on a FIFO queue, `batch_size` over 10
    ///   without `batch_window`, a FIFO queue as `on_failure`, a FIFO topic as a trigger,
    ///   a `sort_key` that is the key, `cache_ttl` on a JWT authorizer.
    /// - Functions whose `env` refer to each other: CloudFormation cannot create them.
    /// - An unknown code in `lint.ignore` or `lint_ignore`, or a `version` other than 1.
    ///
    /// ## Example
    /// ```yaml
    /// functions:
    ///   api: { handler: app.handler, code: src, runtime: python3.12, timeout: 2w }
    /// ```
    ///
    /// Use instead:
    /// ```yaml
    /// functions:
    ///   api: { handler: app.handler, code: src, runtime: python3.12, timeout: 30s }
    /// ```
    ///
    /// ## How to fix
    /// Follow the message and its help line: they name the valid values or the form to
    /// write. For settings that exclude each other, keep one.
    pub const INVALID_VALUE => "FN010", "invalid-value", "a value fnplan cannot use";

    /// ## What it does
    /// Reports a stage that the spec does not declare, or a spec with several stages
    /// where fnplan cannot tell which one you mean.
    ///
    /// ## Typical causes
    /// - `--stage NAME` with a name not under `stages` (a spec without `stages` has the
    ///   one stage `dev`). The help line lists the known stages.
    /// - Several stages, none named `dev`, and no `--stage` (`fnplan lint` checks every
    ///   stage and needs none).
    ///
    /// ## Example
    /// ```yaml
    /// stages:
    ///   staging: { vars: { log_level: debug } }
    ///   prod: { vars: { log_level: info } }
    /// ```
    ///
    /// Use instead:
    /// ```yaml
    /// stages:
    ///   dev: { vars: { log_level: debug } }
    ///   prod: { vars: { log_level: info } }
    /// ```
    ///
    /// ## How to fix
    /// Pass `--stage` with one of the stages the help line lists, or name the stage you
    /// use by default `dev`.
    pub const UNKNOWN_STAGE => "FN011", "unknown-stage", "a stage the spec does not declare";

    /// ## What it does
    /// Reports a spec over one of fnplan's input budgets, checked before any other work:
    /// files up to 8 MiB, 64 levels of nesting, 250000 YAML nodes counted after alias
    /// expansion, and 10000 alias uses.
    ///
    /// ## Typical causes
    /// - Aliases that repeat aliases: each level multiplies the nodes (a "billion laughs"
    ///   file), so a few short lines can stand for millions of nodes.
    /// - A generated spec, or a file that is not a spec at all.
    ///
    /// ## Example
    /// ```yaml
    /// a: &a [x, x, x, x, x, x, x, x, x, x]
    /// b: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a, *a]
    /// c: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b, *b]
    /// d: &d [*c, *c, *c, *c, *c, *c, *c, *c, *c, *c]
    /// e: &e [*d, *d, *d, *d, *d, *d, *d, *d, *d, *d]
    /// f: [*e, *e, *e, *e, *e, *e, *e, *e, *e, *e]
    /// ```
    ///
    /// Use instead: write each value once, and share function settings through
    /// `defaults.function` rather than anchors.
    /// ```yaml
    /// defaults:
    ///   function: { runtime: python3.12, timeout: 10 }
    /// functions:
    ///   api: { handler: app.handler, code: src }
    /// ```
    ///
    /// ## How to fix
    /// Remove the nesting or repetition the message points at. A hand-written spec stays
    /// far inside these limits; an app that truly does not should be split into several
    /// specs.
    pub const BUDGET => "FN012", "input-budget", "the file is too large or too deeply nested";

    /// ## What it does
    /// Reports a function's `code` directory that cannot be read or packaged.
    ///
    /// ## Typical causes
    /// - The directory does not exist: a typo, or a path written relative to the working
    ///   directory. `code` paths are relative to the spec file's directory.
    /// - A file or directory in it that cannot be read, such as one without read
    ///   permission.
    ///
    /// ## Example
    /// ```yaml
    /// functions:
    ///   api: { handler: app.handler, code: scr, runtime: python3.12 }
    /// ```
    ///
    /// Use instead:
    /// ```yaml
    /// functions:
    ///   api: { handler: app.handler, code: src, runtime: python3.12 }
    /// ```
    ///
    /// ## How to fix
    /// Correct the path (the help line shows the directory it is relative to), or make the
    /// files readable. Code already uploaded can be given as `code: s3://bucket/key.zip`.
    pub const IO => "FN013", "unreadable-code", "a code directory cannot be read";
}
