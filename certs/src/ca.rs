//! The certificate authority and the certificates it issues.

use std::net::IpAddr;
use std::path::Path;
use std::time::{Duration, SystemTime};

use base64::Engine;
use rcgen::{
    BasicConstraints, CertificateParams, DistinguishedName, DnType, ExtendedKeyUsagePurpose, IsCa,
    Issuer, KeyPair, KeyUsagePurpose, SanType,
};

use crate::error::{Error, Result};
use crate::files::read_string;
use crate::inspect::CertInfo;

/// How long a generated CA is valid by default.
pub const DEFAULT_CA_VALIDITY: Duration = Duration::from_secs(10 * 365 * 24 * 3600);
/// How long a serving or client certificate is valid by default.
pub const DEFAULT_LEAF_VALIDITY: Duration = Duration::from_secs(365 * 24 * 3600);
/// Backdating of not_before, so that a peer whose clock is a little behind still accepts a
/// freshly issued certificate.
const CLOCK_SKEW: Duration = Duration::from_secs(5 * 60);

/// The validity window of a certificate.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Validity {
    pub not_before: SystemTime,
    pub not_after: SystemTime,
}

impl Validity {
    /// An explicit window; `not_before` must precede `not_after`.
    pub fn between(not_before: SystemTime, not_after: SystemTime) -> Result<Self> {
        if not_before >= not_after {
            return Err(Error::InvalidValidity(
                "not_before must precede not_after".to_string(),
            ));
        }
        Ok(Self {
            not_before,
            not_after,
        })
    }

    /// Valid from now (minus a few minutes of clock skew) for `duration`.
    pub fn from_now(duration: Duration) -> Self {
        let now = SystemTime::now();
        Self {
            not_before: now.checked_sub(CLOCK_SKEW).unwrap_or(now),
            // Saturates at the last date X.509 can express rather than overflowing.
            not_after: now
                .checked_add(duration)
                .unwrap_or(SystemTime::UNIX_EPOCH + Duration::from_secs(MAX_X509_SECS))
                .min(SystemTime::UNIX_EPOCH + Duration::from_secs(MAX_X509_SECS)),
        }
    }
}

impl From<Duration> for Validity {
    fn from(duration: Duration) -> Self {
        Self::from_now(duration)
    }
}

/// A certificate and its private key, both PEM.
#[derive(Clone, PartialEq, Eq)]
pub struct CertifiedKey {
    pub cert_pem: String,
    pub key_pem: String,
}

impl std::fmt::Debug for CertifiedKey {
    // The key stays out of logs.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("CertifiedKey")
            .field("cert_pem", &self.cert_pem)
            .finish_non_exhaustive()
    }
}

impl CertifiedKey {
    /// What the certificate says.
    pub fn info(&self) -> Result<CertInfo> {
        CertInfo::from_pem(&self.cert_pem, "certificate")
    }
}

/// A certificate authority: a self-signed CA certificate and its key.
pub struct Ca {
    issuer: Issuer<'static, KeyPair>,
    cert_pem: String,
    key_pem: String,
}

impl std::fmt::Debug for Ca {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Ca")
            .field("cert_pem", &self.cert_pem)
            .finish_non_exhaustive()
    }
}

/// The last instant X.509 can express (GeneralizedTime 99991231235959Z).
const MAX_X509_SECS: u64 = 253_402_300_799;

fn to_offset_date_time(t: SystemTime) -> Result<time::OffsetDateTime> {
    let out_of_range = || Error::InvalidValidity("time outside 1950..=9999".to_string());
    let secs = match t.duration_since(SystemTime::UNIX_EPOCH) {
        Ok(d) => i64::try_from(d.as_secs()).map_err(|_| out_of_range())?,
        Err(e) => -i64::try_from(e.duration().as_secs()).map_err(|_| out_of_range())?,
    };
    // X.509 encodes dates from 1950 (UTCTime) to 9999 (GeneralizedTime).
    const MIN_X509_SECS: i64 = -631_152_000;
    if !(MIN_X509_SECS..=MAX_X509_SECS as i64).contains(&secs) {
        return Err(out_of_range());
    }
    time::OffsetDateTime::from_unix_timestamp(secs).map_err(|_| out_of_range())
}

fn apply_validity(params: &mut CertificateParams, validity: Validity) -> Result<()> {
    if validity.not_before >= validity.not_after {
        return Err(Error::InvalidValidity(
            "not_before must precede not_after".to_string(),
        ));
    }
    params.not_before = to_offset_date_time(validity.not_before)?;
    params.not_after = to_offset_date_time(validity.not_after)?;
    Ok(())
}

