//! The registry: one generic store over the catalog and a Strategy per kind.
