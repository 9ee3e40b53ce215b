//! Layers: the raw `layers:` section in, [`Layer`]s out; a function's `layers:` (or
//! `defaults.function.layers`) in, its [`LayerUse`]s out, with Lambda's rules checked:
//! known names, the shape of layer version ARNs, at most five layers, no layer twice, and
//! runtimes and architectures the layer is built for.

use super::function::{FnCx, local_dir};
use super::*;
use crate::limits::{FUNCTION_LAYERS, LAYER_RUNTIMES};
use crate::model::runtimes;

/// One `layers:` entry: its directory, `LayerName` and compatibility lists checked.
pub(super) fn lower_layer(
    l: &mut Lower<'_>,
    prefix: &str,
    name: &Sp<String>,
    x: &raw::RawLayer,
) -> Layer {
    let written = x.code.value.trim().to_string();
    let dir = if written.starts_with("s3://") {
        l.err(
            codes::INVALID_VALUE,
            x.code.span,
            "a layer's `code` is a local directory",
        )
        .help = Some("write a directory relative to the spec file, e.g. `layers/shared`; fnplan zips and uploads it".into());
        l.file.base_dir().join(&written)
    } else {
        local_dir(l, &written, x.code.span)
    };
    let physical_name = format!("{prefix}-{}", name.value);
    if physical_name.len() > 140 {
        l.err(
            codes::INVALID_NAME,
            name.span,
            format!(
                "layer name `{physical_name}` is {} characters; Lambda allows 140",
                physical_name.len()
            ),
        )
        .help = Some("shorten the app, stage or layer name".into());
    }
    let runtimes = x
        .runtimes
        .iter()
        .flatten()
        .map(|r| layer_runtime(l, r))
        .collect();
    if let Some(r) = x.runtimes.as_ref().and_then(|r| r.get(LAYER_RUNTIMES)) {
        l.err(
            codes::OUT_OF_RANGE,
            r.span,
            format!("a layer names at most {LAYER_RUNTIMES} runtimes"),
        );
    }
    let architectures: Vec<Architecture> =
        x.architectures.iter().flatten().map(|a| a.value).collect();
    for (i, a) in x.architectures.iter().flatten().enumerate() {
        if architectures[..i].contains(&a.value) {
            l.err(codes::DUPLICATE, a.span, "architecture listed twice");
        }
    }
    check_len(l, x.description.as_ref(), 256, "description");
    check_len(l, x.license.as_ref(), 512, "license");
    Layer {
        name: name.value.clone(),
        name_span: name.span,
        physical_name,
        dir,
        written,
        code_span: x.code.span,
        runtimes,
        architectures,
        description: x.description.as_ref().map(|d| d.value.clone()),
        license: x.license.as_ref().map(|d| d.value.clone()),
        lint_ignore: l.lint_ignore(&x.lint_ignore),
    }
}

fn check_len(l: &mut Lower<'_>, v: Option<&Sp<String>>, max: usize, what: &str) {
    if let Some(v) = v.filter(|v| v.value.len() > max) {
        l.err(
            codes::OUT_OF_RANGE,
            v.span,
            format!(
                "a layer's {what} is {} characters; Lambda allows {max}",
                v.value.len()
            ),
        );
    }
}

/// One of a layer's `runtimes`: a runtime Lambda knows for .zip packages.
fn layer_runtime(l: &mut Lower<'_>, r: &Sp<String>) -> String {
    match runtimes::find(&r.value) {
        Some(known) if !known.container_only => {}
        _ => {
            let help = suggest::hint(&r.value, runtimes::current(l.today));
            l.err(
                codes::INVALID_VALUE,
                r.span,
                format!("`{}` is not a Lambda runtime a layer can name", r.value),
            )
            .help = help;
        }
    }
    r.value.clone()
}

/// `defaults.function.layers`, checked once (functions that inherit it are not told again
/// what is wrong with the list itself).
pub(super) fn check_default_layers(l: &mut Lower<'_>, cx: &FnCx<'_>, list: &[Sp<String>]) {
    layer_list(l, cx, list, true);
}

