module github.com/kefu-io/kefu/sdk

go 1.26