impl Ca {
    /// Generates a self-signed ECDSA P-256 CA valid for ten years.
    pub fn generate(common_name: &str) -> Result<Self> {
        Self::generate_with_validity(common_name, Validity::from_now(DEFAULT_CA_VALIDITY))
    }

    /// Generates a self-signed ECDSA P-256 CA with the given validity.
    pub fn generate_with_validity(
        common_name: &str,
        validity: impl Into<Validity>,
    ) -> Result<Self> {
        let key = KeyPair::generate_for(&rcgen::PKCS_ECDSA_P256_SHA256)?;
        let mut params = CertificateParams::default();
        params.distinguished_name = DistinguishedName::new();
        params
            .distinguished_name
            .push(DnType::CommonName, common_name);
        // No path length limit is needed: this CA signs leaves only, and pathlen 0 says so.
        params.is_ca = IsCa::Ca(BasicConstraints::Constrained(0));
        params.key_usages = vec![
            KeyUsagePurpose::DigitalSignature,
            KeyUsagePurpose::KeyCertSign,
            KeyUsagePurpose::CrlSign,
        ];
        apply_validity(&mut params, validity.into())?;
        let cert = params.self_signed(&key)?;
        let key_pem = key.serialize_pem();
        Ok(Self {
            cert_pem: cert.pem(),
            key_pem,
            issuer: Issuer::new(params, key),
        })
    }

    /// Loads a CA from PEM files (certificate, and its PKCS#8 private key).
    pub fn load(cert_pem_path: impl AsRef<Path>, key_pem_path: impl AsRef<Path>) -> Result<Self> {
        let cert_path = cert_pem_path.as_ref();
        let key_path = key_pem_path.as_ref();
        Self::from_pem(
            &read_string(cert_path)?,
            &read_string(key_path)?,
            &cert_path.display().to_string(),
        )
    }

    /// Builds a CA from PEM text; `what` names it in errors.
    pub fn from_pem(cert_pem: &str, key_pem: &str, what: &str) -> Result<Self> {
        let info = CertInfo::from_pem(cert_pem, what)?;
        if !info.is_ca {
            return Err(Error::NotCa {
                what: what.to_string(),
            });
        }
        // Checks that the key belongs to the certificate before anything is signed with it.
        crate::pem::certified_key_from_pem(cert_pem, key_pem, what)?;
        let key = KeyPair::from_pem(key_pem).map_err(|e| Error::InvalidKey {
            what: what.to_string(),
            message: e.to_string(),
        })?;
        let issuer =
            Issuer::from_ca_cert_pem(cert_pem, key).map_err(|e| Error::InvalidCertificate {
                what: what.to_string(),
                message: e.to_string(),
            })?;
        Ok(Self {
            issuer,
            cert_pem: cert_pem.to_string(),
            key_pem: key_pem.to_string(),
        })
    }

    pub fn cert_pem(&self) -> &str {
        &self.cert_pem
    }

    pub fn key_pem(&self) -> &str {
        &self.key_pem
    }

    /// The `caBundle` of an APIService or webhook configuration: the PEM, base64-encoded.
    pub fn bundle_base64(&self) -> String {
        base64::engine::general_purpose::STANDARD.encode(self.cert_pem.as_bytes())
    }

    /// What the CA certificate says.
    pub fn info(&self) -> Result<CertInfo> {
        CertInfo::from_pem(&self.cert_pem, "CA certificate")
    }

    /// Issues a serving certificate (serverAuth) for the given DNS names and IP addresses.
    /// A "DNS name" that parses as an IP address becomes an IP SAN.
    /// The first DNS name (or IP) is also the subject CN, for tools that still display it.
    pub fn issue_serving(
        &self,
        dns_names: &[impl AsRef<str>],
        ip_addresses: &[IpAddr],
        validity: impl Into<Validity>,
    ) -> Result<CertifiedKey> {
        if dns_names.is_empty() && ip_addresses.is_empty() {
            return Err(Error::InvalidName {
                name: String::new(),
                message: "a serving certificate needs at least one DNS name or IP address"
                    .to_string(),
            });
        }
        let mut sans = Vec::with_capacity(dns_names.len() + ip_addresses.len());
        for name in dns_names {
            let name = name.as_ref();
            // An address written as a name belongs in an IP SAN: Go and webpki never match an
            // IP against a DNS SAN.
            if let Ok(ip) = name.parse::<IpAddr>() {
                sans.push(SanType::IpAddress(ip));
                continue;
            }
            validate_dns_name(name)?;
            let ia5 =
                name.to_string()
                    .try_into()
                    .map_err(|e: rcgen::Error| Error::InvalidName {
                        name: name.to_string(),
                        message: e.to_string(),
                    })?;
            sans.push(SanType::DnsName(ia5));
        }
        sans.extend(ip_addresses.iter().copied().map(SanType::IpAddress));
        let common_name = dns_names
            .first()
            .map(|d| d.as_ref().to_string())
            .or_else(|| ip_addresses.first().map(IpAddr::to_string))
            .unwrap_or_default();
        let mut params = leaf_params(&common_name, validity.into())?;
        params.subject_alt_names = sans;
        params.extended_key_usages = vec![ExtendedKeyUsagePurpose::ServerAuth];
        self.sign(params)
    }

