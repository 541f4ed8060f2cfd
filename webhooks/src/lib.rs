//! Admission for Argo resources and for native objects managed by them.
