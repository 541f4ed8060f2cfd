//! Just enough DER to give a client certificate several Organization attributes.
//!
//! Kubernetes reads a client certificate's groups from its Subject's O attributes, one group
//! each. rcgen's `DistinguishedName` holds one value per attribute type, so a certificate is
//! built by rcgen, then its subject is replaced and the TBSCertificate signed again with the
//! issuer's key.

use crate::error::{Error, Result};

const TAG_SEQUENCE: u8 = 0x30;
const TAG_SET: u8 = 0x31;
const TAG_BIT_STRING: u8 = 0x03;
const TAG_UTF8_STRING: u8 = 0x0c;
const TAG_VERSION: u8 = 0xa0;
/// DER of the OIDs 2.5.4.3 (commonName) and 2.5.4.10 (organizationName).
const OID_COMMON_NAME: &[u8] = &[0x06, 0x03, 0x55, 0x04, 0x03];
const OID_ORGANIZATION: &[u8] = &[0x06, 0x03, 0x55, 0x04, 0x0a];

fn malformed(message: &str) -> Error {
    Error::InvalidCertificate {
        what: "client certificate".to_string(),
        message: message.to_string(),
    }
}

/// One TLV: its tag, the whole encoding, and the content.
struct Tlv<'a> {
    tag: u8,
    raw: &'a [u8],
    content: &'a [u8],
}

fn read_tlv(input: &[u8]) -> Result<(Tlv<'_>, &[u8])> {
    let (&tag, rest) = input.split_first().ok_or_else(|| malformed("truncated"))?;
    let (&first, rest) = rest.split_first().ok_or_else(|| malformed("truncated"))?;
    let (len, rest) = if first < 0x80 {
        (usize::from(first), rest)
    } else {
        let n = usize::from(first & 0x7f);
        if n == 0 || n > 4 || rest.len() < n {
            return Err(malformed("bad length"));
        }
        let len = rest[..n]
            .iter()
            .fold(0usize, |acc, b| (acc << 8) | usize::from(*b));
        (len, &rest[n..])
    };
    if rest.len() < len {
        return Err(malformed("truncated"));
    }
    let header = input.len() - rest.len();
    let total = header + len;
    Ok((
        Tlv {
            tag,
            raw: &input[..total],
            content: &rest[..len],
        },
        &input[total..],
    ))
}

fn children(mut content: &[u8]) -> Result<Vec<Tlv<'_>>> {
    let mut out = Vec::new();
    while !content.is_empty() {
        let (tlv, rest) = read_tlv(content)?;
        out.push(tlv);
        content = rest;
    }
    Ok(out)
}

pub(crate) fn encode(tag: u8, content: &[u8]) -> Vec<u8> {
    let len = content.len();
    let mut out = Vec::with_capacity(len + 6);
    out.push(tag);
    if len < 0x80 {
        out.push(len as u8);
    } else {
        let bytes = len.to_be_bytes();
        let skip = bytes.iter().take_while(|b| **b == 0).count();
        out.push(0x80 | (bytes.len() - skip) as u8);
        out.extend_from_slice(&bytes[skip..]);
    }
    out.extend_from_slice(content);
    out
}

fn attribute(oid: &[u8], value: &str) -> Vec<u8> {
    let mut seq = oid.to_vec();
    seq.extend(encode(TAG_UTF8_STRING, value.as_bytes()));
    encode(TAG_SET, &encode(TAG_SEQUENCE, &seq))
}

/// A Name with one RDN per organization, then the common name.
pub(crate) fn client_subject(common_name: &str, organizations: &[String]) -> Vec<u8> {
    let mut rdns = Vec::new();
    for o in organizations {
        rdns.extend(attribute(OID_ORGANIZATION, o));
    }
    rdns.extend(attribute(OID_COMMON_NAME, common_name));
    encode(TAG_SEQUENCE, &rdns)
}

/// Replaces the subject of `cert_der` and signs the new TBSCertificate with `signer`, which must
/// be the key whose algorithm the certificate already names.
pub(crate) fn replace_subject(
    cert_der: &[u8],
    subject: &[u8],
    signer: &impl rcgen::SigningKey,
) -> Result<Vec<u8>> {
    let (cert, _) = read_tlv(cert_der)?;
    let parts = children(cert.content)?;
    let [tbs, algorithm, _signature] = parts.as_slice() else {
        return Err(malformed(
            "expected tbsCertificate, signatureAlgorithm, signature",
        ));
    };
    if cert.tag != TAG_SEQUENCE || tbs.tag != TAG_SEQUENCE {
        return Err(malformed("expected a SEQUENCE"));
    }
    let fields = children(tbs.content)?;
    // version [0] is optional; then serialNumber, signature, issuer, validity, subject.
    let subject_index = if fields.first().map(|f| f.tag) == Some(TAG_VERSION) {
        5
    } else {
        4
    };
    if fields.len() <= subject_index || fields[subject_index].tag != TAG_SEQUENCE {
        return Err(malformed("no subject"));
    }
    let mut tbs_content = Vec::with_capacity(tbs.content.len() + subject.len());
    for (i, f) in fields.iter().enumerate() {
        if i == subject_index {
            tbs_content.extend_from_slice(subject);
        } else {
            tbs_content.extend_from_slice(f.raw);
        }
    }
    let new_tbs = encode(TAG_SEQUENCE, &tbs_content);
    let signature = signer.sign(&new_tbs)?;
    let mut bits = Vec::with_capacity(signature.len() + 1);
    bits.push(0); // no unused bits
    bits.extend(signature);
    let mut content = new_tbs;
    content.extend_from_slice(algorithm.raw);
    content.extend(encode(TAG_BIT_STRING, &bits));
    Ok(encode(TAG_SEQUENCE, &content))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn long_lengths_round_trip() {
        let content = vec![7u8; 300];
        let encoded = encode(TAG_SEQUENCE, &content);
        assert_eq!(&encoded[..4], &[0x30, 0x82, 0x01, 0x2c]);
        let (tlv, rest) = read_tlv(&encoded).unwrap();
        assert!(rest.is_empty());
        assert_eq!(tlv.content, content.as_slice());
    }

    #[test]
    fn truncated_input_is_an_error_not_a_panic() {
        assert!(read_tlv(&[0x30, 0x82, 0x01]).is_err());
        assert!(read_tlv(&[0x30, 0x05, 0x00]).is_err());
        assert!(read_tlv(&[]).is_err());
    }
}
