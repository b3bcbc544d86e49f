package main

// Debian 12's grpc-go (1.33, golang-google-grpc-dev) marshals messages through
// github.com/golang/protobuf, and the copy of it apt picks (1.3.5,
// golang-github-golang-protobuf-1-3-dev) predates the protobuf API that protoc-gen-go 1.28
// generates for: it panics on those messages. This client therefore registers the "proto"
// codec over google.golang.org/protobuf itself. A client built with Go modules needs none of
// this: grpc-go's go.mod requires github.com/golang/protobuf 1.4 or later, built on that API.

import (
	"fmt"

	"google.golang.org/grpc/encoding"
	"google.golang.org/protobuf/proto"
)

// protoCodec is gRPC's "proto" codec on google.golang.org/protobuf/proto.
type protoCodec struct{}

func (protoCodec) Marshal(v interface{}) ([]byte, error) {
	m, ok := v.(proto.Message)
	if !ok {
		return nil, fmt.Errorf("proto codec: %T is not a protobuf message", v)
	}
	return proto.Marshal(m)
}

func (protoCodec) Unmarshal(data []byte, v interface{}) error {
	m, ok := v.(proto.Message)
	if !ok {
		return fmt.Errorf("proto codec: %T is not a protobuf message", v)
	}
	return proto.Unmarshal(data, m)
}

func (protoCodec) Name() string { return "proto" }

// Replaces grpc-go's own "proto" codec, registered when its encoding/proto package starts.
func init() { encoding.RegisterCodec(protoCodec{}) }
