//! HTTP API: the model's `api` (routes, authorizers, CORS) in, API Gateway v2 `Api`,
//! `Stage`, `Authorizer`, `Integration` and `Route` resources plus the Lambda permissions
//! that let API Gateway invoke the functions out.

use super::doc::cfn;
use super::functions::invoke_value;
use super::intrinsics::{interp, invoke_target, ref_, sub, tags_map};
use super::triggers::permission;
use super::{Group, Res, Resources};
use crate::model::{Authorizer, AuthorizerKind, Cors, Model, Route, RouteAuth, ids};
use serde_json::{Map, Value, json};

/// Whether the model renders an API at all (it needs at least one route).
pub(crate) fn has_api(model: &Model) -> bool {
    model.api.as_ref().is_some_and(|a| !a.routes.is_empty())
}

fn cors(c: &Cors) -> Value {
    let mut m = Map::new();
    m.insert("AllowOrigins".into(), json!(c.origins));
    if !c.methods.is_empty() {
        m.insert("AllowMethods".into(), json!(c.methods));
    }
    if !c.headers.is_empty() {
        m.insert("AllowHeaders".into(), json!(c.headers));
    }
    if !c.expose_headers.is_empty() {
        m.insert("ExposeHeaders".into(), json!(c.expose_headers));
    }
    if let Some(cred) = c.credentials {
        m.insert("AllowCredentials".into(), json!(cred));
    }
    if let Some(age) = c.max_age {
        m.insert("MaxAge".into(), json!(age));
    }
    Value::Object(m)
}

pub(crate) fn render_api(model: &Model, out: &mut Resources) {
    let Some(api) = &model.api else { return };
    out.add(
        ids::HTTP_API.to_string(),
        Res::new("AWS::ApiGatewayV2::Api")
            .prop("Name", model.stack_name.as_str())
            .prop("ProtocolType", "HTTP")
            .opt("CorsConfiguration", api.cors.as_ref().map(cors))
            .opt("Tags", tags_map(model)),
    );
    out.add(
        ids::HTTP_API_STAGE.to_string(),
        Res::new("AWS::ApiGatewayV2::Stage")
            .prop("ApiId", ref_(ids::HTTP_API))
            .prop("StageName", "$default")
            .prop("AutoDeploy", true)
            .opt("Tags", tags_map(model)),
    );
    for z in &api.authorizers {
        render_authorizer(model, z, out);
    }
    // A route, its integration and permission travel with the function they invoke.
    for r in &api.routes {
        out.set_group(Group::Function(r.function.index));
        render_route(model, api.authorizers.as_slice(), r, out);
    }
    out.set_group(Group::Shared);
}

fn render_authorizer(model: &Model, z: &Authorizer, out: &mut Resources) {
    let id = ids::authorizer(&z.name);
    let r = Res::new("AWS::ApiGatewayV2::Authorizer")
        .prop("ApiId", ref_(ids::HTTP_API))
        .prop("Name", z.name.as_str());
    match &z.kind {
        AuthorizerKind::Jwt { issuer, audience } => {
            let r = r
                .prop("AuthorizerType", "JWT")
                .prop("IdentitySource", cfn!(z.identity.clone()))
                .prop(
                    "JwtConfiguration",
                    cfn!({
                        "Issuer": interp(model, issuer),
                        "Audience": audience.iter().map(|a| interp(model, a)).collect::<Vec<_>>(),
                    }),
                );
            out.add(id, r);
        }
        AuthorizerKind::Lambda {
            function,
            cache_ttl,
            ..
        } => {
            let target = invoke_target(model, function.index).sub_text();
            let uri = format!(
                "arn:${{AWS::Partition}}:apigateway:${{AWS::Region}}:lambda:path/2015-03-31/functions/{target}/invocations"
            );
            let r = r
                .prop("AuthorizerType", "REQUEST")
                .prop("IdentitySource", cfn!(z.identity.clone()))
                .prop("AuthorizerPayloadFormatVersion", "2.0")
                .prop("EnableSimpleResponses", true)
                .prop("AuthorizerResultTtlInSeconds", *cache_ttl)
                .prop("AuthorizerUri", sub(uri));
            out.add(id.clone(), r);
            let source_arn = format!(
                "arn:${{AWS::Partition}}:execute-api:${{AWS::Region}}:${{AWS::AccountId}}:${{{}}}/authorizers/${{{id}}}",
                ids::HTTP_API
            );
            out.add(
                ids::authorizer_permission(&z.name),
                permission(
                    model,
                    function.index,
                    "apigateway.amazonaws.com",
                    sub(source_arn),
                ),
            );
        }
    }
}

/// `METHOD/path` of a route's execute-api ARN: `ANY` becomes `*`, path parameters
/// (`{id}`, `{proxy+}`) become `*`; `$default` stays `$default`.
pub(crate) fn route_arn_suffix(r: &Route) -> String {
    let (Some(method), Some(path)) = (&r.method, &r.path) else {
        return "$default".to_string();
    };
    let method = if method == "ANY" {
        "*"
    } else {
        method.as_str()
    };
    let path: Vec<&str> = path
        .split('/')
        .map(|seg| {
            if seg.starts_with('{') && seg.ends_with('}') {
                "*"
            } else {
                seg
            }
        })
        .collect();
    format!("{method}{}", path.join("/"))
}

/// The route key normalised to `METHOD /path` (or `$default`).
fn route_key(r: &Route) -> String {
    match (&r.method, &r.path) {
        (Some(m), Some(p)) => format!("{m} {p}"),
        _ => "$default".to_string(),
    }
}

fn render_route(model: &Model, authorizers: &[Authorizer], r: &Route, out: &mut Resources) {
    let integration_id = ids::route_integration(&r.key);
    out.add(
        integration_id.clone(),
        Res::new("AWS::ApiGatewayV2::Integration")
            .prop("ApiId", ref_(ids::HTTP_API))
            .prop("IntegrationType", "AWS_PROXY")
            .prop("IntegrationUri", invoke_value(model, r.function.index))
            .prop("PayloadFormatVersion", "2.0"),
    );
    let mut route = Res::new("AWS::ApiGatewayV2::Route")
        .prop("ApiId", ref_(ids::HTTP_API))
        .prop("RouteKey", route_key(r))
        .prop("Target", sub(format!("integrations/${{{integration_id}}}")));
    route = match &r.auth {
        RouteAuth::Authorizer(i, _) => {
            let z = &authorizers[*i];
            let kind = match z.kind {
                AuthorizerKind::Jwt { .. } => "JWT",
                AuthorizerKind::Lambda { .. } => "CUSTOM",
            };
            route
                .prop("AuthorizationType", kind)
                .prop("AuthorizerId", ref_(ids::authorizer(&z.name)))
        }
        RouteAuth::Iam(_) => route.prop("AuthorizationType", "AWS_IAM"),
        RouteAuth::Public(_) | RouteAuth::Unset => route.prop("AuthorizationType", "NONE"),
    };
    out.add(ids::route(&r.key), route);
    let source_arn = format!(
        "arn:${{AWS::Partition}}:execute-api:${{AWS::Region}}:${{AWS::AccountId}}:${{{}}}/*/{}",
        ids::HTTP_API,
        route_arn_suffix(r)
    );
    out.add(
        ids::route_permission(&r.key),
        permission(
            model,
            r.function.index,
            "apigateway.amazonaws.com",
            sub(source_arn),
        ),
    );
}
