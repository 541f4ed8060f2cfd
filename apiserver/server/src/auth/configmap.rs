//! The `kube-system/extension-apiserver-authentication` ConfigMap: the client CA and the front
//! proxy's CA and header names, as kube-apiserver publishes them for aggregated servers. Read at
//! start and re-read periodically so a rotated CA applies without a restart; flags override it.

use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::Duration;

use serde::Deserialize;

use super::authn::{Authenticator, CaError, CaVerifier, DynamicConfig, RequestHeaderConfig};
use super::kubeclient::{KubeClient, KubeClientError};

pub const CONFIGMAP_PATH: &str =
    "/api/v1/namespaces/kube-system/configmaps/extension-apiserver-authentication";

#[derive(Debug, thiserror::Error)]
pub enum ConfigMapError {
    #[error("reading the extension-apiserver-authentication ConfigMap: {0}")]
    Read(#[from] KubeClientError),
    #[error("the extension-apiserver-authentication ConfigMap: {0}")]
    Decode(String),
    #[error("{0}")]
    Ca(#[from] CaError),
}

/// What the flags say; each set value wins over the ConfigMap's.
#[derive(Clone, Debug, Default)]
pub struct AuthenticationOverrides {
    pub client_ca_pem: Option<String>,
    pub requestheader_ca_pem: Option<String>,
    pub allowed_names: Vec<String>,
    pub username_headers: Vec<String>,
    pub uid_headers: Vec<String>,
    pub group_headers: Vec<String>,
    pub extra_headers_prefix: Vec<String>,
}

/// The ConfigMap's data, PEMs and JSON-encoded string arrays.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct AuthenticationData {
    pub client_ca_pem: Option<String>,
    pub requestheader_ca_pem: Option<String>,
    pub allowed_names: Vec<String>,
    pub username_headers: Vec<String>,
    pub uid_headers: Vec<String>,
    pub group_headers: Vec<String>,
    pub extra_headers_prefix: Vec<String>,
}

#[derive(Deserialize)]
struct ConfigMap {
    #[serde(default)]
    data: BTreeMap<String, String>,
}

impl AuthenticationData {
    pub fn from_configmap_json(bytes: &[u8]) -> Result<AuthenticationData, ConfigMapError> {
        let cm: ConfigMap =
            serde_json::from_slice(bytes).map_err(|e| ConfigMapError::Decode(e.to_string()))?;
        let pem = |k: &str| cm.data.get(k).filter(|v| !v.trim().is_empty()).cloned();
        // kube writes each list as a JSON array; an empty string means none.
        let list = |k: &str| -> Result<Vec<String>, ConfigMapError> {
            match cm.data.get(k).map(|v| v.trim()) {
                None | Some("") => Ok(Vec::new()),
                Some(v) => serde_json::from_str::<Vec<String>>(v)
                    .map_err(|e| ConfigMapError::Decode(format!("{k}: {e}"))),
            }
        };
        Ok(AuthenticationData {
            client_ca_pem: pem("client-ca-file"),
            requestheader_ca_pem: pem("requestheader-client-ca-file"),
            allowed_names: list("requestheader-allowed-names")?,
            username_headers: list("requestheader-username-headers")?,
            uid_headers: list("requestheader-uid-headers")?,
            group_headers: list("requestheader-group-headers")?,
            extra_headers_prefix: list("requestheader-extra-headers-prefix")?,
        })
    }