/// A function's layers: its own `layers:` (checked here), else the default list (checked
/// by [`check_default_layers`]); each app layer must suit its runtime and architecture.
pub(super) fn lower_function_layers(
    l: &mut Lower<'_>,
    cx: &FnCx<'_>,
    name: &Sp<String>,
    f: &raw::RawFunction,
    (runtime, arch): (&str, Architecture),
) -> Vec<LayerUse> {
    let own = f.layers.as_deref();
    let Some(list) = own.or(cx.defaults.and_then(|d| d.layers.as_deref())) else {
        return Vec::new();
    };
    let uses = layer_list(l, cx, list, own.is_some());
    for u in &uses {
        let LayerRef::App(id) = u.layer else { continue };
        let Some(layer) = cx.layers.get(id.index) else {
            continue;
        };
        // An inherited layer is the function's problem: point at the function.
        let at = if own.is_some() { u.span } else { name.span };
        let before = l.diags.len();
        check_compatible(l, layer, &name.value, at, (runtime, arch));
        if own.is_none() {
            for d in &mut l.diags[before..] {
                let help = d.help.take().unwrap_or_default();
                d.help = Some(format!(
                    "{help}; or give function `{}` its own `layers:` (it has those of `defaults.function`)",
                    name.value
                ));
            }
        }
    }
    uses
}

/// The entries of one `layers:` list; `report`: say what is wrong with the list (unknown
/// names, bad ARNs, repeats, too many).
fn layer_list(
    l: &mut Lower<'_>,
    cx: &FnCx<'_>,
    list: &[Sp<String>],
    report: bool,
) -> Vec<LayerUse> {
    let mut out: Vec<LayerUse> = Vec::new();
    for entry in list {
        let Some(layer) = layer_ref(l, cx, entry, report) else {
            continue;
        };
        if out.iter().any(|u| u.layer == layer) {
            if report {
                l.err(
                    codes::DUPLICATE,
                    entry.span,
                    format!("layer `{}` is listed twice", entry.value),
                )
                .help = Some("Lambda takes each layer once; remove one".into());
            }
            continue;
        }
        out.push(LayerUse {
            layer,
            span: entry.span,
        });
    }
    if let Some(extra) = list.get(FUNCTION_LAYERS).filter(|_| report) {
        l.err(
            codes::OUT_OF_RANGE,
            extra.span,
            format!(
                "{} layers are listed; Lambda allows {FUNCTION_LAYERS} per function",
                list.len()
            ),
        )
        .help = Some(
            "merge layers into one directory, or move code into the function's own package".into(),
        );
    }
    out
}

/// A layer name of the app, or a layer version ARN.
fn layer_ref(
    l: &mut Lower<'_>,
    cx: &FnCx<'_>,
    entry: &Sp<String>,
    report: bool,
) -> Option<LayerRef> {
    let v = entry.value.trim();
    if v.starts_with("arn:") {
        if !report {
            let mut quiet = Vec::new();
            let i = parse_interp(v, entry.span, l.file, cx.scope, &mut quiet);
            return Some(LayerRef::Arn(i));
        }
        if let Err(why) = check_arn(v) {
            l.err(
                codes::INVALID_VALUE,
                entry.span,
                format!("`{v}` is not a layer version ARN: {why}"),
            )
            .help = Some("write `arn:aws:lambda:REGION:ACCOUNT:layer:NAME:VERSION` (`${region}` and `${account}` may be used), or the name of a layer under `layers:`".into());
            return None;
        }
        return Some(LayerRef::Arn(l.interp(v, entry.span, cx.scope)));
    }
    let named = Sp::new(v.to_string(), entry.span);
    let id = if report {
        cx.names.resolve(l, Kind::Layer, &named)?
    } else {
        cx.names
            .index_of(Kind::Layer, v)
            .map(|i| ResId::new(Kind::Layer, i))?
    };
    Some(LayerRef::App(id))
}

