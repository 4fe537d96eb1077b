// Package proto holds the generated gRPC code of the connector protocol. The
// generated files are committed so that building kefu or a plugin never needs
// protoc; regenerate after editing connector.proto with
//
//	go generate ./internal/proto
//
// using protoc-gen-go v1.36.12 and protoc-gen-go-grpc v1.6.2 (see ../../README.md).
package proto

//go:generate protoc --go_out=. --go_opt=paths=source_relative --go-grpc_out=. --go-grpc_opt=paths=source_relative connector.proto
