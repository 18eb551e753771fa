//! Finds libpager with pkg-config and generates the FFI declarations from its pager.h with
//! bindgen (libclang from Debian's libclang-dev, loaded at run time).
//!
//! In-tree builds: PKG_CONFIG_PATH=<repo>/build/rel/pkgconfig picks pager-uninstalled.pc,
//! whose include dir is the checkout (pager.h) and whose lib dir is build/rel/lib.

use std::env;
use std::path::PathBuf;

fn main() {
    println!("cargo:rerun-if-env-changed=PKG_CONFIG_PATH");
    let lib = pkg_config::Config::new()
        .atleast_version("0.1.0")
        .probe("pager")
        .unwrap_or_else(|e| {
            panic!(
                "libpager not found by pkg-config ({e}); build it with `make` and set \
                 PKG_CONFIG_PATH=<repo>/build/rel/pkgconfig, or install it (make install)"
            )
        });
    let header = lib
        .include_paths
        .iter()
        .map(|dir| dir.join("pager.h"))
        .find(|path| path.is_file())
        .unwrap_or_else(|| panic!("pager.h not found in {:?}", lib.include_paths));
    println!("cargo:rerun-if-changed={}", header.display());

    let bindings = bindgen::Builder::default()
        .header(header.to_string_lossy())
        .clang_args(lib.include_paths.iter().map(|p| format!("-I{}", p.display())))
        .allowlist_function("pager_.*")
        .allowlist_type("pager_.*")
        .allowlist_var("PAGER_.*")
        .default_enum_style(bindgen::EnumVariation::Consts)
        .prepend_enum_name(false)
        .generate_comments(true)
        .layout_tests(true)
        .generate()
        .expect("bindgen could not translate pager.h");
    let out = PathBuf::from(env::var("OUT_DIR").expect("OUT_DIR")).join("bindings.rs");
    bindings.write_to_file(&out).expect("writing bindings.rs");

    // `links = "pager"`: dependents see these as DEP_PAGER_INCLUDE and DEP_PAGER_LIBDIR.
    if let Some(dir) = header.parent() {
        println!("cargo:include={}", dir.display());
    }
    if let Some(dir) = lib.link_paths.first() {
        println!("cargo:libdir={}", dir.display());
    }
}
