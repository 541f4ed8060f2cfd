//! Regenerates the committed API documents under `openapi/spec/`:
//! `cargo run -p argo-openapi --bin argo-openapi-gen [DIR]`.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

fn main() -> std::io::Result<()> {
    let dir = std::env::args_os()
        .nth(1)
        .map(PathBuf::from)
        .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("spec"));
    let files = argo_openapi::document::spec_files();
    let wanted: BTreeSet<PathBuf> = files.iter().map(|(rel, _)| dir.join(rel)).collect();
    for (rel, contents) in &files {
        let path = dir.join(rel);
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent)?;
        }
        std::fs::write(&path, contents)?;
    }
    // Drop documents of kinds that no longer exist.
    for sub in ["", "v3", "crds"] {
        let Ok(entries) = std::fs::read_dir(dir.join(sub)) else {
            continue;
        };
        for entry in entries.flatten() {
            let path = entry.path();
            if path.is_file() && !wanted.contains(&path) {
                std::fs::remove_file(&path)?;
            }
        }
    }
    println!("wrote {} files under {}", files.len(), dir.display());
    Ok(())
}
