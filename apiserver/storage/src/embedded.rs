//! The embedded backend (default): a persistent revision log in one file.
