//! Test support shared by this crate and the black-box tests: real etcd processes.
