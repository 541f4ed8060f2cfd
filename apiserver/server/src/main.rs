fn main() {
    eprintln!(
        "argo-apiserver: the server is being assembled; only the storage and API surface exist so far"
    );
    std::process::exit(2);
}
