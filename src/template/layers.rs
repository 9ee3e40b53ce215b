//! Layers: the model's layers and their artifact keys in, one `AWS::Lambda::LayerVersion`
//! per layer out; a function's `layers:` in, its `Layers` list out.

use super::intrinsics::{interp, ref_};
use super::{ARTIFACT_BUCKET_PARAM, ArtifactKeys, Res, Resources};
use crate::model::{Architecture, Function, LayerRef, Model, ids};
use serde_json::json;

/// Every layer of the app. A layer version cannot change: new code (a new content-addressed
/// key) or settings make CloudFormation create a new version. `Retain` keeps the old one
/// when that happens, or when the layer leaves the spec: functions elsewhere (other
/// stacks, versions published for aliases) may still be pinned to it, and Lambda refuses
/// to create or update a function whose layer version is gone.
pub(crate) fn render_layers(model: &Model, keys: &ArtifactKeys, out: &mut Resources) {
    for x in &model.layers {
        let runtimes = (!x.runtimes.is_empty()).then(|| json!(x.runtimes));
        let architectures = (!x.architectures.is_empty()).then(|| {
            let names: Vec<&str> = x.architectures.iter().map(|a| architecture(*a)).collect();
            json!(names)
        });
        let r = Res::new("AWS::Lambda::LayerVersion")
            .retain(true)
            .prop("LayerName", x.physical_name.as_str())
            .opt("Description", x.description.as_deref())
            .prop(
                "Content",
                json!({
                    "S3Bucket": ref_(ARTIFACT_BUCKET_PARAM),
                    // Every layer has a key (ops packages them all).
                    "S3Key": keys.layer(&x.name).unwrap_or_default(),
                }),
            )
            .opt("CompatibleRuntimes", runtimes)
            .opt("CompatibleArchitectures", architectures)
            .opt("LicenseInfo", x.license.as_deref());
        out.add(ids::layer(&x.name), r);
    }
}

fn architecture(a: Architecture) -> &'static str {
    match a {
        Architecture::Arm64 => "arm64",
        Architecture::X86_64 => "x86_64",
    }
}

/// A function's `Layers`: `Ref` of an app layer (its version ARN), or the ARN as written.
pub(crate) fn function_layers(model: &Model, f: &Function) -> Option<super::doc::Doc> {
    if f.layers.is_empty() {
        return None;
    }
    let list: Vec<super::doc::Doc> = f
        .layers
        .iter()
        .map(|u| match &u.layer {
            LayerRef::App(id) => ref_(ids::layer(&model.layers[id.index].name)),
            LayerRef::Arn(i) => interp(model, i),
        })
        .collect();
    Some(super::doc::Doc::from(list))
}