    /// Issues a client certificate (clientAuth) as Kubernetes reads one: CN is the user name,
    /// each O is a group.
    pub fn issue_client(
        &self,
        common_name: &str,
        organizations: &[impl AsRef<str>],
        validity: impl Into<Validity>,
    ) -> Result<CertifiedKey> {
        if common_name.is_empty() {
            return Err(Error::InvalidName {
                name: String::new(),
                message: "a client certificate needs a common name (the user name)".to_string(),
            });
        }
        let mut params = leaf_params(common_name, validity.into())?;
        params.extended_key_usages = vec![ExtendedKeyUsagePurpose::ClientAuth];
        let key = KeyPair::generate_for(&rcgen::PKCS_ECDSA_P256_SHA256)?;
        let cert = params.signed_by(&key, &self.issuer)?;
        let organizations: Vec<String> = organizations
            .iter()
            .map(|o| o.as_ref().to_string())
            .collect();
        let subject = crate::der::client_subject(common_name, &organizations);
        let der = crate::der::replace_subject(cert.der(), &subject, self.issuer.key())?;
        Ok(CertifiedKey {
            cert_pem: pem_encode("CERTIFICATE", &der),
            key_pem: key.serialize_pem(),
        })
    }

    fn sign(&self, params: CertificateParams) -> Result<CertifiedKey> {
        let key = KeyPair::generate_for(&rcgen::PKCS_ECDSA_P256_SHA256)?;
        let cert = params.signed_by(&key, &self.issuer)?;
        Ok(CertifiedKey {
            cert_pem: cert.pem(),
            key_pem: key.serialize_pem(),
        })
    }
}

fn leaf_params(common_name: &str, validity: Validity) -> Result<CertificateParams> {
    let mut params = CertificateParams::default();
    params.distinguished_name = DistinguishedName::new();
    params
        .distinguished_name
        .push(DnType::CommonName, common_name);
    params.is_ca = IsCa::ExplicitNoCa;
    // ECDSA keys sign; keyEncipherment applies to RSA key transport only.
    params.key_usages = vec![KeyUsagePurpose::DigitalSignature];
    params.use_authority_key_identifier_extension = true;
    apply_validity(&mut params, validity)?;
    Ok(params)
}

/// A DNS SAN as Go and webpki accept it: labels of letters, digits and '-', an optional
/// leading "*." wildcard, at most 253 characters.
fn validate_dns_name(name: &str) -> Result<()> {
    let bad = |message: &str| Error::InvalidName {
        name: name.to_string(),
        message: message.to_string(),
    };
    let host = name.strip_prefix("*.").unwrap_or(name);
    if host.is_empty() || name.len() > 253 {
        return Err(bad("must be 1 to 253 characters"));
    }
    for label in host.split('.') {
        if label.is_empty() || label.len() > 63 {
            return Err(bad("each label must be 1 to 63 characters"));
        }
        if label.starts_with('-') || label.ends_with('-') {
            return Err(bad("a label must not start or end with '-'"));
        }
        if !label
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
        {
            return Err(bad("only letters, digits, '-' and '_' are allowed"));
        }
    }
    Ok(())
}

pub(crate) fn pem_encode(label: &str, der: &[u8]) -> String {
    let b64 = base64::engine::general_purpose::STANDARD.encode(der);
    let mut out = format!("-----BEGIN {label}-----\n");
    // Line-wrapped at 64 columns as RFC 7468 asks.
    for chunk in b64.as_bytes().chunks(64) {
        out.push_str(&String::from_utf8_lossy(chunk));
        out.push('\n');
    }
    out.push_str(&format!("-----END {label}-----\n"));
    out
}
