//! Admission for Argo resources and for native objects managed by them.
//!
//! The policy engine (AppProject matching, project roles, sync windows) is pure and shared by the
//! apiserver's write path and action subresources and by the AdmissionReview endpoints that
//! kube-apiserver calls for native objects.

pub mod cron;
pub mod glob;
pub mod index;
pub mod metrics;
pub mod native;
pub mod project;
pub mod rbac;
pub mod review;
pub mod tracking;
pub mod windows;
