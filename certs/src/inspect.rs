//! Reading back what a certificate says: validity, names, issuer signature.

use std::net::IpAddr;
use std::time::{Duration, SystemTime};

use x509_parser::extensions::GeneralName;
use x509_parser::prelude::{FromDer, X509Certificate};

use crate::error::{Error, Result};
use crate::pem::parse_cert_chain;

/// The facts of one certificate that the PKI setup and the tests look at.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CertInfo {
    /// Subject CN: the user name, for a Kubernetes client certificate.
    pub common_name: Option<String>,
    /// Subject O values: the groups, for a Kubernetes client certificate.
    pub organizations: Vec<String>,
    pub dns_names: Vec<String>,
    pub ip_addresses: Vec<IpAddr>,
    pub not_before: SystemTime,
    pub not_after: SystemTime,
    pub is_ca: bool,
    /// DER of the SubjectPublicKeyInfo, to verify certificates this one signed.
    spki_der: Vec<u8>,
    /// DER of the whole certificate.
    der: Vec<u8>,
}

fn invalid(what: &str, message: impl ToString) -> Error {
    Error::InvalidCertificate {
        what: what.to_string(),
        message: message.to_string(),
    }
}

fn to_system_time(t: x509_parser::time::ASN1Time) -> SystemTime {
    let secs = t.timestamp();
    if secs >= 0 {
        SystemTime::UNIX_EPOCH + Duration::from_secs(secs.unsigned_abs())
    } else {
        SystemTime::UNIX_EPOCH - Duration::from_secs(secs.unsigned_abs())
    }
}

impl CertInfo {
    /// Parses the first certificate of a PEM text.
    pub fn from_pem(pem: &str, what: &str) -> Result<Self> {
        let chain = parse_cert_chain(pem, what)?;
        Self::from_der(&chain[0], what)
    }

    /// Parses a DER certificate (as a TLS peer presents it).
    pub fn from_der(der: &[u8], what: &str) -> Result<Self> {
        let (_, cert) = X509Certificate::from_der(der).map_err(|e| invalid(what, e))?;
        let subject = cert.subject();
        let text = |attr: &x509_parser::x509::AttributeTypeAndValue<'_>| {
            attr.as_str()
                .map(str::to_string)
                .map_err(|e| invalid(what, e))
        };
        let common_name = subject.iter_common_name().next().map(text).transpose()?;
        let organizations = subject
            .iter_organization()
            .map(text)
            .collect::<Result<Vec<_>>>()?;
        let mut dns_names = Vec::new();
        let mut ip_addresses = Vec::new();
        if let Some(san) = cert
            .subject_alternative_name()
            .map_err(|e| invalid(what, e))?
        {
            for name in &san.value.general_names {
                match name {
                    GeneralName::DNSName(d) => dns_names.push(d.to_string()),
                    GeneralName::IPAddress(bytes) => {
                        if let Ok(b) = <[u8; 4]>::try_from(*bytes) {
                            ip_addresses.push(IpAddr::from(b));
                        } else if let Ok(b) = <[u8; 16]>::try_from(*bytes) {
                            ip_addresses.push(IpAddr::from(b));
                        }
                    }
                    _ => {}
                }
            }
        }
        let validity = cert.validity();
        Ok(Self {
            common_name,
            organizations,
            dns_names,
            ip_addresses,
            not_before: to_system_time(validity.not_before),
            not_after: to_system_time(validity.not_after),
            is_ca: cert.is_ca(),
            spki_der: cert.public_key().raw.to_vec(),
            der: der.to_vec(),
        })
    }

    /// True while `now` is inside the validity window.
    pub fn is_valid_at(&self, now: SystemTime) -> bool {
        self.not_before <= now && now <= self.not_after
    }

    /// True when this certificate's signature verifies with `issuer`'s public key.
    pub fn is_signed_by(&self, issuer: &CertInfo) -> bool {
        let Ok((_, cert)) = X509Certificate::from_der(&self.der) else {
            return false;
        };
        let Ok((_, spki)) =
            x509_parser::x509::SubjectPublicKeyInfo::from_der(issuer.spki_der.as_slice())
        else {
            return false;
        };
        cert.verify_signature(Some(&spki)).is_ok()
    }

    /// True when the certificate names every one of `dns_names` and `ip_addresses`.
    pub fn covers(&self, dns_names: &[impl AsRef<str>], ip_addresses: &[IpAddr]) -> bool {
        dns_names.iter().all(|d| {
            self.dns_names
                .iter()
                .any(|have| have.eq_ignore_ascii_case(d.as_ref()))
        }) && ip_addresses.iter().all(|ip| self.ip_addresses.contains(ip))
    }
}
