module local/krew-shim

go 1.22
