//! IAM and STS for `bootstrap --ci`: typed requests in, the calls made through the AWS SDK
//! ([`SdkIamApi`], the one implementation of [`IamApi`]); the account, the OIDC provider
//! and the roles as IAM has them out.

use super::DeployError;
use crate::aws_error::{AwsError, from_sdk};
use aws_sdk_iam as iam;
use serde_json::Value;

/// Who the credentials belong to (STS GetCallerIdentity).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Caller {
    pub partition: String,
    pub account: String,
    pub arn: String,
}

/// An OIDC identity provider as IAM has it.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Provider {
    pub client_ids: Vec<String>,
    pub thumbprints: Vec<String>,
}

/// A role as IAM has it: its trust policy and its inline policy `fnplan` (if any).
#[derive(Clone, Debug, PartialEq)]
pub struct RoleState {
    pub arn: String,
    pub path: String,
    pub description: Option<String>,
    pub trust: Value,
    pub policy: Option<Value>,
}

/// A role to create.
#[derive(Clone, Debug)]
pub struct NewRole<'a> {
    pub name: &'a str,
    pub path: &'a str,
    pub description: &'a str,
    pub trust: &'a Value,
}

/// The IAM and STS calls `bootstrap --ci` makes.
#[allow(async_fn_in_trait)]
pub trait IamApi {
    async fn caller(&self) -> Result<Caller, DeployError>;
    /// `None` when there is no provider with this ARN.
    async fn provider(&self, arn: &str) -> Result<Option<Provider>, DeployError>;
    /// Create the provider of `url`; its ARN.
    async fn create_provider(
        &self,
        url: &str,
        client_ids: &[&str],
        thumbprints: &[&str],
    ) -> Result<String, DeployError>;
    async fn add_client_id(&self, arn: &str, client_id: &str) -> Result<(), DeployError>;
    async fn delete_provider(&self, arn: &str) -> Result<(), DeployError>;
    /// `None` when there is no such role; `policy_name`: the inline policy to read.
    async fn role(&self, name: &str, policy_name: &str) -> Result<Option<RoleState>, DeployError>;
    async fn create_role(&self, role: &NewRole<'_>) -> Result<String, DeployError>;
    async fn update_trust(&self, name: &str, trust: &Value) -> Result<(), DeployError>;
    async fn update_description(&self, name: &str, description: &str) -> Result<(), DeployError>;
    async fn put_policy(&self, name: &str, policy: &str, doc: &Value) -> Result<(), DeployError>;
    /// Delete inline policy `policy` (if there) and then the role.
    async fn delete_role(&self, name: &str, policy: &str) -> Result<(), DeployError>;
    /// The trust policies of every role under `path`, by role name.
    async fn roles_under(&self, path: &str) -> Result<Vec<(String, Value)>, DeployError>;
}

pub struct SdkIamApi {
    iam: iam::Client,
    sts: aws_sdk_sts::Client,
}

impl SdkIamApi {
    pub fn new(config: &aws_config::SdkConfig) -> Self {
        SdkIamApi {
            iam: iam::Client::new(config),
            sts: aws_sdk_sts::Client::new(config),
        }
    }
}

fn err<E, R>(operation: &'static str, e: iam::error::SdkError<E, R>) -> DeployError
where
    E: iam::error::ProvideErrorMetadata + std::error::Error + 'static,
    R: std::fmt::Debug,
{
    from_sdk(operation, e).into()
}

/// Whether IAM answered "no such entity".
fn is_missing(e: &DeployError) -> bool {
    matches!(e, DeployError::Aws(AwsError::Service { code, .. }) if code == "NoSuchEntity")
}

/// IAM returns policy documents URL-encoded (RFC 3986); some endpoints return them as
/// they are. Decode when that is what it takes to read JSON.
pub fn policy_document(text: &str) -> Result<Value, DeployError> {
    if let Ok(v) = serde_json::from_str(text) {
        return Ok(v);
    }
    let decoded = percent_decode(text);
    serde_json::from_str(&decoded)
        .map_err(|e| DeployError::BadTemplate(format!("an IAM policy document: {e}")))
}

fn percent_decode(s: &str) -> String {
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        let hex = |c: u8| (c as char).to_digit(16);
        if b[i] == b'%'
            && i + 2 < b.len()
            && let (Some(h), Some(l)) = (hex(b[i + 1]), hex(b[i + 2]))
        {
            out.push((h * 16 + l) as u8);
            i += 3;
            continue;
        }
        out.push(b[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

impl IamApi for SdkIamApi {
    async fn caller(&self) -> Result<Caller, DeployError> {
        let out = self
            .sts
            .get_caller_identity()
            .send()
            .await
            .map_err(|e| DeployError::from(from_sdk("GetCallerIdentity", e)))?;
        let arn = out.arn().unwrap_or_default().to_string();
        let partition = arn
            .split(':')
            .nth(1)
            .filter(|p| !p.is_empty())
            .unwrap_or("aws");
        Ok(Caller {
            partition: partition.to_string(),
            account: out.account().unwrap_or_default().to_string(),
            arn,
        })
    }

    async fn provider(&self, arn: &str) -> Result<Option<Provider>, DeployError> {
        let out = self
            .iam
            .get_open_id_connect_provider()
            .open_id_connect_provider_arn(arn)
            .send()
            .await
            .map_err(|e| err("GetOpenIDConnectProvider", e));
        match out {
            Ok(o) => Ok(Some(Provider {
                client_ids: o.client_id_list().to_vec(),
                thumbprints: o.thumbprint_list().to_vec(),
            })),
            Err(e) if is_missing(&e) => Ok(None),
            Err(e) => Err(e),
        }
    }

    async fn create_provider(
        &self,
        url: &str,
        client_ids: &[&str],
        thumbprints: &[&str],
    ) -> Result<String, DeployError> {
        let mut b = self.iam.create_open_id_connect_provider().url(url);
        for c in client_ids {
            b = b.client_id_list(*c);
        }
        for t in thumbprints {
            b = b.thumbprint_list(*t);
        }
        let out = b
            .tags(
                iam::types::Tag::builder()
                    .key("fnplan:ci")
                    .value("true")
                    .build()
                    .map_err(|e| DeployError::BadTemplate(format!("a tag: {e}")))?,
            )
            .send()
            .await
            .map_err(|e| err("CreateOpenIDConnectProvider", e))?;
        Ok(out
            .open_id_connect_provider_arn()
            .unwrap_or_default()
            .to_string())
    }

    async fn add_client_id(&self, arn: &str, client_id: &str) -> Result<(), DeployError> {
        self.iam
            .add_client_id_to_open_id_connect_provider()
            .open_id_connect_provider_arn(arn)
            .client_id(client_id)
            .send()
            .await
            .map_err(|e| err("AddClientIDToOpenIDConnectProvider", e))?;
        Ok(())
    }

    async fn delete_provider(&self, arn: &str) -> Result<(), DeployError> {
        self.iam
            .delete_open_id_connect_provider()
            .open_id_connect_provider_arn(arn)
            .send()
            .await
            .map_err(|e| err("DeleteOpenIDConnectProvider", e))?;
        Ok(())
    }

    async fn role(&self, name: &str, policy_name: &str) -> Result<Option<RoleState>, DeployError> {
        let out = self
            .iam
            .get_role()
            .role_name(name)
            .send()
            .await
            .map_err(|e| err("GetRole", e));
        let role = match out {
            Ok(o) => o.role,
            Err(e) if is_missing(&e) => return Ok(None),
            Err(e) => return Err(e),
        };
        let Some(role) = role else { return Ok(None) };
        let trust = policy_document(role.assume_role_policy_document().unwrap_or("{}"))?;
        let policy = self
            .iam
            .get_role_policy()
            .role_name(name)
            .policy_name(policy_name)
            .send()
            .await
            .map_err(|e| err("GetRolePolicy", e));
        let policy = match policy {
            Ok(p) => Some(policy_document(p.policy_document())?),
            Err(e) if is_missing(&e) => None,
            Err(e) => return Err(e),
        };
        Ok(Some(RoleState {
            arn: role.arn().to_string(),
            path: role.path().to_string(),
            description: role.description().map(str::to_string),
            trust,
            policy,
        }))
    }

    async fn create_role(&self, role: &NewRole<'_>) -> Result<String, DeployError> {
        let out = self
            .iam
            .create_role()
            .role_name(role.name)
            .path(role.path)
            .description(role.description)
            .assume_role_policy_document(role.trust.to_string())
            .max_session_duration(3600)
            .send()
            .await
            .map_err(|e| err("CreateRole", e))?;
        Ok(out.role.map(|r| r.arn).unwrap_or_default())
    }

    async fn update_trust(&self, name: &str, trust: &Value) -> Result<(), DeployError> {
        self.iam
            .update_assume_role_policy()
            .role_name(name)
            .policy_document(trust.to_string())
            .send()
            .await
            .map_err(|e| err("UpdateAssumeRolePolicy", e))?;
        Ok(())
    }

    async fn update_description(&self, name: &str, description: &str) -> Result<(), DeployError> {
        self.iam
            .update_role()
            .role_name(name)
            .description(description)
            .send()
            .await
            .map_err(|e| err("UpdateRole", e))?;
        Ok(())
    }

    async fn put_policy(&self, name: &str, policy: &str, doc: &Value) -> Result<(), DeployError> {
        self.iam
            .put_role_policy()
            .role_name(name)
            .policy_name(policy)
            .policy_document(doc.to_string())
            .send()
            .await
            .map_err(|e| err("PutRolePolicy", e))?;
        Ok(())
    }

    async fn delete_role(&self, name: &str, policy: &str) -> Result<(), DeployError> {
        let out = self
            .iam
            .delete_role_policy()
            .role_name(name)
            .policy_name(policy)
            .send()
            .await
            .map_err(|e| err("DeleteRolePolicy", e));
        match out {
            Ok(_) => {}
            Err(e) if is_missing(&e) => {}
            Err(e) => return Err(e),
        }
        self.iam
            .delete_role()
            .role_name(name)
            .send()
            .await
            .map_err(|e| err("DeleteRole", e))?;
        Ok(())
    }

    async fn roles_under(&self, path: &str) -> Result<Vec<(String, Value)>, DeployError> {
        let mut out = Vec::new();
        let mut marker: Option<String> = None;
        loop {
            let page = self
                .iam
                .list_roles()
                .path_prefix(path)
                .set_marker(marker.clone())
                .send()
                .await
                .map_err(|e| err("ListRoles", e))?;
            for r in page.roles() {
                let doc = r.assume_role_policy_document().unwrap_or("{}");
                out.push((r.role_name().to_string(), policy_document(doc)?));
            }
            marker = page.marker().map(str::to_string);
            if !page.is_truncated() || marker.is_none() {
                break;
            }
        }
        Ok(out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn policy_documents_are_read_encoded_or_not() {
        let plain = r#"{"Version":"2012-10-17","Statement":[]}"#;
        assert_eq!(
            policy_document(plain).expect("plain")["Version"],
            "2012-10-17"
        );
        let encoded = "%7B%22Version%22%3A%222012-10-17%22%2C%22Statement%22%3A%5B%5D%7D";
        assert_eq!(
            policy_document(encoded).expect("encoded")["Version"],
            "2012-10-17"
        );
        assert!(policy_document("%7").is_err());
    }
}
