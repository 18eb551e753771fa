package capi

// The SWIG-generated C wrapper and this package link against libpager found by pkg-config:
// PKG_CONFIG_PATH=<repo>/build/rel/pkgconfig selects the in-tree pager-uninstalled.pc.

// #cgo pkg-config: pager
import "C"
