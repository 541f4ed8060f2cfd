//! Certificates for serving, clients and the aggregation layer.