/// `arn:PARTITION:lambda:REGION:ACCOUNT:layer:NAME:VERSION`, where `${...}` may stand for
/// the partition, region and account.
pub(super) fn check_arn(v: &str) -> Result<(), &'static str> {
    let masked = mask_refs(v);
    let parts: Vec<&str> = masked.split(':').collect();
    let [
        arn,
        partition,
        service,
        region,
        account,
        kind,
        name,
        version,
    ] = parts.as_slice()
    else {
        return Err("it does not have eight `:`-separated parts (the version is required)");
    };
    let ok_name = |s: &str| {
        (1..=140).contains(&s.len())
            && s.chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_' || c == '\u{1}')
    };
    let is_ref = |s: &str| s == "\u{1}";
    if *arn != "arn" || partition.is_empty() || *service != "lambda" || *kind != "layer" {
        return Err("it does not start `arn:aws:lambda:` and name a `layer`");
    }
    if region.is_empty() {
        return Err("the region is missing");
    }
    if !(is_ref(account) || account.len() == 12 && account.bytes().all(|b| b.is_ascii_digit())) {
        return Err("the account is not 12 digits");
    }
    if !ok_name(name) {
        return Err("the layer name is not 1..140 letters, digits, `-` or `_`");
    }
    if version.is_empty() || !version.bytes().all(|b| b.is_ascii_digit()) || *version == "0" {
        return Err("it does not end with a version number (`:1`)");
    }
    Ok(())
}

/// `s` with each `${...}` replaced by one `\u{1}` (so `${AWS::Partition}` is one part).
fn mask_refs(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut rest = s;
    while let Some(start) = rest.find("${") {
        out.push_str(&rest[..start]);
        match rest[start..].find('}') {
            Some(end) => {
                out.push('\u{1}');
                rest = &rest[start + end + 1..];
            }
            None => {
                out.push_str(&rest[start..]);
                rest = "";
            }
        }
    }
    out.push_str(rest);
    out
}

/// A layer of the app must name the function's runtime and architecture, when it names
/// any (Lambda refuses the function otherwise).
fn check_compatible(
    l: &mut Lower<'_>,
    layer: &Layer,
    function: &str,
    at: Span,
    (runtime, arch): (&str, Architecture),
) {
    if !layer.runtimes.is_empty()
        && !runtime.is_empty()
        && !layer.runtimes.iter().any(|r| r == runtime)
    {
        l.err(
            codes::INVALID_VALUE,
            at,
            format!(
                "layer `{}` is for {}, not for function `{function}`'s runtime {runtime}",
                layer.name,
                layer.runtimes.join(", ")
            ),
        )
        .help = Some(format!(
            "add `{runtime}` to the `runtimes` of layer `{}` if its code works there, or use another layer",
            layer.name
        ));
    }
    let name = |a: Architecture| match a {
        Architecture::Arm64 => "arm64",
        Architecture::X86_64 => "x86_64",
    };
    if !layer.architectures.is_empty() && !layer.architectures.contains(&arch) {
        let list: Vec<&str> = layer.architectures.iter().map(|a| name(*a)).collect();
        l.err(
            codes::INVALID_VALUE,
            at,
            format!(
                "layer `{}` is built for {}, not for function `{function}`'s architecture {}",
                layer.name,
                list.join(", "),
                name(arch)
            ),
        )
        .help = Some(format!(
            "set `architecture: {}` on the function, or add `{}` to the layer's `architectures` if its code is not native",
            list[0],
            name(arch)
        ));
    }
}

#[cfg(test)]
mod tests {
    use super::check_arn;

    #[test]
    fn layer_version_arns() {
        for ok in [
            "arn:aws:lambda:us-east-1:123456789012:layer:x:1",
            "arn:aws:lambda:${region}:123456789012:layer:my_layer-2:12",
            "arn:${AWS::Partition}:lambda:${AWS::Region}:${account}:layer:x:3",
            "arn:aws-cn:lambda:cn-north-1:123456789012:layer:x:1",
        ] {
            assert_eq!(check_arn(ok), Ok(()), "{ok}");
        }
        for bad in [
            "arn:aws:lambda:us-east-1:123456789012:layer:x",
            "arn:aws:lambda:us-east-1:123456789012:layer:x:latest",
            "arn:aws:lambda:us-east-1:123456789012:function:x:1",
            "arn:aws:lambda:us-east-1:1234:layer:x:1",
            "arn:aws:s3:us-east-1:123456789012:layer:x:1",
            "arn:aws:lambda::123456789012:layer:x:1",
            "arn:aws:lambda:us-east-1:123456789012:layer:x y:1",
        ] {
            assert!(check_arn(bad).is_err(), "{bad}");
        }
    }
}