    pub async fn fetch(client: &KubeClient) -> Result<AuthenticationData, ConfigMapError> {
        let bytes = client
            .request(http::Method::GET, CONFIGMAP_PATH, None)
            .await?;
        AuthenticationData::from_configmap_json(&bytes)
    }
}

/// A flag set explicitly wins; otherwise the ConfigMap's value when the CA came from it (kube
/// takes the whole front-proxy configuration from one place), else kube's default.
fn pick(flag: &[String], configmap: &[String], from_configmap: bool, default: &str) -> Vec<String> {
    if !flag.is_empty() {
        flag.to_vec()
    } else if from_configmap {
        configmap.to_vec()
    } else {
        vec![default.to_string()]
    }
}

/// Flags over ConfigMap data (either may be empty), as the chain's trust.
pub fn build_config(
    flags: &AuthenticationOverrides,
    data: &AuthenticationData,
) -> Result<DynamicConfig, ConfigMapError> {
    let client_ca = flags
        .client_ca_pem
        .as_ref()
        .or(data.client_ca_pem.as_ref())
        .map(|pem| CaVerifier::from_pem(pem, "client CA"))
        .transpose()?;
    let (ca_pem, cm) = match (&flags.requestheader_ca_pem, &data.requestheader_ca_pem) {
        (Some(pem), _) => (Some(pem), false),
        (None, Some(pem)) => (Some(pem), true),
        (None, None) => (None, false),
    };
    let request_header = match ca_pem {
        None => None,
        Some(pem) => Some(RequestHeaderConfig {
            ca: CaVerifier::from_pem(pem, "requestheader client CA")?,
            allowed_names: if flags.allowed_names.is_empty() && cm {
                data.allowed_names.clone()
            } else {
                flags.allowed_names.clone()
            },
            username_headers: pick(
                &flags.username_headers,
                &data.username_headers,
                cm,
                "X-Remote-User",
            ),
            uid_headers: pick(&flags.uid_headers, &data.uid_headers, cm, "X-Remote-Uid"),
            group_headers: pick(
                &flags.group_headers,
                &data.group_headers,
                cm,
                "X-Remote-Group",
            ),
            extra_headers_prefix: pick(
                &flags.extra_headers_prefix,
                &data.extra_headers_prefix,
                cm,
                "X-Remote-Extra-",
            ),
        }),
    };
    Ok(DynamicConfig {
        request_header,
        client_ca,
    })
}

/// Re-reads the ConfigMap every `interval` and swaps the chain's trust when it changed; a read
/// that fails keeps the current trust.
pub fn spawn_reloader(
    client: Arc<KubeClient>,
    authenticator: Arc<Authenticator>,
    flags: AuthenticationOverrides,
    mut current: AuthenticationData,
    interval: Duration,
    mut shutdown: tokio::sync::watch::Receiver<bool>,
) {
    tokio::spawn(async move {
        loop {
            tokio::select! {
                _ = tokio::time::sleep(interval) => {}
                _ = shutdown.changed() => return,
            }
            let data = match AuthenticationData::fetch(&client).await {
                Ok(d) => d,
                Err(e) => {
                    tracing::warn!(error = %e, "keeping the current authentication configuration");
                    continue;
                }
            };
            if data == current {
                continue;
            }
            match build_config(&flags, &data) {
                Ok(config) => {
                    authenticator.set_config(config);
                    current = data;
                    tracing::info!("authentication configuration reloaded from the ConfigMap");
                }
                Err(e) => {
                    tracing::warn!(error = %e, "the new authentication configuration is invalid; keeping the current one");
                }
            }
        }
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lists_are_json_arrays_and_empty_is_none() {
        let cm = serde_json::json!({
            "apiVersion": "v1", "kind": "ConfigMap",
            "metadata": {"name": "extension-apiserver-authentication", "namespace": "kube-system"},
            "data": {
                "client-ca-file": "PEM",
                "requestheader-allowed-names": "[\"front-proxy-client\"]",
                "requestheader-username-headers": "[\"X-Remote-User\"]",
                "requestheader-group-headers": "[\"X-Remote-Group\"]",
                "requestheader-extra-headers-prefix": "[\"X-Remote-Extra-\"]",
                "requestheader-uid-headers": "",
                "requestheader-client-ca-file": "PEM2"
            }
        });
        let data = AuthenticationData::from_configmap_json(&serde_json::to_vec(&cm).expect("json"))
            .expect("data");
        assert_eq!(data.client_ca_pem.as_deref(), Some("PEM"));
        assert_eq!(data.allowed_names, ["front-proxy-client"]);
        assert_eq!(data.extra_headers_prefix, ["X-Remote-Extra-"]);
        assert!(data.uid_headers.is_empty());
        let bad =
            serde_json::json!({"data": {"requestheader-allowed-names": "front-proxy-client"}});
        assert!(
            AuthenticationData::from_configmap_json(&serde_json::to_vec(&bad).expect("json"))
                .is_err()
        );
    }
}
