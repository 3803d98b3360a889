//! Compiles the Bicep parser that tree-sitter generated from `grammars/bicep/grammar.js`.
//! The generated C is committed, so building needs a C compiler but no Node.

fn main() {
    let src = std::path::Path::new("grammars/bicep/src");
    cc::Build::new()
        .include(src)
        .file(src.join("parser.c"))
        .file(src.join("scanner.c"))
        // Generated code: its warnings are not ours to fix.
        .warnings(false)
        .flag_if_supported("-Wno-unused-parameter")
        .compile("tree-sitter-bicep");
    println!("cargo:rerun-if-changed=grammars/bicep/src/parser.c");
    println!("cargo:rerun-if-changed=grammars/bicep/src/scanner.c");
    println!("cargo:rerun-if-changed=grammars/bicep/src/tree_sitter/parser.h");
}
