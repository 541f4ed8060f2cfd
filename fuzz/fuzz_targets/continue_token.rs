//! `continue` tokens: opaque to clients, so anything may come back.
#![no_main]

use argo_apiserver_core::continue_token::{decode, encode};
use libfuzzer_sys::fuzz_target;

const PREFIX: &str = "/registry/argoproj.io/applications/";

fuzz_target!(|data: &[u8]| {
    let token = argo_fuzz::text(data);
    if let Ok((key, rv)) = decode(PREFIX, &token) {
        // A token never points outside the list it came from, nor at a revision that is not.
        assert!(
            key.starts_with(PREFIX) && key.len() > PREFIX.len(),
            "{key:?}"
        );
        assert!(rv > 0);
        let again = encode(PREFIX, &key, rv).expect("a decoded position encodes");
        assert_eq!(decode(PREFIX, &again), Ok((key, rv)));
    }
});
