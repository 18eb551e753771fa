module libpager.dev/pager

go 1.24
