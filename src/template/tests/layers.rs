//! Layers: `layers:` and functions' `layers:` in, `AWS::Lambda::LayerVersion` resources
//! and each function's `Layers` out.

use super::{props, res, tpl};
use crate::graph::{EdgeKind, NodeKind};
use crate::testing::compile_str;
use serde_json::json;

const APP: &str = r#"
version: 1
app: shop
defaults:
  function: { runtime: python3.13, architecture: arm64, layers: [imaging] }
layers:
  imaging:
    code: examples/resizer/layers/imaging
    description: Image helpers
    runtimes: [python3.13]
    architectures: [arm64]
    license: MIT
  plain: { code: examples/resizer/layers/imaging }
functions:
  inherits: { handler: a.h, code: s3://b/a.zip }
  own:
    handler: b.h
    code: s3://b/b.zip
    layers: [plain, "arn:aws:lambda:${region}:123456789012:layer:x:1", imaging]
  none: { handler: c.h, code: s3://b/c.zip, layers: [] }
"#;

#[test]
fn a_layer_is_a_retained_layer_version_of_its_content_addressed_zip() {
    let c = compile_str(APP, None);
    let t = &c.template;
    let r = res(t, "ImagingLayer");
    assert_eq!(r["Type"], "AWS::Lambda::LayerVersion");
    assert_eq!(r["DeletionPolicy"], "Retain");
    assert_eq!(r["UpdateReplacePolicy"], "Retain");
    let p = props(t, "ImagingLayer");
    assert_eq!(p["LayerName"], "shop-dev-imaging");
    assert_eq!(p["Description"], "Image helpers");
    assert_eq!(p["CompatibleRuntimes"], json!(["python3.13"]));
    assert_eq!(p["CompatibleArchitectures"], json!(["arm64"]));
    assert_eq!(p["LicenseInfo"], "MIT");
    assert_eq!(p["Content"]["S3Bucket"], json!({ "Ref": "ArtifactBucket" }));
    let key = p["Content"]["S3Key"].as_str().expect("key");
    assert!(key.starts_with("shop/dev/layers/imaging-"), "{key}");
    assert_eq!(
        key.len(),
        "shop/dev/layers/imaging-".len() + 64 + ".zip".len()
    );
    // One directory, two layers: one content, one key; no compatibility lists when none
    // are written.
    let plain = props(t, "PlainLayer");
    assert_eq!(plain["Content"]["S3Key"], key);
    assert!(plain.get("CompatibleRuntimes").is_none());
    assert!(plain.get("CompatibleArchitectures").is_none());
    // Only layers need the artifact bucket here (every function's code is in S3).
    assert!(t.value()["Parameters"]["ArtifactBucket"].is_object());
}

#[test]
fn functions_list_their_layers_or_the_defaults() {
    let t = tpl(APP);
    assert_eq!(
        props(&t, "InheritsFunction")["Layers"],
        json!([{ "Ref": "ImagingLayer" }])
    );
    // A function's own list replaces the default one, in its order; ARNs resolve.
    assert_eq!(
        props(&t, "OwnFunction")["Layers"],
        json!([
            { "Ref": "PlainLayer" },
            { "Fn::Sub": "arn:aws:lambda:${AWS::Region}:123456789012:layer:x:1" },
            { "Ref": "ImagingLayer" }
        ])
    );
    assert!(props(&t, "NoneFunction").get("Layers").is_none());
}

#[test]
fn functions_use_layers_in_the_graph() {
    let c = compile_str(APP, None);
    let g = &c.graph;
    let layer = g
        .nodes()
        .find(|(_, n)| n.kind == NodeKind::Layer && n.name == "imaging")
        .map(|(i, _)| i)
        .expect("layer node");
    let mut users: Vec<&str> = g
        .incoming(layer, &[EdgeKind::UsesLayer])
        .iter()
        .map(|(f, _)| g.graph[*f].name.as_str())
        .collect();
    users.sort();
    assert_eq!(users, ["inherits", "own"]);
    assert_eq!(g.graph[layer].id, "layer:imaging");
}

#[test]
fn layer_keys_are_shared_per_content_and_change_with_it() {
    let d = tempfile::tempdir().expect("tmp");
    std::fs::create_dir_all(d.path().join("deps/python")).expect("mkdir");
    std::fs::write(d.path().join("deps/python/lib.py"), "X = 1\n").expect("write");
    let spec = format!(
        "version: 1\napp: shop\nlayers: {{ deps: {{ code: {} }} }}\n",
        d.path().join("deps").display()
    );
    let key = |t: &super::Template| props(t, "DepsLayer")["Content"]["S3Key"].clone();
    let before = key(&tpl(&spec));
    assert_eq!(before, key(&tpl(&spec)), "deterministic");
    std::fs::write(d.path().join("deps/python/lib.py"), "X = 2\n").expect("write");
    assert_ne!(before, key(&tpl(&spec)), "new content, new key");
}
