//! Sans-I/O Kubernetes API machinery shared by the server crates.
