//! A kubeconfig that kubectl and client libraries accept: one cluster, one user with a client
//! certificate, one context, all data embedded.

use std::path::Path;

use base64::Engine;
use serde::{Deserialize, Serialize};

use crate::error::Result;
use crate::files::{PRIVATE_MODE, write_atomic};

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "kebab-case")]
pub struct Kubeconfig {
    #[serde(rename = "apiVersion")]
    pub api_version: String,
    pub kind: String,
    pub clusters: Vec<NamedCluster>,
    pub users: Vec<NamedUser>,
    pub contexts: Vec<NamedContext>,
    pub current_context: String,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct NamedCluster {
    pub name: String,
    pub cluster: Cluster,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "kebab-case")]
pub struct Cluster {
    pub server: String,
    pub certificate_authority_data: String,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct NamedUser {
    pub name: String,
    pub user: User,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "kebab-case")]
pub struct User {
    pub client_certificate_data: String,
    pub client_key_data: String,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct NamedContext {
    pub name: String,
    pub context: Context,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct Context {
    pub cluster: String,
    pub user: String,
}

impl Kubeconfig {
    /// One cluster, user and context, all named `context_name`, as `kind` and `k3s` write theirs.
    pub fn new(
        server_url: &str,
        ca_pem: &str,
        client_cert_pem: &str,
        client_key_pem: &str,
        context_name: &str,
    ) -> Self {
        let b64 = |s: &str| base64::engine::general_purpose::STANDARD.encode(s.as_bytes());
        Self {
            api_version: "v1".to_string(),
            kind: "Config".to_string(),
            clusters: vec![NamedCluster {
                name: context_name.to_string(),
                cluster: Cluster {
                    server: server_url.to_string(),
                    certificate_authority_data: b64(ca_pem),
                },
            }],
            users: vec![NamedUser {
                name: context_name.to_string(),
                user: User {
                    client_certificate_data: b64(client_cert_pem),
                    client_key_data: b64(client_key_pem),
                },
            }],
            contexts: vec![NamedContext {
                name: context_name.to_string(),
                context: Context {
                    cluster: context_name.to_string(),
                    user: context_name.to_string(),
                },
            }],
            current_context: context_name.to_string(),
        }
    }

    pub fn to_yaml(&self) -> Result<String> {
        Ok(serde_yaml::to_string(self)?)
    }
}

/// Writes a kubeconfig for a client certificate to `path`, mode 0600 (it holds a private key).
pub fn write_kubeconfig(
    path: impl AsRef<Path>,
    server_url: &str,
    ca_pem: &str,
    client_cert_pem: &str,
    client_key_pem: &str,
    context_name: &str,
) -> Result<()> {
    let config = Kubeconfig::new(
        server_url,
        ca_pem,
        client_cert_pem,
        client_key_pem,
        context_name,
    );
    write_atomic(path.as_ref(), config.to_yaml()?.as_bytes(), PRIVATE_MODE)
}
