//! Request bodies of the action subresources (sync, promote, resubmit, ...).
